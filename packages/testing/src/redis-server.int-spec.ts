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
});
