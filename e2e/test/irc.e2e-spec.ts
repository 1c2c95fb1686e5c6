import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParleyClient } from '@parley/client';
import { objectHash, objectValue } from '@parley/key-schema';
import type { SequencedNotification } from '@parley/protocol';
import { type Collector, eventually, IrcPeer, type KeySpace, type RedisTier, startTestRedis, TestIrcServer } from '@parley/testing';
import { appStarter, connectedSession, drained, ofType, ok, registerUser, testnetEnv, waitFor } from './apps';

/**
 * IRC through every hop: real socket.io clients → gateway → irc-parser → connection-manager → a
 * real ngircd, with a raw IRC user (IrcPeer) on the other side.
 */
describe('IRC (gateway + irc-parser + connection-manager as processes, real ngircd)', () => {
  let redis: RedisTier;
  let space: KeySpace;
  let ircd: TestIrcServer;
  let dir: string;
  const clients: ParleyClient[] = [];
  const peers: IrcPeer[] = [];
  let url = '';
  let n = 0;

  const { apps, start } = appStarter(() => space.url, { LOGIN_LIMIT_PER_IP: '100000' });
  let env: ReturnType<typeof testnetEnv>;
  const ircParserEnv = () => ({ ...env.ircParser, INBOX_CONSUMER_NAME: 'irc-e2e' });
  const cmEnv = () => ({ ...env.connectionManager, INBOX_CONSUMER_NAME: 'cm-e2e' });

  beforeAll(async () => {
    redis = await startTestRedis();
    space = await redis.keySpace();
    ircd = await TestIrcServer.start();
    dir = mkdtempSync(join(tmpdir(), 'parley-irc-e2e-'));
    env = testnetEnv(dir, ircd);
    url = `http://127.0.0.1:${(await start('gateway', { REQUEST_TIMEOUT_MS: '60000' })).port}`;
    await start('irc-parser', ircParserEnv());
    await start('connection-manager', cmEnv());
  });

  afterAll(async () => {
    if (process.env.PARLEY_E2E_LOGS) for (const a of apps.values()) console.log(a.name, a.proc.lines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(0, 8).join('\n'));
    for (const c of clients) c.socket.disconnect();
    for (const p of peers) p.close();
    await Promise.all([...apps.values()].map((a) => a.proc.kill('SIGKILL')));
    await ircd.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  interface User {
    nick: string;
    c: ParleyClient;
    seen: Collector<SequencedNotification>;
  }

  async function user(prefix: string): Promise<User> {
    return named(`${prefix}${++n}`);
  }

  async function named(nick: string): Promise<User> {
    const { c, seen } = await connectedSession(url, (await registerUser(url, nick)).token);
    clients.push(c);
    return { nick, c, seen };
  }

  async function peer(prefix: string): Promise<IrcPeer> {
    const p = await IrcPeer.connect(ircd, `${prefix}${++n}`);
    peers.push(p);
    return p;
  }

  const messagesIn = (u: User, windowId: number, cat = 'msg') => ofType(u, 'ADD_MESSAGE').filter((m) => m.windowId === windowId && m.cat === cat);
  const connectedAs = (u: User, nick?: string) =>
    waitFor(u, 'UPDATE_NETWORKS', (x) => x.networks.some((net) => net.name === 'testnet' && net.state === 'connected' && (nick === undefined || net.currentNick === nick)));
  let channels = 0;
  const channel = () => `#chan${++channels}`;

  /** A Parley user in a channel that a peer (its operator) opened first. */
  async function inChannel(prefix = 'alice') {
    const op = await peer('op');
    const name = channel();
    op.send(`JOIN ${name}`);
    await op.waitFor((l) => l.command === '366');
    const u = await user(prefix);
    const { windowId } = ok(await u.c.request({ id: 'JOIN', network: 'testnet', name }));
    await connectedAs(u);
    await op.waitFor((l) => l.command === 'JOIN' && l.nick === u.nick);
    await waitFor(u, 'UPDATE_MEMBERS', (m) => m.windowId === windowId && m.reset === true && m.members.some((x) => x.nick === op.nick));
    return { u, op, name, windowId };
  }

  it('joins a channel with its member roles; messages, actions and topics go both ways', async () => {
    const { u, op, name, windowId } = await inChannel();
    const members = ofType(u, 'UPDATE_MEMBERS').filter((m) => m.windowId === windowId && m.reset).at(-1)!.members;
    expect(members).toEqual(expect.arrayContaining([{ nick: op.nick, role: '@' }, { nick: u.nick, role: 'u' }]));
    expect(ofType(u, 'ADD_WINDOW').find((w) => w.windowId === windowId)).toMatchObject({ network: 'testnet', name, windowType: 'group' });

    op.send(`PRIVMSG ${name} :hello from IRC`);
    expect(await waitFor(u, 'ADD_MESSAGE', (m) => m.windowId === windowId && m.body === 'hello from IRC')).toMatchObject({ cat: 'msg', nick: op.nick });

    const sent = ok(await u.c.request({ id: 'SEND', windowId, text: 'hello from Parley', clientMsgId: 'i-1' }));
    expect(sent.gid).toBeGreaterThan(0);
    // READ moves the window's watermark; the user's other sessions hear of it.
    const other = { nick: u.nick, ...(await connectedSession(url, u.c.token!)) };
    clients.push(other.c);
    await drained(space, other.c);
    ok(await u.c.request({ id: 'READ', windowId, gid: sent.gid }));
    await waitFor(other, 'UPDATE_WINDOW', (w) => w.windowId === windowId && w.readGid === sent.gid);
    expect(await u.c.request({ id: 'READ', windowId, gid: sent.gid + 100 })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect((await op.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === 'hello from Parley')).nick).toBe(u.nick);

    ok(await u.c.request({ id: 'COMMAND', windowId, command: 'me', params: 'waves' }));
    await op.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === '\x01ACTION waves\x01');
    op.send(`PRIVMSG ${name} :\x01ACTION waves back\x01`);
    expect(await waitFor(u, 'ADD_MESSAGE', (m) => m.windowId === windowId && m.cat === 'action')).toMatchObject({ body: 'waves back', nick: op.nick });

    op.send(`TOPIC ${name} :tea at five`);
    await waitFor(u, 'UPDATE_WINDOW', (w) => w.windowId === windowId && w.topic === 'tea at five');
    ok(await u.c.request({ id: 'UPDATE_TOPIC', windowId, topic: 'tea at six' }));
    await waitFor(u, 'UPDATE_WINDOW', (w) => w.windowId === windowId && w.topic === 'tea at six');
    // With +t only operators may set it: the server says no, and it is said in the server window.
    op.send(`MODE ${name} +t`);
    await waitFor(u, 'ADD_MESSAGE', (m) => m.windowId === windowId && m.body === `${op.nick} sets mode +t`);
    ok(await u.c.request({ id: 'UPDATE_TOPIC', windowId, topic: 'tea at seven' }));
    await waitFor(u, 'ADD_MESSAGE', (m) => m.cat === 'error' && m.body.includes(name));

    // A user text with CR LF inside is one harmless line.
    ok(await u.c.request({ id: 'SEND', windowId, text: 'one\r\nQUIT :bye', clientMsgId: 'i-2' }));
    expect((await op.waitFor((l) => l.command === 'PRIVMSG' && l.params[1]!.startsWith('one'))).params[1]).toBe('one QUIT :bye');
    expect(op.received('QUIT').filter((l) => l.nick === u.nick)).toEqual([]);

    // FETCH pages the window's history.
    const page = ok(await u.c.request({ id: 'FETCH', windowId, limit: 50 }));
    expect(page.messages.map((m) => m.body)).toEqual(expect.arrayContaining(['hello from IRC', 'hello from Parley', 'waves back']));
  });

  it('sends a SEND retried from another session with the same clientMsgId to the network once, with the first gid', async () => {
    const { u, op, windowId } = await inChannel();
    const first = ok(await u.c.request({ id: 'SEND', windowId, text: 'only once', clientMsgId: 'once-1' }));
    // The page reloaded before the answer came: a new session sends it again.
    const other = { nick: u.nick, ...(await connectedSession(url, u.c.token!)) };
    clients.push(other.c);
    const again = ok(await other.c.request({ id: 'SEND', windowId, text: 'only once', clientMsgId: 'once-1' }));
    expect(again).toEqual(first);
    ok(await other.c.request({ id: 'SEND', windowId, text: 'after it', clientMsgId: 'once-2' }));
    // The server handles a client's lines in order: once the later one is there, a second copy would be too.
    await op.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === 'after it');
    expect(op.received('PRIVMSG').filter((l) => l.nick === u.nick).map((l) => l.params[1])).toEqual(['only once', 'after it']);
    const page = ok(await u.c.request({ id: 'FETCH', windowId, limit: 50 }));
    expect(page.messages.filter((m) => m.body === 'only once').map((m) => m.gid)).toEqual([first.gid]);
  });

  it('follows kicks and nick changes, and opens a query for a private message', async () => {
    const { u, op, name, windowId } = await inChannel('bob');
    const other = await peer('carl');
    other.send(`JOIN ${name}`);
    await waitFor(u, 'UPDATE_MEMBERS', (m) => m.windowId === windowId && m.members.some((x) => x.nick === other.nick));
    other.send(`NICK ${other.nick}x`);
    await waitFor(u, 'ADD_MESSAGE', (m) => m.windowId === windowId && m.body === `${other.nick} is now known as ${other.nick}x`);
    await waitFor(u, 'UPDATE_MEMBERS', (m) => m.windowId === windowId && m.members.some((x) => x.nick === `${other.nick}x`));

    op.send(`PRIVMSG ${u.nick} :psst`);
    const query = await waitFor(u, 'ADD_WINDOW', (w) => w.windowType === '1on1' && w.name === op.nick);
    await waitFor(u, 'ADD_MESSAGE', (m) => m.windowId === query.windowId && m.body === 'psst');
    ok(await u.c.request({ id: 'SEND', windowId: query.windowId, text: 'what?', clientMsgId: 'q-1' }));
    await op.waitFor((l) => l.command === 'PRIVMSG' && l.nick === u.nick && l.params[0] === op.nick && l.params[1] === 'what?');

    op.send(`MODE ${name} +v ${u.nick}`);
    await waitFor(u, 'UPDATE_MEMBERS', (m) => m.windowId === windowId && m.members.some((x) => x.nick === u.nick && x.role === '+'));
    op.send(`KICK ${name} ${u.nick} :out`);
    await waitFor(u, 'ADD_MESSAGE', (m) => m.windowId === windowId && m.cat === 'kick' && m.body.includes('out'));
  });

  it('takes another nick when its own is taken, and forgets a channel it cannot join', async () => {
    const squatter = await IrcPeer.connect(ircd, 'dora99');
    peers.push(squatter);
    const keyed = await peer('keeper');
    const locked = channel();
    keyed.send(`JOIN ${locked}`);
    await keyed.waitFor((l) => l.command === '366');
    keyed.send(`MODE ${locked} +k sekrit`);
    await keyed.waitFor((l) => l.command === 'MODE');

    const dora = await named('dora99');
    const { windowId } = ok(await dora.c.request({ id: 'JOIN', network: 'testnet', name: locked }));
    await connectedAs(dora, 'dora99_');
    await waitFor(dora, 'DELETE_WINDOW', (w) => w.windowId === windowId);
    await waitFor(dora, 'ADD_MESSAGE', (m) => m.cat === 'error' && m.body.includes(`Cannot join ${locked}`));
  });

  it('loses and repeats nothing when irc-parser is killed and restarted mid-conversation; the peer sees no QUIT', async () => {
    const { u, op, name, windowId } = await inChannel('erin');
    const total = 60;
    for (let i = 0; i < 20; i++) op.send(`PRIVMSG ${name} :m${i}`);
    await waitFor(u, 'ADD_MESSAGE', (m) => m.windowId === windowId && m.body === 'm0');
    await apps.get('irc-parser')!.proc.kill('SIGKILL');
    for (let i = 20; i < total; i++) op.send(`PRIVMSG ${name} :m${i}`);
    await start('irc-parser', ircParserEnv());
    await eventually(() => messagesIn(u, windowId).filter((m) => m.nick === op.nick), (ms) => ms.length >= total, 'every message');
    expect(messagesIn(u, windowId).filter((m) => m.nick === op.nick).map((m) => m.body)).toEqual(Array.from({ length: total }, (_, i) => `m${i}`));
    expect(u.c.duplicates + u.c.gaps).toBe(0);
    expect(op.received('QUIT').filter((l) => l.nick === u.nick)).toEqual([]);
  });

  it('reconnects after the IRC server restarts, backing off, and rejoins its channels', async () => {
    const { u, name, windowId } = await inChannel('fred');
    await ircd.stop();
    await waitFor(u, 'UPDATE_NETWORKS', (x) => x.networks.some((net) => net.name === 'testnet' && net.state === 'disconnected'));
    // Meanwhile a text cannot go: said so, not answered with a message id it never got.
    expect(await u.c.request({ id: 'SEND', windowId, text: 'anyone?', clientMsgId: 'off-1' })).toMatchObject({ status: 'ERROR', code: 'NOT_AVAILABLE' });
    await waitFor(u, 'ADD_MESSAGE', (m) => m.cat === 'error' && /reconnecting in/.test(m.body));
    await ircd.run();
    const watcher = await peer('watch');
    watcher.send(`JOIN ${name}`);
    // The user is back in the channel: the watcher sees it join (or finds it in NAMES).
    await watcher.waitFor((l) => (l.command === 'JOIN' && l.nick === u.nick) || (l.command === '353' && l.params[3]!.split(' ').some((x) => x.replace(/^[@+]/, '') === u.nick)));
  });

  it('reconnects every user when connection-manager restarts', async () => {
    const { u, op, name } = await inChannel('gail');
    await apps.get('connection-manager')!.proc.kill('SIGKILL');
    await op.waitFor((l) => l.command === 'QUIT' && l.nick === u.nick);
    await start('connection-manager', cmEnv());
    await op.waitFor((l) => l.command === 'JOIN' && l.nick === u.nick && l.params[0] === name && op.received('QUIT').some((q) => q.nick === u.nick));
  });
  it("follows a Network's port changed in Redis while it runs: the next connection goes there, no restart", async () => {
    const other = await TestIrcServer.start();
    try {
      // The network definitions live in the object store (seeded from IRC_NETWORKS_FILE).
      const [networkId] = await space.redis.smembers(objectValue('Network', 'name', 'testnet'));
      expect(await space.redis.hget(objectHash('Network', Number(networkId)), 'port')).toBe(String(ircd.port));
      await space.redis.hset(objectHash('Network', Number(networkId)), 'port', String(other.port));
      await apps.get('irc-parser')!.waitForLog('IRC network definition in use', { name: 'testnet', port: other.port });
      const watcher = await IrcPeer.connect(other, `watch${++n}`);
      peers.push(watcher);
      watcher.send('JOIN #moved');
      await watcher.waitFor((l) => l.command === '366');
      const u = await user('moved');
      // The user's burst lists the network (without host, port or password).
      const listed = await waitFor(u, 'NETWORK_LIST', () => true);
      expect(listed.networks).toEqual([expect.objectContaining({ name: 'testnet', tls: false })]);
      ok(await u.c.request({ id: 'JOIN', network: 'testnet', name: '#moved' }));
      await watcher.waitFor((l) => l.command === 'JOIN' && l.nick === u.nick);
      // A description given in Redis reaches the connected user's list at once.
      await space.redis.hset(objectHash('Network', Number(networkId)), 'description', 'moved for the test');
      await waitFor(u, 'NETWORK_LIST', (l) => l.networks.some((x) => x.name === 'testnet' && x.description === 'moved for the test'));
    } finally {
      const [networkId] = await space.redis.smembers(objectValue('Network', 'name', 'testnet'));
      await space.redis.hset(objectHash('Network', Number(networkId)), 'port', String(ircd.port));
      await space.redis.hdel(objectHash('Network', Number(networkId)), 'description');
      await other.close();
    }
  });
});
