/**
 * The chaos suite (issue 9): the whole system under a steady load of room messages, direct
 * messages and IRC lines both ways, from real socket.io clients and a raw IRC peer, while each app
 * in turn is SIGKILLed and started again, and Redis is restarted (AOF, everysec); then checks at
 * the clients that every message that got a gid reached every recipient exactly once and in order,
 * that killing the apps other than connection-manager never dropped the IRC socket, and how long
 * each stream took to move again. Then fuzzing: malformed socket.io payloads, malformed IRC lines
 * from a hostile IRC server, malformed HTTP bodies — none may crash an app, each is answered with
 * an error or handled and logged.
 *
 * `npm run chaos` runs it in full and writes its report (e2e/chaos-results/); the e2e tier runs a
 * short form (chaos.e2e-spec.ts). No sleeps: the load is closed-loop (each sender sends its next
 * message when the last was answered), and each phase waits for progress, not for time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket as NetSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import { inbox, inboxConsumers, inboxHandoff, inboxProcessing, objectHash, objectId, windowMsgs } from '@parley/key-schema';
import type { SequencedNotification } from '@parley/protocol';
import { Collector, eventually, freePort, IrcPeer, TestIrcServer, TestRedis, type TestKeySpace } from '@parley/testing';
import { type AppName, ofType, ok, registerUser, type RunningApp, startApp, testnetEnv } from '../apps';

export interface ChaosOptions {
  /** Messages each stream must get through between two faults (and before the first). */
  perPhase: number;
  fuzz: { socket: number; irc: number; http: number };
}

export interface StreamResult {
  stream: string;
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /**
   * IRC in only: lines that never reached Parley, so never got a gid, and are not counted as lost.
   * `offNetwork`: said while the user's IRC connection was down (IRC keeps nothing for an absent
   * nick). `diedWithSocket`: said before connection-manager's SIGKILL and not yet at the user then —
   * in the IRC server's send queue to the dying socket, in its kernel buffer, or read by the process
   * but not yet pushed to Redis; plain IRC has no way to ask for them again.
   */
  notReceived?: { offNetwork: number; diedWithSocket: number };
  /**
   * IRC out only: second copies that are the lines on the wire when connection-manager was
   * SIGKILLed — the tail the channel saw before dave's QUIT, sent again, in order, right after the
   * reconnect (the server may have handled a line it never confirmed; plain IRC cannot tell).
   * Not counted in `duplicated` or `outOfOrder`; any other second copy is.
   */
  resentAfterReconnect?: number;
}

export interface FaultResult {
  fault: string;
  /** ms from the fault until each stream had moved again (a message answered and delivered). */
  recoveryMs: Record<string, number>;
  /** The IRC user's socket was dropped during this fault (only connection-manager's may). */
  ircSocketDropped: boolean;
}

export interface FuzzResult {
  kind: string;
  sent: number;
  answeredWithError: number;
  /** Handled by the app (parsed and dealt with, or dead-lettered with a reason). */
  handledOrLogged: number;
  appsAlive: boolean;
}

export interface ChaosReport {
  at: string;
  options: ChaosOptions;
  /** Requests answered with an error during the faults (sent again by the load, with the same clientMsgId). */
  refused: { stream: string; code: string; message: string }[];
  streams: StreamResult[];
  faults: FaultResult[];
  fuzz: FuzzResult[];
  durationMs: number;
}

/** `eventually`, saying now and then what it waits for and what it sees (a stuck run tells where). */
function waiting(log: (line: string) => void, onStuck: () => void) {
  return <T>(read: () => Promise<T> | T, predicate: (value: T) => boolean, what: string): Promise<T> => {
    let polls = 0;
    return eventually(read, (v) => {
      if (++polls % 50_000 === 0) {
        log(`still waiting: ${what}; now ${JSON.stringify(v)}`);
        if (polls === 50_000) onStuck();
      }
      return predicate(v);
    }, what);
  };
}

