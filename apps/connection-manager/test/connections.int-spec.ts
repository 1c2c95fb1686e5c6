import { Registry } from 'prom-client';
import { InboxSender } from '@parley/inbox';
import { inbox } from '@parley/key-schema';
import type { InboxMessage } from '@parley/protocol';
import { createLogger } from '@parley/runtime';
import { IrcPeer, TestIrcServer, useTestRedis } from '@parley/testing';
import { type ConnectionsConfig, ConnectionsService } from '../src/connections/connections.service';

type Event = InboxMessage<'ircparser'>;

/** connection-manager's sockets against a real ngircd, its events read from a real Redis. */
describe('ConnectionsService (real Redis, real ngircd)', () => {
  const redis = useTestRedis();
  let ircd: TestIrcServer;
  const services: ConnectionsService[] = [];
  const peers: IrcPeer[] = [];

  beforeAll(async () => {
    ircd = await TestIrcServer.start();
  });
  afterAll(async () => {
    await ircd.close();
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.beforeApplicationShutdown();
    for (const p of peers.splice(0)) p.close();
  });

  const config: ConnectionsConfig = {
    IRC_FLOOD_BURST: 3,
    IRC_FLOOD_INTERVAL_MS: 50,
    IRC_CONNECT_INTERVAL_MS: 0,
    IRC_CONNECT_TIMEOUT_MS: 5_000,
    IRC_IDLE_PING_MS: 60_000,
    IRC_IDLE_TIMEOUT_MS: 120_000,
    IRC_QUIT_REASON: 'maintenance',
    IRC_DEFAULT_REALNAME: 'Parley user',
  };

  const registries = new WeakMap<ConnectionsService, Registry>();
  function service(overrides: Partial<ConnectionsConfig> = {}) {
    const registry = new Registry();
    const s = new ConnectionsService(new InboxSender(redis.space.redis), { ...config, ...overrides }, createLogger('test', 'silent'), registry);
    registries.set(s, registry);
    services.push(s);
    return s;
  }
  /** The service's parley_irc_connections gauge, by state. */
  const connectionsByState = async (s: ConnectionsService) =>
    Object.fromEntries(((await registries.get(s)!.getSingleMetric('parley_irc_connections')!.get()).values as { labels: { state: string }; value: number }[]).map((v) => [v.labels.state, v.value]));

  /** What connection-manager pushed to inbox:ircparser, in order (the inbox is popped from its tail). */
  const events: Event[] = [];
  async function nextEvent(predicate: (e: Event) => boolean): Promise<Event> {
    const blocking = redis.space.connect();
    try {
      for (;;) {
        const found = events.find(predicate);
        if (found) {
          events.splice(events.indexOf(found), 1);
          return found;
        }
        const [, raw] = (await blocking.brpop(inbox('ircparser'), 0))!;
        events.push(JSON.parse(raw) as Event);
      }
    } finally {
      blocking.disconnect();
    }
  }
  beforeEach(() => events.splice(0));

  const connect = (s: ConnectionsService, nick: string, extra: object = {}) =>
    s.connect({ v: 1, type: 'connect', userId: 7, network: 'test', host: ircd.host, port: ircd.port, tls: false, nick, ...extra });
  const lineEvent = (pattern: RegExp) => (e: Event) => e.type === 'data' && pattern.test(e.line);

  it('tells irc-parser of the users it took over from a dead instance (lost), except those it holds itself', async () => {
    const s = service();
    connect(s, 'carol');
    await nextEvent((e) => e.type === 'connected');
    s.lost([7, 8, 9]);
    expect(await nextEvent((e) => e.type === 'lost')).toMatchObject({ userId: 8 });
    expect(await nextEvent((e) => e.type === 'lost')).toMatchObject({ userId: 9 });
    // User 7's socket is here: not lost (the three would have left in one push, in order).
    const rest = (await redis.space.redis.lrange(inbox('ircparser'), 0, -1)).map((r) => JSON.parse(r) as Event);
    expect([...events, ...rest].filter((e) => e.type === 'lost')).toEqual([]);
  });

  it('connects, registers, passes every line on and answers PING itself', async () => {
    const s = service();
    s.onApplicationBootstrap();
    connect(s, 'alice');
    expect(await nextEvent((e) => e.type === 'connected')).toMatchObject({ userId: 7, network: 'test', localPort: expect.any(Number) as number });
    expect(await connectionsByState(s)).toEqual({ connecting: 0, connected: 1, closing: 0 });
    // CAP LS 302 went first: irc-parser finishes registration with CAP END.
    await nextEvent(lineEvent(/ CAP \* LS /));
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['CAP END'] });
    expect(await nextEvent(lineEvent(/ 001 alice /))).toMatchObject({ userId: 7, network: 'test' });
    // A PING the server sends is answered here and not passed on.
    const peer = await IrcPeer.connect(ircd, 'bob');
    peers.push(peer);
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['PING :are-you-there'] });
    await nextEvent(lineEvent(/PONG .*are-you-there/));
  });

  it('sends a user text with CR LF inside as one harmless line', async () => {
    const s = service();
    const peer = await IrcPeer.connect(ircd, 'peer1');
    peers.push(peer);
    connect(s, 'carol');
    await nextEvent((e) => e.type === 'connected');
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['CAP END'] });
    await nextEvent(lineEvent(/ 001 carol /));
    // The inbox schema refuses such lines; this is the guard behind it, next to the socket.
    const sneaky = 'PRIVMSG peer1 :hi\r\nQUIT :gotcha\0NICK evil';
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: [sneaky, 'PRIVMSG peer1 :still here'] });
    await peer.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === 'still here');
    expect(peer.received('PRIVMSG').map((l) => l.params[1])).toEqual(['hi  QUIT :gotcha NICK evil', 'still here']);
    expect(peer.received('QUIT')).toEqual([]);
    expect(peer.received('NICK')).toEqual([]);
  });

  it('holds lines back to the flood rate after the burst, in order', async () => {
    const s = service({ IRC_FLOOD_BURST: 2, IRC_FLOOD_INTERVAL_MS: 20 });
    const peer = await IrcPeer.connect(ircd, 'peer2');
    peers.push(peer);
    connect(s, 'dave');
    await nextEvent((e) => e.type === 'connected');
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['CAP END'] });
    await nextEvent(lineEvent(/ 001 dave /));
    const texts = Array.from({ length: 12 }, (_, i) => `line ${i}`);
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: texts.map((t) => `PRIVMSG peer2 :${t}`) });
    await peer.waitFor((l) => l.params[1] === 'line 11');
    expect(peer.received('PRIVMSG').map((l) => l.params[1])).toEqual(texts);
  });

  it('confirms a write with a wseq once the server has answered the PING after it, and never one the flood control still held when the link closed', async () => {
    const s = service({ IRC_FLOOD_BURST: 2, IRC_FLOOD_INTERVAL_MS: 60_000 });
    const peer = await IrcPeer.connect(ircd, 'peer5');
    peers.push(peer);
    connect(s, 'gina');
    await nextEvent((e) => e.type === 'connected');
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['CAP END'] });
    await nextEvent(lineEvent(/ 001 gina /));
    // Two tokens, refilled over a minute: CAP END and the first message go now, the second waits.
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['PRIVMSG peer5 :first'], wseq: 4 });
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['PRIVMSG peer5 :second'], wseq: 5 });
    s.disconnect({ v: 1, type: 'disconnect', userId: 7, network: 'test', reason: 'bye' });
    await nextEvent((e) => e.type === 'disconnected');
    const rest = (await redis.space.redis.lrange(inbox('ircparser'), 0, -1)).reverse().map((r) => JSON.parse(r) as Event);
    const sent = [...events, ...rest].filter((e) => e.type === 'sent').map((e) => e.wseq);
    // Only what the server answered for is confirmed (the PING behind wseq 4 came back before the
    // QUIT closed the link); wseq 5 never left the flood queue: irc-parser sends it again after a reconnect.
    expect(sent).toEqual([4]);
    expect(peer.received('PRIVMSG').map((l) => l.params[1])).not.toContain('second');
  });

  it('confirms each write with a wseq, in order, and no write without one', async () => {
    const s = service({ IRC_FLOOD_BURST: 2, IRC_FLOOD_INTERVAL_MS: 10 });
    const peer = await IrcPeer.connect(ircd, 'peer6');
    peers.push(peer);
    connect(s, 'hank');
    await nextEvent((e) => e.type === 'connected');
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['CAP END'] });
    await nextEvent(lineEvent(/ 001 hank /));
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['PRIVMSG peer6 :a', 'PRIVMSG peer6 :b', 'PRIVMSG peer6 :c'], wseq: 1 });
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['PRIVMSG peer6 :d'] });
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['PRIVMSG peer6 :e', 'PRIVMSG peer6 :f'], wseq: 2 });
    expect(await nextEvent((e) => e.type === 'sent')).toMatchObject({ userId: 7, network: 'test', wseq: 1 });
    expect(await nextEvent((e) => e.type === 'sent')).toMatchObject({ wseq: 2 });
    await peer.waitFor((l) => l.params[1] === 'f');
    expect(peer.received('PRIVMSG').map((l) => l.params[1])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('reports writes and disconnects for connections it does not hold, and a QUIT closes with the reason', async () => {
    const s = service();
    s.write({ v: 1, type: 'write', userId: 8, network: 'test', lines: ['PRIVMSG x :y'] });
    expect(await nextEvent((e) => e.type === 'noconnection')).toMatchObject({ userId: 8, network: 'test' });
    const peer = await IrcPeer.connect(ircd, 'peer3');
    peers.push(peer);
    peer.send('JOIN #quit');
    await peer.waitFor((l) => l.command === '366');
    connect(s, 'erin');
    await nextEvent((e) => e.type === 'connected');
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['CAP END', 'JOIN #quit'] });
    await peer.waitFor((l) => l.command === 'JOIN' && l.nick === 'erin');
    s.disconnect({ v: 1, type: 'disconnect', userId: 7, network: 'test', reason: 'see you' });
    const quit = await peer.waitFor((l) => l.command === 'QUIT' && l.nick === 'erin');
    expect(quit.params[0]).toContain('see you');
    expect(await nextEvent((e) => e.type === 'disconnected')).toMatchObject({ userId: 7, network: 'test' });
    expect(s.size).toBe(0);
  });

  it('says QUIT with the configured reason when the process stops', async () => {
    const s = service({ IRC_QUIT_REASON: 'deploying v2' });
    const peer = await IrcPeer.connect(ircd, 'peer4');
    peers.push(peer);
    peer.send('JOIN #stop');
    await peer.waitFor((l) => l.command === '366');
    connect(s, 'frank');
    await nextEvent((e) => e.type === 'connected');
    s.write({ v: 1, type: 'write', userId: 7, network: 'test', lines: ['CAP END', 'JOIN #stop'] });
    await peer.waitFor((l) => l.command === 'JOIN' && l.nick === 'frank');
    await s.beforeApplicationShutdown();
    expect((await peer.waitFor((l) => l.command === 'QUIT' && l.nick === 'frank')).params[0]).toContain('deploying v2');
  });

  it('reports the server going away, with the reason', async () => {
    const s = service();
    connect(s, 'gina');
    await nextEvent((e) => e.type === 'connected');
    await ircd.stop();
    const gone = await nextEvent((e) => e.type === 'disconnected');
    expect(gone).toMatchObject({ userId: 7, network: 'test', reason: expect.any(String) as string });
    await ircd.run();
  });
});
