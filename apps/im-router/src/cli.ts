// The operator's command line for im-router's data (REDIS_URL and IM_KEY_PREFIX as for the app):
//   node apps/im-router/dist/cli.js app create <appKey> [--max-connections N]   (prints the secret, once)
//   node apps/im-router/dist/cli.js app show <appKey>
import { KeyPartError } from '@parley/key-schema';
import { baseConfigShape, createLogger, createRedisConnection, env, loadConfig } from '@parley/runtime';
import { AppsRepository } from './saas/apps.repository';

const USAGE = 'usage: cli app create <appKey> [--max-connections N] | cli app show <appKey>';

async function main(args: string[]): Promise<number> {
  const config = loadConfig('im-router cli', { REDIS_URL: baseConfigShape.REDIS_URL, IM_KEY_PREFIX: env.imKeyPrefix() });
  const [group, command, appKey, ...rest] = args;
  if (group !== 'app' || !appKey || (command !== 'create' && command !== 'show')) {
    console.error(USAGE);
    return 2;
  }
  let max = 100;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--max-connections') max = Number(rest[++i]);
    else {
      console.error(`unknown option ${rest[i]}\n${USAGE}`);
      return 2;
    }
  }
  if (!Number.isSafeInteger(max) || max < 1) {
    console.error('--max-connections must be a positive whole number');
    return 2;
  }
  const logger = createLogger('im-router-cli', 'warn');
  const redis = createRedisConnection(config.REDIS_URL, 'im-router-cli', logger);
  try {
    const apps = new AppsRepository(redis, config.IM_KEY_PREFIX);
    if (command === 'create') {
      const app = await apps.create(appKey, max);
      if (!app) {
        console.error(`an app called ${appKey} exists`);
        return 1;
      }
      console.log(JSON.stringify(app));
      return 0;
    }
    const app = await apps.show(appKey);
    if (!app) {
      console.error(`no app called ${appKey}`);
      return 1;
    }
    console.log(JSON.stringify(app));
    return 0;
  } catch (err) {
    if (err instanceof KeyPartError) {
      console.error(`bad app key: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    redis.disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