/** The stream of the raw IRC peer's lines to the Parley user. */
export const IRC_IN = 'IRC line in (peer → dave)';

const APP_ORDER: readonly AppName[] = ['gateway', 'loopback-parser', 'irc-parser', 'im-router', 'connection-manager'];

interface Watched {
  nick: string;
  c: ParleyClient;
  seen: Collector<SequencedNotification>;
}

/** Runs the whole scenario; resolves with the report (it throws only if the stack cannot start). */
export async function runChaos(options: ChaosOptions, log: (line: string) => void = () => undefined): Promise<ChaosReport> {
  const started = Date.now();
  // Stuck somewhere: the apps' latest warnings and errors say where.
  const until = waiting(log, () => {
    for (const app of running.values()) {
      log(`${app.name}: exit ${app.proc.proc.exitCode ?? app.proc.proc.signalCode ?? 'running'}, ${app.proc.lines.length} lines`);
      void fetch(`http://127.0.0.1:${portOf(app)}/readyz`).then(
        async (r) => log(`${app.name} /readyz ${r.status} ${(await r.text()).slice(0, 300)}`),
        (err: unknown) => log(`${app.name} /readyz failed: ${String(err)}`),
      );
      for (const l of app.proc.lines.filter((x) => /"level":(40|50|60)|"level":"(warn|error|fatal)"/.test(x)).slice(-6)) log(`${app.name}: ${l.slice(0, 400)}`);
    }
  });
  const redis = await TestRedis.start({ args: ['--appendonly', 'yes', '--appendfsync', 'everysec'] });
  const space: TestKeySpace = await redis.keySpace();
  const ircd = await TestIrcServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'parley-chaos-'));
  const irc = testnetEnv(dir, ircd);
  const running = new Map<AppName, RunningApp>();
  const clients: ParleyClient[] = [];
  const peers: IrcPeer[] = [];
  const gatewayPort = await freePort();
  /** Where an app serves HTTP (the gateway keeps one port across restarts, so clients find it again). */
  const portOf = (app: RunningApp) => (app.name === 'gateway' ? gatewayPort : app.port);
  const envOf = (name: AppName): Record<string, string> => {
    const base = { REDIS_URL: space.url, INBOX_BLOCK_MS: '500', LOGIN_LIMIT_PER_IP: '1000000', INBOX_CONSUMER_NAME: `${name}-chaos` };
    if (name === 'gateway') return { ...base, GATEWAY_PORT: String(gatewayPort), REQUEST_TIMEOUT_MS: '120000', SESSION_HEARTBEAT_MS: '500' };
    if (name === 'irc-parser') return { ...base, ...irc.ircParser };
    if (name === 'connection-manager') return { ...base, ...irc.connectionManager };
    if (name === 'im-router') return { ...base, IM_JOB_LOCK_MS: '1500' };
    return base;
  };
  const start = async (name: AppName) => {
    const app = await startApp(name, envOf(name));
    await app.waitForLog(`${name} listening`);
    running.set(name, app);
    return app;
  };
  try {
    for (const name of APP_ORDER) await start(name);
    const url = `http://127.0.0.1:${gatewayPort}`;
    let n = 0;
    const user = async (prefix: string): Promise<Watched & { userId: number }> => {
      const nick = `${prefix}${++n}`;
      const { userId, token } = await registerUser(url, nick);
      const c = new ParleyClient({ url, token, clientName: 'chaos', transports: ['websocket'], ackDelayMs: 50 });
      const seen = new Collector<SequencedNotification>();
      c.on('notification', seen.push);
      await c.connect();
      clients.push(c);
      await eventually(() => seen.items.some((i) => i.type === 'FINISH_INIT'), Boolean, 'burst');
      return { nick, c, seen, userId };
    };

    // ---- the load: a room, a direct conversation, an IRC channel both ways --------------------
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    const dave = await user('dave');
    const { windowId: aliceRoom } = ok(await alice.c.request({ id: 'CREATE', name: '#chaos' }));
    const { windowId: bobRoom } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name: '#chaos' }));
    const { windowId: aliceDm } = ok(await alice.c.request({ id: 'CHAT', userId: carol.userId }));
    const peer = await IrcPeer.connect(ircd, 'peer');
    peers.push(peer);
    peer.send('JOIN #chaos');
    await peer.waitFor((l) => l.command === '366');
    const { windowId: daveChan } = ok(await dave.c.request({ id: 'JOIN', network: 'testnet', name: '#chaos' }));
    await peer.waitFor((l) => l.command === 'JOIN' && l.nick === dave.nick);

    const acked = { room: [] as number[], dm: [] as number[], ircOut: [] as string[] };
    /** Requests answered with an error (a user would send them again, and so does the lane: same clientMsgId). */
    const refused: { stream: string; code: string; message: string }[] = [];
    let ircInSent = 0;
    let stopping = false;
    type Answer = { status: 'OK'; gid?: number } | { status: 'ERROR'; code: string; message: string };
    const lane = async (stream: string, send: (k: number) => Promise<Answer>, done: (k: number, answer: { gid?: number }) => void) => {
      for (let k = 0; !stopping; ) {
        const answer = await send(k);
        if (answer.status === 'OK') done(k++, answer);
        else refused.push({ stream, code: answer.code, message: answer.message });
      }
    };
    const lanes = Promise.all([
      lane(
        'room',
        (k) => alice.c.request({ id: 'SEND', windowId: aliceRoom, text: `room ${k}`, clientMsgId: `r-${k}` }),
        (_k, a) => {
          acked.room.push(a.gid!);
          // The peer says a line each time the room moves: IRC lines keep coming during IRC-side faults.
          peer.send(`PRIVMSG #chaos :in ${ircInSent++}`);
        },
      ),
      lane('dm', (k) => alice.c.request({ id: 'SEND', windowId: aliceDm, text: `dm ${k}`, clientMsgId: `d-${k}` }), (_k, a) => void acked.dm.push(a.gid!)),
      lane('ircOut', (k) => dave.c.request({ id: 'SEND', windowId: daveChan, text: `out ${k}`, clientMsgId: `o-${k}` }), (k) => void acked.ircOut.push(`out ${k}`)),
    ]);
    const roomGot = () => ofType(bob, 'ADD_MESSAGE').filter((m) => m.windowId === bobRoom && m.cat === 'msg');
    const dmGot = () => ofType(carol, 'ADD_MESSAGE').filter((m) => m.cat === 'msg' && m.userId === alice.userId);
    const outGot = () => peer.lines.filter((l) => l.command === 'PRIVMSG' && l.nick === dave.nick && l.params[0] === '#chaos').map((l) => l.params[1]!);
    /**
     * dave's lines in the channel with, at each of his reconnects, the block sent again taken out:
     * the longest tail before his QUIT that the lines after it start with.
     */
    const outWithoutResent = (): { got: string[]; resent: number } => {
      const segments: string[][] = [[]];
      for (const l of peer.lines) {
        if (l.nick !== dave.nick) continue;
        if (l.command === 'QUIT') segments.push([]);
        else if (l.command === 'PRIVMSG' && l.params[0] === '#chaos') segments.at(-1)!.push(l.params[1]!);
      }
      let resent = 0;
      for (let i = 1; i < segments.length; i++) {
        const before = segments[i - 1]!;
        const after = segments[i]!;
        let block = Math.min(before.length, after.length);
        while (block > 0 && !before.slice(before.length - block).every((line, k) => line === after[k])) block--;
        segments[i] = after.slice(block);
        resent += block;
      }
      return { got: segments.flat(), resent };
    };
    const inGot = () => ofType(dave, 'ADD_MESSAGE').filter((m) => m.windowId === daveChan && m.nick === 'peer').map((m) => m.body);
    const progress = () => ({ room: roomGot().length, dm: dmGot().length, ircOut: outGot().length, ircIn: inGot().length });
    /** Waits until every stream has moved `by` more messages than in `from`; returns when each did (ms after `t0`). */
    const moved = async (from: ReturnType<typeof progress>, by: number, t0: number) => {
      const when: Record<string, number> = {};
      await until(
        () => progress(),
        (p) => {
          for (const k of Object.keys(p) as (keyof typeof p)[]) if (when[k] === undefined && p[k] >= from[k] + by) when[k] = Date.now() - t0;
          return Object.keys(when).length === 4;
        },
        `every stream moved ${by}`,
      );
      return when;
    };
    /** The peer's lines somewhere in Redis: irc-parser's inbox (waiting, handed over, being handled) or dave's window, read in one step. */
    const ircInHeldByRedis = async (): Promise<Set<string>> => {
      const consumers = await space.redis.zrange(inboxConsumers('ircparser'), '0', '-1');
      const tx = space.redis.multi().lrange(inbox('ircparser'), 0, -1);
      for (const c of consumers) tx.lrange(inboxHandoff('ircparser', c), 0, -1).lrange(inboxProcessing('ircparser', c), 0, -1);
      tx.lrange(windowMsgs(dave.userId, daveChan), 0, -1);
      const held = new Set<string>();
      for (const [err, list] of (await tx.exec()) ?? []) {
        if (err) throw err;
        for (const raw of list as string[]) for (const m of raw.matchAll(/\bin (\d+)\b/g)) held.add(`in ${m[1]}`);
      }
      return held;
    };
    const quitsOfDave = () => peer.lines.filter((l) => l.command === 'QUIT' && l.nick === dave.nick).length;

    await moved(progress(), options.perPhase, Date.now());
    log(`load running: ${JSON.stringify(progress())}`);
    const faults: FaultResult[] = [];
    // Lines the peer said while dave was off the network (connection-manager's fault): IRC does not keep them for him.
    const offNetwork = new Set<string>();
    // Lines said before connection-manager's SIGKILL that dave did not have yet: those that never come died with its socket.
    const inFlightAtKill = new Set<string>();
    for (const fault of [...APP_ORDER, 'redis'] as const) {
      const before = progress();
      const quits = quitsOfDave();
      const t0 = Date.now();
      const inBefore = ircInSent;
      if (fault === 'redis') {
        await redis.restart();
      } else {
        await running.get(fault)!.proc.kill('SIGKILL');
        if (fault === 'connection-manager') {
          // Once it is dead: what Redis holds of the peer's lines (they must all arrive), then what
          // dave has. Lines come in order; the ones after the last dave had that Redis does not
          // hold were in the server's queue, the kernel's buffer or the dead process: IRC has no
          // way to ask for them again. (An earlier gap, or one Redis held, counts as lost.)
          const held = await ircInHeldByRedis();
          const last = Math.max(-1, ...inGot().map((body) => Number(body.split(' ').at(-1))));
          for (let i = last + 1; i < inBefore; i++) if (!held.has(`in ${i}`)) inFlightAtKill.add(`in ${i}`);
        }
        running.delete(fault);
        await start(fault);
      }
      const recoveryMs = await moved(before, 1, t0);
      const dropped = quitsOfDave() > quits;
      if (dropped) {
        // Dave rejoins after back-off; what the peer said until then did not reach him.
        await peer.waitFor((l) => l.command === 'JOIN' && l.nick === dave.nick && peer.lines.indexOf(l) > peer.lines.findIndex((q) => q.command === 'QUIT' && q.nick === dave.nick));
        for (let i = inBefore; i < ircInSent; i++) if (!inGot().includes(`in ${i}`)) offNetwork.add(`in ${i}`);
      }
      faults.push({ fault: fault === 'redis' ? 'redis restart (AOF everysec)' : `SIGKILL ${fault}`, recoveryMs, ircSocketDropped: dropped });
      log(`${fault}: recovered ${JSON.stringify(recoveryMs)}${dropped ? ' (IRC socket dropped)' : ''}`);
      await moved(progress(), options.perPhase, Date.now());
    }
    stopping = true;
    log('stopping the load');
    await lanes;
    // Everything answered arrives, however long the last faults delayed it.
    log(`load stopped: ${JSON.stringify(progress())}, answered ${JSON.stringify({ room: acked.room.length, dm: acked.dm.length, ircOut: acked.ircOut.length, ircIn: ircInSent })}`);
    // Each one answered, by name (a count would let a doubled line stand in for a late one).
    const stillMissing = () => {
      const have = { room: new Set(roomGot().map((m) => m.gid)), dm: new Set(dmGot().map((m) => m.gid)), ircOut: new Set(outGot()) };
      return { room: acked.room.filter((g) => !have.room.has(g)).length, dm: acked.dm.filter((g) => !have.dm.has(g)).length, ircOut: acked.ircOut.filter((l) => !have.ircOut.has(l)).length };
    };
    await until(stillMissing, (m) => m.room + m.dm + m.ircOut === 0, 'the last messages delivered');
    const lastIn = `in ${ircInSent - 1}`;
    await until(() => inGot().length, () => inGot().includes(lastIn), 'the last IRC line');

    const check = (stream: string, sent: readonly (number | string)[], got: readonly (number | string)[], order: (a: number | string, b: number | string) => number): StreamResult => {
      const counts = new Map<number | string, number>();
      for (const g of got) counts.set(g, (counts.get(g) ?? 0) + 1);
      const missing = sent.filter((s) => !counts.has(s)).map(String);
      const duplicated = [...counts.values()].reduce((k, c) => k + c - 1, 0);
      let outOfOrder = 0;
      for (let i = 1; i < got.length; i++) if (order(got[i - 1]!, got[i]!) >= 0) outOfOrder++;
      const result = { stream, sent: sent.length, delivered: got.length, lost: missing.length, duplicated, outOfOrder };
      if (stream !== IRC_IN) return result;
      const off = missing.filter((m) => offNetwork.has(m)).length;
      const died = missing.filter((m) => !offNetwork.has(m) && inFlightAtKill.has(m)).length;
      return { ...result, lost: missing.length - off - died, notReceived: { offNetwork: off, diedWithSocket: died } };
    };
    const byNumber = (a: number | string, b: number | string) => Number(String(a).split(' ').at(-1)) - Number(String(b).split(' ').at(-1));
    const ircOut = outWithoutResent();
    const streams = [
      check('room message (alice → bob)', acked.room, roomGot().map((m) => m.gid), (a, b) => Number(a) - Number(b)),
      check('direct message (alice → carol)', acked.dm, dmGot().map((m) => m.gid), (a, b) => Number(a) - Number(b)),
      { ...check('IRC line out (dave → #chaos)', acked.ircOut, ircOut.got, byNumber), resentAfterReconnect: ircOut.resent },
      check(IRC_IN, Array.from({ length: ircInSent }, (_, i) => `in ${i}`), inGot(), byNumber),
    ];
    for (const w of [alice, bob, carol, dave]) {
      if (w.c.duplicates + w.c.gaps > 0) streams.push({ stream: `${w.nick}'s notifications`, sent: 0, delivered: 0, lost: w.c.gaps, duplicated: w.c.duplicates, outOfOrder: 0 });
    }
    log(`streams: ${JSON.stringify(streams)}`);

    const fuzz = [
      await fuzzSocket(await user('fuzzer'), options.fuzz.socket),
      await fuzzIrc(space, running, options.fuzz.irc, user, portOf),
      await fuzzHttp(url, options.fuzz.http),
    ];
    const alive = await appsAlive(running, portOf);
    for (const f of fuzz) f.appsAlive = f.appsAlive && alive;
    log(`fuzz: ${JSON.stringify(fuzz)}`);
    return { at: new Date().toISOString(), options, refused, streams, faults, fuzz, durationMs: Date.now() - started };
  } finally {
    for (const c of clients) c.socket.disconnect();
    for (const p of peers) p.close();
    await Promise.all([...running.values()].map((a) => a.proc.kill('SIGKILL')));
    await ircd.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every app still runs and answers /healthz. */
async function appsAlive(running: Map<AppName, RunningApp>, portOf: (app: RunningApp) => number): Promise<boolean> {
  for (const app of running.values()) {
    if (app.proc.proc.exitCode !== null || app.proc.proc.signalCode !== null) return false;
    const health = await fetch(`http://127.0.0.1:${portOf(app)}/healthz`).catch(() => undefined);
    if (health?.status !== 200) return false;
  }
  return true;
}

/** A deterministic generator (the same junk on every run, so a failure can be replayed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A malformed value of some kind for a socket.io `req` payload. */
function junkPayload(rnd: () => number, i: number): unknown {
  const kinds: (() => unknown)[] = [
    () => null,
    () => i,
    () => 'x'.repeat(Math.floor(rnd() * 2000)),
    () => [i, 'req', { seq: i }],
    () => ({}),
    () => ({ seq: -i }),
    () => ({ seq: 1.5, id: 'SEND' }),
    () => ({ seq: 'one', id: 'SEND' }),
    () => ({ seq: i + 1_000_000, id: 'NOPE' }),
    () => ({ seq: i + 1_000_000, id: 'SEND', windowId: 'w', text: 42 }),
    () => ({ seq: i + 1_000_000, id: 'JOIN', network: 'parley', name: 'no-hash' }),
    () => ({ seq: i + 1_000_000, id: 'SEND', windowId: 1, text: 'x'.repeat(5000), clientMsgId: 'bad id!' }),
    () => ({ seq: i + 1_000_000, id: 'COMMAND', windowId: -1, command: '', params: {} }),
    () => ({ seq: i + 1_000_000, id: 'SET', settings: { ['k'.repeat(300)]: { nested: [1, 2, 3] } } }),
    () => ({ __proto__: { seq: 1 }, constructor: 'x' }),
  ];
  return kinds[Math.floor(rnd() * kinds.length)]!();
}

/** The client's socket as a raw socket.io one: events with any payload (its typed map allows only valid ones). */
type RawSocket = { timeout(ms: number): { emit(event: string, payload: unknown, ack: (err: unknown, answer: unknown) => void): void } };

/** Malformed `req` payloads on a live session (a user of its own): each must be answered with an error. */
async function fuzzSocket(w: Watched, count: number): Promise<FuzzResult> {
  const rnd = random(1);
  let errors = 0;
  const BATCH = 200;
  for (let i = 0; i < count; i += BATCH) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(BATCH, count - i) }, (_, k) =>
        new Promise<unknown>((resolve) => (w.c.socket as unknown as RawSocket).timeout(60_000).emit('req', junkPayload(rnd, i + k), (err, answer) => resolve(err ? undefined : answer))),
      ),
    );
    errors += answers.filter((a) => typeof a === 'object' && a !== null && (a as { status?: unknown }).status === 'ERROR').length;
  }
  // The socket is still there afterwards (it was never cut for what it sent).
  return { kind: 'socket.io payloads (req)', sent: count, answeredWithError: errors, handledOrLogged: errors, appsAlive: w.c.socket.connected };
}

