import { baseConfigShape, ConfigError, env, loadConfig } from './config';

const shape = { ...baseConfigShape, PORT: env.port(3200), FLAG: env.bool(false), COUNT: env.int(5, 1, 10) };

describe('loadConfig', () => {
  it('applies defaults and types the values', () => {
    const c = loadConfig('app', shape, {});
    expect(c).toEqual({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER: false, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: 25000, HTTP_HOST: '0.0.0.0', PORT: 3200, FLAG: false, COUNT: 5 });
  });

  it('parses given values, and treats empty ones as unset', () => {
    const c = loadConfig('app', shape, { PORT: '8080', FLAG: 'yes', COUNT: '', REDIS_URL: 'rediss://u:p@host:6380/2' });
    expect(c.PORT).toBe(8080);
    expect(c.FLAG).toBe(true);
    expect(c.COUNT).toBe(5);
    expect(c.REDIS_URL).toBe('rediss://u:p@host:6380/2');
  });

  it('takes a cluster switch and a comma-separated list of cluster nodes', () => {
    const c = loadConfig('app', shape, { REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:7000,redis://b:7001' });
    expect([c.REDIS_CLUSTER, c.REDIS_URL]).toEqual([true, 'redis://a:7000,redis://b:7001']);
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', 'abc'],
    ['FLAG', 'maybe'],
    ['COUNT', '11'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'redis://a:7000,'],
    ['REDIS_CLUSTER', 'maybe'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%s and names the variable and the value', (variable, value) => {
    let error: unknown;
    try {
      loadConfig('app', shape, { [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.problems.map((p) => p.variable)).toEqual([variable]);
    expect(e.message).toContain(`app: invalid environment: ${variable}: `);
    expect(e.message).toContain(`(got ${JSON.stringify(value)})`);
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig('app', shape, { PORT: 'x', COUNT: '0' })).toThrow(/PORT: .*; COUNT: /);
  });
});
