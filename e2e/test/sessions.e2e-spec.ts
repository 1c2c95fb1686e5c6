import { ParleyClient } from '@parley/client';
import type { SequencedNotification } from '@parley/protocol';
import { Collector, eventually, type KeySpace, type RedisTier, startTestRedis } from '@parley/testing';
import { appStarter } from './apps';

/**
 * The promise of issue 3 across processes: sessions survive a dropped socket and a gateway killed
 * with SIGKILL, each notification arrives once and in order, and every backend answers the client
 * requests it owns through the real inbox or queue.
 */
describe('sessions across the built apps', () => {
  let server: RedisTier;
  let space: KeySpace;
  const clients: ParleyClient[] = [];
  let gatewayPort = 0;

  const { apps, start } = appStarter(() => space.url);

  beforeAll(async () => {
    server = await startTestRedis();
    space = await server.keySpace();
    gatewayPort = (await start('gateway')).port;
    for (const name of ['loopback-parser', 'irc-parser', 'im-router'] as const) await start(name);
  });

  afterAll(async () => {
    for (const c of clients) c.socket.disconnect();
    await Promise.all([...apps.values()].map((a) => a.proc.kill('SIGKILL')));
    await server.stop();
  });

  const url = () => `http://127.0.0.1:${gatewayPort}`;
  async function login(nick: string): Promise<string> {
    const post = (path: string, body: unknown) => fetch(`${url()}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('register', { name: nick, email: `${nick}@example.com`, nick, password: 'correct horse battery' })).status).toBe(201);
    return ((await (await post('login', { username: nick, password: 'correct horse battery' })).json()) as { token: string }).token;
  }
  function client(token: string) {
    const c = new ParleyClient({ url: url(), token, clientName: 'e2e', transports: ['websocket'], ackDelayMs: 50 });
    const seen = new Collector<SequencedNotification>();
    c.on('notification', seen.push);
    clients.push(c);
    return { c, seen };
  }
  const settingsSeen = (seen: Collector<SequencedNotification>) => seen.items.filter((n) => n.type === 'UPDATE_SETTINGS');
  /** [seq, settings] of what arrived after `seq`. */
  const after = (seen: Collector<SequencedNotification>, seq: number) => seen.items.filter((n) => n.seq > seq).map((n) => [n.seq, (n as { settings?: unknown }).settings]);

  it('every backend answers the requests it owns (NOT_AVAILABLE where it does not handle them yet) through the real path', async () => {
    const { c } = client(await login('carol'));
    await c.connect();
    expect(await c.request({ id: 'CREATE', name: '#tea' })).toMatchObject({ status: 'OK', windowId: 1 });
    // irc-parser answers: no network of that name is set up here (IRC_NETWORKS_FILE is unset).
    expect(await c.request({ id: 'JOIN', network: 'libera', name: '#node' })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND', message: expect.stringContaining('no IRC network libera') as string });
    // im-router answers through BullMQ: nobody has that id.
    expect(await c.request({ id: 'BLOCK', userId: 12345 })).toEqual({ status: 'ERROR', code: 'NOT_FOUND', message: 'no such user' });
  });

  it('resumes with exactly the missed notifications after a dropped socket, after the gateway was killed (SIGKILL) and restarted, and across a graceful redeploy', async () => {
    const token = await login('dave');
    const a = client(token);
    const b = client(token);
    await a.c.connect();
    const first = await b.c.connect();
    await eventually(() => b.seen.items.some((n) => n.type === 'FINISH_INIT'), Boolean, 'burst');

    // 1. A dropped socket.
    const before = b.c.lastSeq;
    b.c.disconnect();
    for (const n of [1, 2, 3]) expect(await a.c.request({ id: 'SET', settings: { n } })).toEqual({ status: 'OK' });
    expect(await b.c.connect()).toMatchObject({ sessionId: first.sessionId, resumed: true });
    await eventually(() => settingsSeen(b.seen).length, (n) => n === 4, 'three updates');
    expect(after(b.seen, before)).toEqual([
      [before + 1, { n: 1 }],
      [before + 2, { n: 2 }],
      [before + 3, { n: 3 }],
    ]);

    // 2. The gateway dies without a chance to clean up, while b is away; a new gateway process takes over.
    b.c.ack();
    await eventually(() => b.c.lastSeq, (s) => s === before + 3, 'acked');
    b.c.disconnect();
    const killed = apps.get('gateway')!;
    await killed.proc.kill('SIGKILL');
    await start('gateway', { GATEWAY_PORT: String(gatewayPort) });
    // a reconnects by itself and resumes; it sends three more.
    await eventually(() => a.c.socket.connected, Boolean, 'a reconnected');
    for (const n of [4, 5, 6]) expect(await a.c.request({ id: 'SET', settings: { n } })).toEqual({ status: 'OK' });
    const lastSeen = b.c.lastSeq;
    expect(await b.c.connect()).toMatchObject({ sessionId: first.sessionId, resumed: true });
    await eventually(() => settingsSeen(b.seen).length, (n) => n === 7, 'three more updates');
    expect(after(b.seen, lastSeen)).toEqual([
      [lastSeen + 1, { n: 4 }],
      [lastSeen + 2, { n: 5 }],
      [lastSeen + 3, { n: 6 }],
    ]);
    expect(b.c.duplicates + b.c.gaps + a.c.duplicates + a.c.gaps).toBe(0);

    // 3. A graceful stop (a redeploy): the gateway closes the sockets, both clients reconnect by
    // themselves to its successor and resume; nothing is lost or repeated.
    const stopping = apps.get('gateway')!;
    await stopping.proc.kill('SIGTERM');
    expect(await stopping.proc.exited).toEqual({ code: 0, signal: null });
    await start('gateway', { GATEWAY_PORT: String(gatewayPort) });
    const bSeq = b.c.lastSeq;
    expect(await a.c.request({ id: 'SET', settings: { n: 7 } })).toEqual({ status: 'OK' });
    await eventually(() => settingsSeen(b.seen).length, (n) => n === 8, 'the update after the redeploy');
    expect(after(b.seen, bSeq)).toEqual([[bSeq + 1, { n: 7 }]]);
    expect(b.c.sessionId).toBe(first.sessionId);
    expect(b.c.duplicates + b.c.gaps + a.c.duplicates + a.c.gaps).toBe(0);
  });
});
