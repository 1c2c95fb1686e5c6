import { TestRedis } from './redis-server';

describe('TestRedis', () => {
  let server: TestRedis;
  beforeAll(async () => {
    server = await TestRedis.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('starts a real redis-server on a free port', async () => {
    const space = await server.keySpace();
    expect(await space.redis.ping()).toBe('PONG');
    const info = await space.redis.info('server');
    expect(info).toContain(`tcp_port:${server.port}`);
  });

  it('gives each test its own key space', async () => {
    const a = await server.keySpace();
    const b = await server.keySpace();
    await a.redis.set('k', 'a');
    expect(await b.redis.get('k')).toBeNull();
    expect(a.url).not.toBe(b.url);
    await a.cleanup();
    expect(await a.redis.dbsize()).toBe(0);
  });

  it('restarts on the same port and files: with AOF, what was written is still there, and clients reconnect', async () => {
    const aof = await TestRedis.start({ args: ['--appendonly', 'yes', '--appendfsync', 'everysec'] });
    try {
      const space = await aof.keySpace();
      await space.redis.set('kept', 'yes');
      const pid = aof.pid;
      await aof.restart();
      expect(aof.pid).not.toBe(pid);
      expect(await space.redis.get('kept')).toBe('yes');
    } finally {
      await aof.stop();
    }
  });
});