/** A hostile IRC server (a Network made for it) sends malformed lines to a user; irc-parser handles or dead-letters each. */
async function fuzzIrc(
  space: TestKeySpace,
  running: Map<AppName, RunningApp>,
  count: number,
  user: (prefix: string) => Promise<Watched & { userId: number }>,
  portOf: (app: RunningApp) => number,
): Promise<FuzzResult> {
  const rnd = random(2);
  const junk = (i: number): string => {
    const kinds: (() => string)[] = [
      // (Never empty, never a PING: connection-manager skips empty lines and answers PINGs itself.)
      () => `~${Array.from({ length: Math.floor(rnd() * 300) }, () => String.fromCharCode(1 + Math.floor(rnd() * 254))).join('').replace(/[\r\n]/g, ' ')}`,
      () => ':'.repeat(1 + Math.floor(rnd() * 50)),
      () => `:${'x'.repeat(600)} PRIVMSG #a :${'y'.repeat(600)}`,
      () => `:srv ${Math.floor(rnd() * 1000)}`,
      () => `:srv 353 u = #c :${'@+%~&'.repeat(40)}`,
      () => `:n!u@h PRIVMSG ${'#'.repeat(100)} :\x01${'ACTION'.repeat(10)}`,
      () => `:n!u@h NICK :${'\u0000'.repeat(3)}`,
      () => `:srv 005 u ${'A=B '.repeat(200)}:are supported`,
      () => `:n!u@h MODE #c +${'o'.repeat(50)} ${'x '.repeat(50)}`,
      () => `PONG`,
      () => `:n!u@h JOIN`,
      () => `@${'a=b;'.repeat(200)} :n!u@h PRIVMSG u :tags`,
      () => `:n!u@h KICK #c`,
      () => `:srv CAP * ${'LS'.repeat(20)}`,
      () => `${i}`,
    ];
    return kinds[Math.floor(rnd() * kinds.length)]!();
  };
  const sockets = new Set<NetSocket>();
  const done = { sent: 0 };
  const server = createServer((socket) => {
    sockets.add(socket);
    let buffer = '';
    let registered = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        const nick = /^NICK (\S+)/.exec(line)?.[1];
        if (line.startsWith('CAP LS')) socket.write(':hostile CAP * LS :\r\n');
        if (nick && !registered) {
          registered = true;
          socket.write(`:hostile 001 ${nick} :welcome to the hostile network\r\n`);
          // The junk, in writes of 500 lines.
          for (let i = 0; i < count; i += 500) {
            const lines: string[] = [];
            for (let k = i; k < Math.min(count, i + 500); k++) lines.push(junk(k));
            socket.write(`${lines.join('\r\n')}\r\n`);
            done.sent += lines.length;
          }
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  const ircParser = running.get('irc-parser')!;
  const metric = async () => {
    const text = await (await fetch(`http://127.0.0.1:${portOf(ircParser)}/metrics`)).text();
    let sum = 0;
    for (const m of text.matchAll(/^parley_inbox_messages_total\{[^}]*inbox="ircparser"[^}]*outcome="(handled|dead)"[^}]*\} (\d+)$/gm)) sum += Number(m[2]);
    return sum;
  };
  try {
    const before = await metric();
    const id = await space.redis.incr(objectId('Network'));
    await space.redis.hmset(objectHash('Network', id), { name: 'hostile', host: '127.0.0.1', port: String(port) });
    await ircParser.waitForLog('IRC network definition in use', { name: 'hostile' });
    const victim = await user('victim');
    ok(await victim.c.request({ id: 'JOIN', network: 'hostile', name: '#junk' }));
    await eventually(() => done.sent, (k) => k === count, 'the hostile server sent its junk');
    // Every line reached irc-parser as a message it handled (or dead-lettered with the reason).
    const handled = await eventually(async () => (await metric()) - before, (k) => k >= count, 'irc-parser went through every line');
    return { kind: 'IRC lines from a hostile server', sent: count, answeredWithError: 0, handledOrLogged: Math.min(handled, count), appsAlive: await appsAlive(running, portOf) };
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
}

/** Malformed HTTP requests to the account and webhook API: each answered 4xx, never 5xx or a dropped connection. */
async function fuzzHttp(url: string, count: number): Promise<FuzzResult> {
  const rnd = random(3);
  const paths = ['/api/v1/register', '/api/v1/login', '/api/v1/password-reset', '/api/v1/groups/%23chaos/messages', '/api/v1/apps/none/login', '/api/v1/profile'];
  const bodies: (() => { body: string; type: string })[] = [
    () => ({ body: '{', type: 'application/json' }),
    () => ({ body: 'null', type: 'application/json' }),
    () => ({ body: '[1,2,3]', type: 'application/json' }),
    () => ({ body: JSON.stringify({ name: 1, email: [], nick: {}, password: null }), type: 'application/json' }),
    () => ({ body: JSON.stringify({ username: 'x'.repeat(10_000), password: 'y' }), type: 'application/json' }),
    () => ({ body: 'a=b&c=d', type: 'application/x-www-form-urlencoded' }),
    () => ({ body: '\u0000\u0001\u0002', type: 'text/plain' }),
    () => ({ body: JSON.stringify({ text: '' }), type: 'application/json' }),
    () => ({ body: JSON.stringify({ __proto__: { admin: true }, nick: 'a\r\nb' }), type: 'application/json' }),
    () => ({ body: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, type: 'application/json' }),
  ];
  let fourXX = 0;
  let other = 0;
  const BATCH = 50;
  for (let i = 0; i < count; i += BATCH) {
    const statuses = await Promise.all(
      Array.from({ length: Math.min(BATCH, count - i) }, async () => {
        const { body, type } = bodies[Math.floor(rnd() * bodies.length)]!();
        const path = paths[Math.floor(rnd() * paths.length)]!;
        const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body }).catch(() => undefined);
        await res?.arrayBuffer();
        return res?.status ?? 0;
      }),
    );
    for (const s of statuses) if (s >= 400 && s < 500) fourXX++;
    else other++;
  }
  return { kind: 'HTTP bodies', sent: count, answeredWithError: fourXX, handledOrLogged: fourXX, appsAlive: other === 0 };
}

