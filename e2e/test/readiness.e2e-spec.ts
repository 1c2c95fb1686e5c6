import { eventually, TestRedis } from '@parley/testing';
import { startApp } from './apps';

describe('readiness follows Redis', () => {
  it('a worker reports not ready while its Redis is gone, and stays alive', async () => {
    const server = await TestRedis.start();
    const app = await startApp('loopback-parser', { REDIS_URL: server.url, INBOX_BLOCK_MS: '200' });
    try {
      await app.waitForLog('loopback-parser listening');
      const url = `http://127.0.0.1:${app.port}`;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      await server.stop();
      const report = await eventually(
        async () => {
          const res = await fetch(`${url}/readyz`);
          return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
        },
        (r) => r.status === 503,
        '/readyz answering 503',
      );
      expect(report.body.checks.redis).not.toBe('ok');
      // Liveness is about the process, not its dependencies: no restart loop while Redis is away.
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      // The outage is logged as structured lines, once per connection (the shared one, the
      // consumer's blocking one, the object cache's subscription), not once per retry, and
      // nothing unstructured reaches stderr.
      const connections = ['loopback-parser', 'loopbackparser-blocking', 'loopback-parser-objects'];
      for (const connection of connections) await app.waitForLog('redis connection error', { connection });
      const logged = app.proc.lines.filter((l) => l.includes('"msg":"redis connection error"')).map((l) => (JSON.parse(l) as { connection: string }).connection);
      expect(logged.sort()).toEqual([...connections].sort());
      expect(app.proc.errorOutput).toBe('');
    } finally {
      await app.proc.kill('SIGKILL');
    }
  });
});
