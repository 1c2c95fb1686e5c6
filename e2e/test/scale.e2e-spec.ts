import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import type { SequencedNotification } from '@parley/protocol';
import { inboxOwners } from '@parley/key-schema';
import { Collector, eventually, IrcPeer, type KeySpace, type RedisTier, startTestRedis, TestIrcServer } from '@parley/testing';
import { type AppName, ofType, ok, registerUser, type RunningApp, startApp, testnetEnv } from './apps';

/**
 * The scale-out tier (issue 9): two of every app on one Redis (or, in the cluster tier, one Redis
 * Cluster), with real socket.io clients spread over both gateways and a real ngircd.
 */
describe('scale-out: two of every app on one Redis', () => {
  let redis: RedisTier;
  let space: KeySpace;
  let ircd: TestIrcServer;
  let dir: string;
  const running: RunningApp[] = [];
  const clients: ParleyClient[] = [];
  const peers: IrcPeer[] = [];
  let gateways: string[] = [];
  let n = 0;

  const instances = (name: AppName) => running.filter((a) => a.name === name);
  /** The connection-managers by consumer name. */
  const cms = new Map<string, RunningApp>();

  beforeAll(async () => {
    redis = await startTestRedis();
    space = await redis.keySpace();
    ircd = await TestIrcServer.start();
    dir = mkdtempSync(join(tmpdir(), 'parley-scale-e2e-'));
    const irc = testnetEnv(dir, ircd);
    // debug: the log lines that carry a request's trace id from the gateway to its backend.
    const base = { REDIS_URL: space.url, INBOX_BLOCK_MS: '500', LOGIN_LIMIT_PER_IP: '100000', LOG_LEVEL: 'debug' };
    const start = async (name: AppName, env: Record<string, string> = {}) => {
      const app = await startApp(name, { ...base, ...env });
      await app.waitForLog(`${name} listening`);
      running.push(app);
      return app;
    };
    for (const i of [1, 2]) {
      await start('gateway', { REQUEST_TIMEOUT_MS: '60000', SESSION_HEARTBEAT_MS: '500' });
      await start('loopback-parser', { INBOX_CONSUMER_NAME: `loopback-${i}` });
      await start('irc-parser', { ...irc.ircParser, INBOX_CONSUMER_NAME: `irc-${i}` });
      await start('im-router', { IM_EXPIRY_INTERVAL_MS: '200' });
    }
    // A connection-manager presumed dead after 1 s here (15 s by default): its users move sooner.
    for (const i of [1, 2]) cms.set(`cm-${i}`, await start('connection-manager', { ...irc.connectionManager, INBOX_CONSUMER_NAME: `cm-${i}`, INBOX_CONSUMER_TTL_MS: '1000' }));
    gateways = instances('gateway').map((g) => `http://127.0.0.1:${g.port}`);
  });

  afterAll(async () => {
    if (process.env.PARLEY_E2E_LOGS) for (const a of running) console.log(a.name, a.proc.lines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(0, 5).join('\n'));
    for (const c of clients) c.socket.disconnect();
    for (const p of peers) p.close();
    await Promise.all(running.map((a) => a.proc.kill('SIGKILL')));
    await ircd.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Session {
    userId: number;
    nick: string;
    c: ParleyClient;
    seen: Collector<SequencedNotification>;
  }

  /** A session of the user on gateway `g` (0 or 1), after its burst; `resume` takes over a session. */
  async function session(u: { nick: string; token: string }, g: number, resume?: { sessionId: string; lastSeq: number }): Promise<Session> {
    const c = new ParleyClient({ url: gateways[g]!, token: u.token, clientName: 'scale', transports: ['websocket'], ackDelayMs: 50 });
    if (resume) {
      c.sessionId = resume.sessionId;
      c.lastSeq = resume.lastSeq;
    }
    const seen = new Collector<SequencedNotification>();
    c.on('notification', seen.push);
    await c.connect();
    clients.push(c);
    if (!resume) await eventually(() => seen.items.some((i) => i.type === 'FINISH_INIT'), Boolean, 'burst');
    return { userId: c.userId!, nick: u.nick, c, seen };
  }

  async function user(prefix: string, g: number): Promise<Session & { token: string }> {
    const nick = `${prefix}${++n}`;
    const { token } = await registerUser(gateways[0]!, nick);
    const s = await session({ nick, token }, g);
    return { ...s, token: s.c.token ?? token };
  }

  const messageBodies = (s: Session, windowId: number) => ofType(s, 'ADD_MESSAGE').filter((m) => m.windowId === windowId && m.cat === 'msg').map((m) => m.body);

  /** A counter of an app's /metrics (summed over its label sets that contain `labels`). */
  async function metric(app: RunningApp, name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^(\w+)(?:\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const set: Record<string, string> = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x): [string, string] => [x[1]!, x[2]!]));
      if (Object.entries(labels).every(([k, v]) => set[k] === v)) sum += Number(m[3]);
    }
    return sum;
  }

  it("fans a room's messages out to sockets on both gateways, and to a user's sessions on both, each once", async () => {
    const alice = await user('alice', 0);
    const bob = await user('bob', 1);
    const aliceOnTwo = await session(alice, 1);
    const name = `#scale${n}`;
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    const texts = Array.from({ length: 20 }, (_, i) => `fan-out ${i}`);
    for (const [i, text] of texts.entries()) ok(await (i % 2 ? bob : alice).c.request({ id: 'SEND', windowId: i % 2 ? bw : aw, text, clientMsgId: `f-${i}` }));
    // Each sees the other's messages; alice's other session (on the other gateway) sees all 20.
    await eventually(() => messageBodies(aliceOnTwo, aw), (b) => b.length === 20, "alice's second session got all");
    expect(messageBodies(aliceOnTwo, aw)).toEqual(texts);
    await eventually(() => messageBodies(bob, bw), (b) => b.length === 10, 'bob got alice’s');
    expect(messageBodies(bob, bw)).toEqual(texts.filter((_, i) => i % 2 === 0));
    for (const s of [alice, bob, aliceOnTwo]) expect(s.c.duplicates + s.c.gaps).toBe(0);
  });

  it('resumes a session on the other gateway: what was said while its socket was away arrives once, in order', async () => {
    const alice = await user('alice', 0);
    const bob = await user('bob', 0);
    const name = `#resume${n}`;
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'before', clientMsgId: 'r-0' }));
    await eventually(() => messageBodies(bob, bw), (b) => b.length === 1, 'bob got the first');
    bob.c.ack();
    bob.c.disconnect();
    const away = Array.from({ length: 15 }, (_, i) => `while away ${i}`);
    for (const [i, text] of away.entries()) ok(await alice.c.request({ id: 'SEND', windowId: aw, text, clientMsgId: `r-${i + 1}` }));
    const moved = await session(bob, 1, { sessionId: bob.c.sessionId!, lastSeq: bob.c.lastSeq });
    expect(moved.c.sessionId).toBe(bob.c.sessionId);
    await eventually(() => messageBodies(moved, bw), (b) => b.length === away.length, 'the messages said while away');
    expect(messageBodies(moved, bw)).toEqual(away);
    expect(moved.c.duplicates + moved.c.gaps).toBe(0);
    // The session lives on the second gateway now: a new message comes there.
    ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'after', clientMsgId: 'r-99' }));
    await eventually(() => messageBodies(moved, bw), (b) => b.at(-1) === 'after', 'the next one');
  });

  it("shares the inbox between both loopback-parsers, and keeps each user's messages in order", async () => {
    const before = await Promise.all(instances('loopback-parser').map((a) => metric(a, 'parley_inbox_messages_total', { outcome: 'handled' })));
    const owner = await user('owner', 0);
    const name = `#order${n}`;
    const { windowId: ow } = ok(await owner.c.request({ id: 'CREATE', name }));
    const senders = [];
    for (let i = 0; i < 8; i++) {
      const s = await user(`sender${i}-`, i % 2);
      senders.push({ s, windowId: ok(await s.c.request({ id: 'JOIN', network: 'parley', name })).windowId });
    }
    // Every sender fires 30 SENDs at once (all in flight together), all senders together.
    const PER = 30;
    const answers = await Promise.all(senders.map(({ s, windowId }) => Promise.all(Array.from({ length: PER }, (_, k) => s.c.request({ id: 'SEND', windowId, text: `${s.nick}:${k}`, clientMsgId: `o-${k}` })))));
    for (const list of answers) {
      const gids = list.map((a) => ok(a).gid);
      // Handled in the order each user sent them: their gids rise.
      expect([...gids].sort((x, y) => x - y)).toEqual(gids);
    }
    // The owner (a member on the first gateway) sees every sender's messages in that order.
    await eventually(() => messageBodies(owner, ow), (b) => b.length === senders.length * PER, 'the owner got them all');
    const seen = messageBodies(owner, ow);
    for (const { s } of senders) expect(seen.filter((b) => b.startsWith(`${s.nick}:`))).toEqual(Array.from({ length: PER }, (_, k) => `${s.nick}:${k}`));
    // Both consumers took part.
    const after = await Promise.all(instances('loopback-parser').map((a) => metric(a, 'parley_inbox_messages_total', { outcome: 'handled' })));
    expect(after.map((x, i) => x - before[i]!).every((handled) => handled > 0)).toBe(true);
  });

  it('delivers direct messages through either im-router exactly once and in order, and runs each scheduled job once', async () => {
    const alice = await user('alice', 0);
    const bob = await user('bob', 1);
    const { windowId: aw } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    const texts = Array.from({ length: 40 }, (_, i) => `dm ${i}`);
    for (const [i, text] of texts.entries()) ok(await alice.c.request({ id: 'SEND', windowId: aw, text, clientMsgId: `d-${i}` }));
    const dms = () => ofType(bob, 'ADD_MESSAGE').filter((m) => m.cat === 'msg' && m.userId === alice.userId).map((m) => m.body);
    await eventually(dms, (b) => b.length === texts.length, 'bob got every DM');
    expect(dms()).toEqual(texts);
    expect(bob.c.duplicates + bob.c.gaps).toBe(0);
    // Both workers took jobs.
    const routers = instances('im-router');
    const done = await Promise.all(routers.map((a) => metric(a, 'parley_im_jobs_total', { outcome: 'completed' })));
    expect(done.every((k) => k > 0)).toBe(true);
    // The scheduled jobs (every 200 ms here) ran several times between them, each run on one of them only.
    const runs = () => routers.flatMap((a) => a.proc.lines.filter((l) => l.includes('"scheduled job ran"')).map((l) => JSON.parse(l) as { job: string; jobId: string }));
    await eventually(runs, (r) => r.filter((x) => x.job === 'EXPIRE_MESSAGES').length >= 4, 'several expiry runs');
    for (const job of ['EXPIRE_MESSAGES', 'CLEAN_OFFLINE']) {
      const ids = runs().filter((x) => x.job === job).map((x) => x.jobId);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it("shares the IRC inbox between both irc-parsers: a user's lines reach the channel once, in order", async () => {
    const op = await IrcPeer.connect(ircd, `op${++n}`);
    peers.push(op);
    const name = `#irc${n}`;
    op.send(`JOIN ${name}`);
    await op.waitFor((l) => l.command === '366');
    const u = await user('irc', 1);
    const { windowId } = ok(await u.c.request({ id: 'JOIN', network: 'testnet', name }));
    await op.waitFor((l) => l.command === 'JOIN' && l.nick === u.nick);
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const answers = await Promise.all(lines.map((text, i) => u.c.request({ id: 'SEND', windowId, text, clientMsgId: `i-${i}` })));
    answers.forEach(ok);
    const heard = () => op.lines.filter((l) => l.command === 'PRIVMSG' && l.nick === u.nick && l.params[0] === name).map((l) => l.params[1]);
    await eventually(heard, (h) => h.length === lines.length, 'the channel heard every line');
    expect(heard()).toEqual(lines);
    // Lines from IRC come back through either irc-parser, in order.
    for (let i = 0; i < 20; i++) op.send(`PRIVMSG ${name} :from irc ${i}`);
    const back = () => ofType(u, 'ADD_MESSAGE').filter((m) => m.windowId === windowId && m.nick === op.nick).map((m) => m.body);
    await eventually(back, (b) => b.length === 20, 'the lines from IRC');
    expect(back()).toEqual(Array.from({ length: 20 }, (_, i) => `from irc ${i}`));
    // Both consumers took part (in this suite: every new session is announced to irc-parser too).
    const handled = await Promise.all(instances('irc-parser').map((a) => metric(a, 'parley_inbox_messages_total', { outcome: 'handled' })));
    expect(handled.every((k) => k > 0)).toBe(true);
  });

  it("ties a request's log lines together: the gateway's trace id is on the line of the backend that handled it", async () => {
    const alice = await user('alice', 0);
    const bob = await user('bob', 1);
    const { windowId } = ok(await alice.c.request({ id: 'CREATE', name: `#trace${n}` }));
    ok(await alice.c.request({ id: 'SEND', windowId, text: 'traced', clientMsgId: 't-1' }));
    const { windowId: dw } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    const logs = (name: AppName) => instances(name).flatMap((a) => a.proc.lines.map((l) => JSON.parse(l) as Record<string, unknown>));
    // Alice's session sends one SEND and one CHAT here.
    const forwarded = (id: string) => logs('gateway').find((l) => l.msg === 'request forwarded' && l.sessionId === alice.c.sessionId && l.id === id);
    const send = await eventually(() => forwarded('SEND'), Boolean, 'the gateway forwarded the SEND');
    expect(send).toMatchObject({ id: 'SEND', to: 'loopbackparser', userId: alice.userId, traceId: expect.stringMatching(/^[0-9a-f]{16}$/) as string });
    const handled = await eventually(() => logs('loopback-parser').find((l) => l.msg === 'message handled' && l.traceId === send!.traceId), Boolean, 'loopback-parser logged it');
    expect(handled).toMatchObject({ inbox: 'loopbackparser', type: 'request', userId: alice.userId });
    // ... and a job of im-router the same way.
    const chat = await eventually(() => forwarded('CHAT'), Boolean, 'the gateway queued the CHAT');
    expect(chat).toMatchObject({ id: 'CHAT', to: 'CHAT' });
    await eventually(() => logs('im-router').find((l) => l.msg === 'job handled' && l.traceId === chat!.traceId), Boolean, 'im-router logged it');
    expect(dw).toBeGreaterThan(0);
  });

  it('serves on /metrics of its apps every figure the Grafana dashboard (infra/grafana) asks for', async () => {
    const dashboard = JSON.parse(readFileSync(join(__dirname, '..', '..', 'infra', 'grafana', 'parley-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const served = new Set<string>();
    for (const app of running) {
      const text = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
      for (const m of text.matchAll(/^# TYPE (\S+) /gm)) served.add(m[1]!);
    }
    const asked = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:parley|process|nodejs)_[a-z_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''))));
    expect(asked.length).toBeGreaterThan(10);
    expect([...new Set(asked)].filter((name) => !served.has(name))).toEqual([]);
    // Every app labels its figures with its name (the dashboard groups by app).
    for (const app of running) expect(await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text()).toContain(`app="${app.name}"`);
  });

  /** Users in a channel that a peer opened; resolves once the peer has seen each of them join. */
  async function ircUsers(count: number) {
    const op = await IrcPeer.connect(ircd, `op${++n}`);
    peers.push(op);
    const name = `#cm${n}`;
    op.send(`JOIN ${name}`);
    await op.waitFor((l) => l.command === '366');
    const users = [];
    for (let i = 0; i < count; i++) {
      const u = await user(`cmu${i}-`, i % 2);
      const { windowId } = ok(await u.c.request({ id: 'JOIN', network: 'testnet', name }));
      await op.waitFor((l) => l.command === 'JOIN' && l.nick === u.nick);
      users.push({ ...u, windowId });
    }
    /** The channel's members as the IRC server lists them (NAMES), each nick as often as it is there. */
    const names = async () => {
      const before = op.lines.length;
      op.send(`NAMES ${name}`);
      await op.waitFor((l) => l.command === '366' && op.lines.indexOf(l) >= before);
      return op.lines.slice(before).filter((l) => l.command === '353').flatMap((l) => l.params.at(-1)!.split(' ').filter(Boolean).map((x) => x.replace(/^[@+]/, '')));
    };
    const joins = (nick: string) => op.lines.filter((l) => l.command === 'JOIN' && l.nick === nick).length;
    const quits = (nick: string) => op.lines.filter((l) => l.command === 'QUIT' && l.nick === nick).length;
    return { op, name, users, names, joins, quits };
  }

  /** The connection-manager (consumer name) that holds each user, as the sticky inbox records it. */
  const owners = async () => Object.fromEntries(Object.entries(await space.redis.hgetall(inboxOwners('connectionmanager'))).map(([uid, v]) => [uid, v.slice(0, v.indexOf('@'))]));

  it("holds each user's IRC connection in exactly one connection-manager; the users of one that dies, or stops, move to another once", async () => {
    const { op, users, names, joins, quits } = await ircUsers(4);
    const nicks = users.map((u) => u.nick);
    const onServer = async () => (await names()).filter((x) => nicks.includes(x)).sort();
    const held = await owners();
    for (const u of users) expect(['cm-1', 'cm-2']).toContain(held[String(u.userId)]);
    // Once each on the server, and the two instances' gauges add up to every IRC user so far.
    expect(await onServer()).toEqual([...nicks].sort());
    const ircUsersSoFar = Object.keys(held).length;
    const connected = await Promise.all([...cms.values()].map((a) => metric(a, 'parley_irc_connections', { state: 'connected' })));
    expect(connected.reduce((a, b) => a + b, 0)).toBe(ircUsersSoFar);

    // SIGKILL the one holding the first user: the other takes its users over, and they reconnect after back-off.
    const victimName = held[String(users[0]!.userId)]!;
    const survivorName = victimName === 'cm-1' ? 'cm-2' : 'cm-1';
    const victim = cms.get(victimName)!;
    const moved = users.filter((u) => held[String(u.userId)] === victimName);
    await victim.proc.kill('SIGKILL');
    running.splice(running.indexOf(victim), 1);
    // Said before anyone noticed the death: answered OK, so it must reach the channel, once, after the reconnect.
    const speaker = moved[0]!;
    const said = await speaker.c.request({ id: 'SEND', windowId: speaker.windowId, text: 'said while its connection-manager lay dead', clientMsgId: 'dead-1' });
    for (const u of moved) {
      await eventually(() => joins(u.nick), (k) => k === 2, `${u.nick} joined again`);
      expect(quits(u.nick)).toBe(1);
    }
    const heard = () => op.lines.filter((l) => l.command === 'PRIVMSG' && l.nick === speaker.nick && l.params[1] === 'said while its connection-manager lay dead').length;
    // Refused (the death was already noticed) is honest too; answered OK and never delivered is not.
    if (said.status === 'OK') await eventually(heard, (k) => k >= 1, 'the line said meanwhile reached the channel');
    const now = await owners();
    for (const u of users) expect(now[String(u.userId)]).toBe(survivorName);
    // Still each exactly once; the others never moved.
    expect(await onServer()).toEqual([...nicks].sort());
    for (const u of users.filter((x) => !moved.includes(x))) expect([joins(u.nick), quits(u.nick)]).toEqual([1, 0]);
    const survivor = cms.get(survivorName)!;
    await eventually(() => metric(survivor, 'parley_irc_connections', { state: 'connected' }), (k) => k === ircUsersSoFar, 'the survivor holds them all');

    // A rolling restart: a new instance comes up, then the survivor stops (SIGTERM): each of its users moves once.
    const next = await startApp('connection-manager', { REDIS_URL: space.url, INBOX_BLOCK_MS: '500', LOG_LEVEL: 'debug', ...testnetEnv(dir, ircd).connectionManager, INBOX_CONSUMER_NAME: 'cm-3', INBOX_CONSUMER_TTL_MS: '1000' });
    await next.waitForLog('connection-manager listening');
    running.push(next);
    cms.set('cm-3', next);
    const before = Object.fromEntries(users.map((u) => [u.nick, joins(u.nick)]));
    await survivor.proc.kill('SIGTERM');
    running.splice(running.indexOf(survivor), 1);
    for (const u of users) await eventually(() => joins(u.nick), (k) => k === before[u.nick]! + 1, `${u.nick} moved once`);
    const after = await owners();
    for (const u of users) expect(after[String(u.userId)]).toBe('cm-3');
    expect(await onServer()).toEqual([...nicks].sort());
    await eventually(() => metric(next, 'parley_irc_connections', { state: 'connected' }), (k) => k === ircUsersSoFar, 'the new instance holds them all');
    // Confirmed once written: neither reconnect sent it again.
    expect(heard()).toBe(said.status === 'OK' ? 1 : 0);
  });
});