/** The report as a Markdown table (the file `npm run chaos` writes beside its JSON). */
export function reportMarkdown(r: ChaosReport): string {
  const lines = [
    `# Chaos report (${r.at}, ${Math.round(r.durationMs / 1000)} s)`,
    '',
    `Load: every stream closed-loop, ${r.options.perPhase} messages per stream between faults.`,
    '',
    '| Fault | Recovery (ms): room / DM / IRC out / IRC in | IRC socket dropped |',
    '|---|---|---|',
    ...r.faults.map((f) => `| ${f.fault} | ${f.recoveryMs.room} / ${f.recoveryMs.dm} / ${f.recoveryMs.ircOut} / ${f.recoveryMs.ircIn} | ${f.ircSocketDropped ? 'yes' : 'no'} |`),
    '',
    `Requests answered with an error during the faults (sent again with the same clientMsgId): ${r.refused.length}${r.refused.length ? ` (${[...new Set(r.refused.map((x) => `${x.stream} ${x.code}`))].join(', ')})` : ''}.`,
    '',
    '| Stream | Sent | Delivered | Lost | Duplicated | Out of order | IRC out: sent again after the reconnect (on the wire at the SIGKILL) | IRC in: never reached Parley (no gid): link down / died with the killed socket |',
    '|---|---|---|---|---|---|---|---|',
    ...r.streams.map(
      (s) =>
        `| ${s.stream} | ${s.sent} | ${s.delivered} | ${s.lost} | ${s.duplicated} | ${s.outOfOrder} | ${s.resentAfterReconnect ?? '—'} | ${s.notReceived ? `${s.notReceived.offNetwork} / ${s.notReceived.diedWithSocket}` : '—'} |`,
    ),
    '',
    '| Fuzz | Sent | Answered with an error | Handled or logged | Apps alive |',
    '|---|---|---|---|---|',
    ...r.fuzz.map((f) => `| ${f.kind} | ${f.sent} | ${f.answeredWithError} | ${f.handledOrLogged} | ${f.appsAlive ? 'yes' : 'no'} |`),
    '',
  ];
  return lines.join('\n');
}

/** Writes the report files; returns the Markdown path. */
export function writeReport(r: ChaosReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chaos-report.json'), `${JSON.stringify(r, null, 2)}\n`);
  const md = join(dir, 'chaos-report.md');
  writeFileSync(md, reportMarkdown(r));
  return md;
}
