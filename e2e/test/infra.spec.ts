import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { inboxConfigShape } from '@parley/inbox';
import { baseConfigShape } from '@parley/runtime';
import { APPS } from './apps';

// No Docker engine here: these tests read what a container platform would read and check it
// against the code (apps that exist, variables the apps parse, ports they serve).
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The variables the README's table documents, with the apps column. */
function documentedVariables(): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of read('README.md').split('\n')) {
    const m = /^\| `([A-Z0-9_]+)` \| ([^|]+) \|/.exec(line);
    if (m) vars.set(m[1]!, m[2]!.trim());
  }
  return vars;
}

interface ComposeService {
  image?: string;
  command?: string[];
  volumes?: string[];
  build?: { dockerfile: string; args: { APP: string; PORT: string } };
  environment?: Record<string, string>;
  healthcheck?: unknown;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

  it('runs Redis and the five apps', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['redis', ...APPS].sort());
  });

  it('runs Redis with AOF and noeviction', () => {
    const redis = compose.services.redis!;
    expect(redis.volumes).toContain('./infra/redis.conf:/usr/local/etc/redis/redis.conf:ro');
    expect(redis.command).toEqual(['redis-server', '/usr/local/etc/redis/redis.conf']);
    const conf = read('infra/redis.conf');
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(redis.healthcheck).toBeDefined();
  });

  it.each(APPS)('builds %s from the shared Dockerfile with its own app and port', (name) => {
    const service = compose.services[name]!;
    expect(service.build?.dockerfile).toBe('infra/Dockerfile');
    expect(service.build?.args.APP).toBe(name);
    expect(existsSync(join(root, 'apps', name, 'src', 'main.ts'))).toBe(true);
    const portVar = name === 'gateway' ? 'GATEWAY_PORT' : 'HEALTH_PORT';
    expect(service.environment?.[portVar]).toBe(service.build?.args.PORT);
    expect(service.environment?.REDIS_URL).toBe('redis://redis:6379');
  });

  it('sets only variables the README documents for that app', () => {
    const documented = documentedVariables();
    for (const name of APPS) {
      for (const variable of Object.keys(compose.services[name]!.environment ?? {})) {
        const apps = documented.get(variable);
        expect({ variable, documented: apps !== undefined }).toEqual({ variable, documented: true });
        expect(apps === 'all' || apps!.includes(name) || (apps === 'workers' && name !== 'gateway') || (apps === 'inbox workers' && ['connection-manager', 'irc-parser', 'loopback-parser'].includes(name))).toBe(true);
      }
    }
  });
});

describe('README', () => {
  it('documents every variable the shared config, the courier and the gateway parse', () => {
    const documented = documentedVariables();
    // The gateway's shape is read from its source (e2e code does not import apps).
    const gatewayVariables = [...read('apps/gateway/src/config.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    expect(gatewayVariables).toContain('SESSION_MAX_PER_USER');
    for (const variable of [...Object.keys(baseConfigShape), ...Object.keys(inboxConfigShape), ...gatewayVariables]) {
      expect(documented.has(variable) ? variable : `undocumented ${variable}`).toBe(variable);
    }
  });

  it('names the two commands on its first screen', () => {
    const firstScreen = read('README.md').split('\n').slice(0, 30).join('\n');
    expect(firstScreen).toContain('npm install && npm start');
    expect(firstScreen).toContain('npm test');
  });
});

describe('infra/Dockerfile', () => {
  const dockerfile = read('infra/Dockerfile');
  it('is multi-stage, parametrised by APP, runs as a non-root user, with a health check', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG APP$/m);
    const users = [...dockerfile.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toBe('root');
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \[.*exec node apps\/\$APP\/dist\/main\.js/m);
  });

  it('puts the web client build where the gateway serves it from (WEB_DIR)', () => {
    expect(dockerfile).toMatch(/turbo run build --filter=@parley\/web/);
    const copied = /^COPY --from=web \S+ \/repo\/apps\/web\/dist (\S+)$/m.exec(dockerfile);
    expect(copied?.[1]).toBe('./apps/web/dist');
    // WORKDIR /app + ./apps/web/dist is the WEB_DIR the image sets.
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(dockerfile).toMatch(/^ENV .*\bWEB_DIR=\/app\/apps\/web\/dist\b/m);
  });
});

describe('.ci/run', () => {
  it('installs redis-server after apt-get update, then runs the README test command', () => {
    const ci = read('.ci/run');
    expect(ci.indexOf('apt-get update')).toBeGreaterThan(-1);
    expect(ci.indexOf('apt-get update')).toBeLessThan(ci.indexOf('apt-get install'));
    expect(ci).toContain('redis-server');
    // The web client's e2e drives Debian's chromium (browser downloads fail on CI machines).
    expect(ci).toMatch(/missing="\$missing chromium"/);
    expect(ci).toMatch(/npm ci --no-audit/);
    expect(ci).toMatch(/^npm test$/m);
  });
});
