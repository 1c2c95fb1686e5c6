import { Queue } from 'bullmq';
import { BULLMQ_PREFIX, inbox, inboxConsumers, inboxDead } from '@parley/key-schema';
import { IM_ROUTER_QUEUE } from '@parley/protocol';
import { type KeySpace, type RedisTier, startTestRedis } from '@parley/testing';
import { APPS, type RunningApp, startApp } from './apps';

/**
 * The five built apps as real processes on one real Redis: they start, report ready, consume what
 * is pushed to their inbox (the log shows it), dead-letter what they cannot handle yet, and stop
 * gracefully on SIGTERM.
 */
describe('the five apps, started as processes', () => {
  let server: RedisTier;
  let space: KeySpace;
  const apps = new Map<string, RunningApp>();

  beforeAll(async () => {
    server = await startTestRedis();
    space = await server.keySpace();
    for (const name of APPS) {
      const app = await startApp(name, { REDIS_URL: space.url, INBOX_BLOCK_MS: '500' });
      apps.set(name, app);
    }
    await Promise.all([...apps.values()].map((a) => a.waitForLog(`${a.name} listening`)));
  });

  afterAll(async () => {
    await Promise.all([...apps.values()].map((a) => a.proc.kill('SIGKILL')));
    await server.stop();
  });

  const app = (name: string) => apps.get(name)!;

  it.each(APPS)('%s reports live and ready (Redis reachable)', async (name) => {
    const { port } = app(name);
    const live = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect(ready.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.redis).toBe('ok');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(`process_cpu_user_seconds_total{app="${name}"}`);
  });

  it('the gateway serves its page with security headers', async () => {
    const res = await fetch(`http://127.0.0.1:${app('gateway').port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each([
    ['loopback-parser', 'loopbackparser'],
    ['irc-parser', 'ircparser'],
    ['connection-manager', 'connectionmanager'],
  ] as const)('%s consumes a message LPUSHed to inbox:%s (visible in its log)', async (name, inboxName) => {
    const id = `e2e-${inboxName}`;
    await space.redis.lpush(inbox(inboxName), JSON.stringify({ v: 1, type: 'ping', id }));
    const line = await app(name).waitForLog('ping received', { id });
    expect(line.inbox).toBe(inboxName);
    expect(await space.redis.zcard(inboxConsumers(inboxName))).toBe(1);
  });

  it('a worker dead-letters what it cannot read, with the reason', async () => {
    await space.redis.lpush(inbox('loopbackparser'), '{"v":1,"type":"no-such-type"}');
    await app('loopback-parser').waitForLog('message dead-lettered', { message: '{"v":1,"type":"no-such-type"}' });
    const entries = (await space.redis.lrange(inboxDead('loopbackparser'), 0, -1)).map((e) => JSON.parse(e) as { reason: string });
    expect(entries.map((e) => e.reason)).toEqual([expect.stringMatching(/^invalid message: /)]);
  });

  it('im-router fails malformed and unknown jobs at once, without retrying', async () => {
    const queue = new Queue(IM_ROUTER_QUEUE, { connection: space.connect({ maxRetriesPerRequest: null }), prefix: BULLMQ_PREFIX });
    try {
      const unknown = await queue.add('DANCE', { v: 1 }, { attempts: 3 });
      const bad = await queue.add('REQUEST_FRIEND', { v: 1, userId: 'x' }, { attempts: 3 });
      const first = await app('im-router').waitForLog('job failed', { jobId: unknown.id });
      expect(first.reason).toBe('invalid job: unknown job name "DANCE"');
      expect([first.attempts, first.final]).toEqual([1, true]);
      const second = await app('im-router').waitForLog('job failed', { jobId: bad.id });
      expect(second.reason).toMatch(/^invalid job: REQUEST_FRIEND: /);
    } finally {
      await queue.close();
    }
  });

  it.each(APPS)('%s stops gracefully on SIGTERM (exit 0, consumer unregistered)', async (name) => {
    const a = app(name);
    await a.proc.kill('SIGTERM');
    expect(await a.proc.exited).toEqual({ code: 0, signal: null });
    await a.waitForLog(`${name} stopped`);
  });

  it('no consumer is left registered after the workers stopped', async () => {
    for (const name of ['loopbackparser', 'ircparser', 'connectionmanager'] as const) {
      expect(await space.redis.zcard(inboxConsumers(name))).toBe(0);
    }
  });
});
