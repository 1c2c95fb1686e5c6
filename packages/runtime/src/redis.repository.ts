import Redis from 'ioredis';
import type { Logger } from 'pino';

/** The Redis connection type, for code that hands the connection on (BullMQ) or to a repository. */
export type RedisConnection = Redis;

/**
 * The app's shared Redis connection. Errors are logged once per outage (ioredis retries by itself),
 * never swallowed: commands issued while Redis is down fail to their callers.
 */
export function createRedisConnection(url: string, name: string, logger: Logger): Redis {
  const redis = new Redis(url, { connectionName: name, maxRetriesPerRequest: 3, enableReadyCheck: true });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.error({ err, redis: redacted(url) }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: redacted(url) }, 'redis connection restored');
    down = false;
  });
  return redis;
}

export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${String(answer)}`);
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
