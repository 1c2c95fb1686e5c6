import { TestRedis } from '@parley/testing';
import { startApp } from './apps';

describe('an app with a bad environment', () => {
  let server: TestRedis;
  beforeAll(async () => {
    server = await TestRedis.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('stops at start with a message naming the variable and the value', async () => {
    const app = await startApp('gateway', { REDIS_URL: server.url, GATEWAY_PORT: 'not-a-port', LOG_LEVEL: 'info' });
    const { code } = await app.proc.exited;
    expect(code).toBe(1);
    const fatal = app.proc.lines.map((l) => JSON.parse(l) as { level: string; msg: string }).find((l) => l.level === 'fatal');
    expect(fatal?.msg).toMatch(/^gateway: invalid environment: GATEWAY_PORT: .*\(got "not-a-port"\)/);
  });

  it('names every bad variable at once', async () => {
    const app = await startApp('loopback-parser', { REDIS_URL: 'http://nope', INBOX_BATCH_SIZE: '0', LOG_LEVEL: 'loud' });
    expect((await app.proc.exited).code).toBe(1);
    const fatal = app.proc.lines.map((l) => JSON.parse(l) as { level: string; msg: string }).find((l) => l.level === 'fatal')!;
    for (const v of ['REDIS_URL', 'INBOX_BATCH_SIZE', 'LOG_LEVEL']) expect(fatal.msg).toContain(`${v}: `);
  });
});
