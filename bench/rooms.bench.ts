// Rooms on the built-in network under load (issue 4): 10 members online in one room, gateway and
// loopback-parser as built processes, Redis on this machine. Beside it, in the same run, a bare
// baseline doing the same hops with plain ioredis and socket.io (rooms-baseline.ts:
// client → server → list → worker → list → server → clients), measured the same way.
//  1. sustained throughput, after a warm-up: every member sends at once (IN_FLIGHT requests in
//     flight each); messages accepted per second (SEND answered) and deliveries per second
//     (ADD_MESSAGE at the others);
//  2. latency: one member sends at a paced RATE per second; SEND → the others' ADD_MESSAGE, p50/p99.
// Not a test: prints its figures and writes bench/results/rooms.json. Needs `npm run build`.
//   npm run bench:rooms
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import { ChildFixture, freePort, TestRedis } from '@parley/testing';
import { io, type Socket } from 'socket.io-client';
import { pacedLatency } from './common';
import { runBench, writeResults } from './results-file';

const MEMBERS = 10;
const PER_MEMBER = Number(process.env.BENCH_PER_MEMBER ?? 5000);
const WARMUP_PER_MEMBER = Number(process.env.BENCH_WARMUP_PER_MEMBER ?? 500);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 5);

const now = () => Number(process.hrtime.bigint()) / 1e6;

interface Member {
  /** Sends one message; resolves when it is accepted. The id comes back in the deliveries. */
  send(id: string): Promise<void>;
  onDelivery(listener: (id: string) => void): void;
  close(): void;
}

interface Figures {
  acceptedPerSec: number;
  deliveriesPerSec: number;
  latencyMs: { p50: number; p99: number; samples: number };
  /** CPU time per accepted message in the sustained run, per process: where the time goes. */
  cpuMicrosPerMessage: Record<string, number>;
  /** Redis commands per accepted message in the sustained run (the busiest ones). */
  redisCallsPerMessage: Record<string, number>;
}

/** CPU seconds used so far by each process of a run, and Redis's calls per command. */
interface Probe {
  cpu(): Promise<Record<string, number>>;
  calls(): Promise<Record<string, number>>;
}

/** CPU seconds of a child process so far (utime + stime from /proc, in clock ticks of 1/100 s). */
const childCpu = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** Sampling for one run: the benchmark's own process (the clients), the apps' processes and Redis. */
function probeFor(redis: TestRedis, apps: Record<string, number>): Probe {
  const admin = redis.client();
  const info = async (section: string) => Object.fromEntries((await admin.info(section)).split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':') as [string, string]));
  return {
    cpu: async () => {
      const r = await info('cpu');
      const own = process.cpuUsage();
      return {
        clients: (own.user + own.system) / 1e6,
        redis: Number(r.used_cpu_user) + Number(r.used_cpu_sys),
        ...Object.fromEntries(Object.entries(apps).map(([name, pid]) => [name, childCpu(pid)])),
      };
    },
    calls: async () =>
      Object.fromEntries(Object.entries(await info('commandstats')).map(([k, v]) => [k.replace('cmdstat_', ''), Number(/calls=(\d+)/.exec(v)?.[1] ?? 0)])),
  };
}

const perMessage = (before: Record<string, number>, after: Record<string, number>, messages: number, scale: number) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, +(((v - (before[k] ?? 0)) * scale) / messages).toFixed(2)] as const)
      .filter(([, v]) => v >= 0.01)
      .sort((a, b) => b[1] - a[1]),
  );

/** The shared measurement: a warm-up, sustained throughput, then paced latency, over any kind of member. */
async function measure(members: Member[], probe: Probe): Promise<Figures> {
  let onDelivery: (id: string) => void = () => undefined;
  for (const m of members) m.onDelivery((id) => onDelivery(id));

  /** Every member sends `perMember` messages, IN_FLIGHT at a time; resolves when all are delivered. */
  const throughput = async (perMember: number, tag: string) => {
    const expected = MEMBERS * perMember * (MEMBERS - 1);
    let delivered = 0;
    let lastDelivery = 0;
    let allDelivered!: () => void;
    const done = new Promise<void>((r) => (allDelivered = r));
    onDelivery = () => {
      delivered++;
      lastDelivery = now();
      if (delivered === expected) allDelivered();
    };
    const start = now();
    await Promise.all(
      members.map(async (m, k) => {
        let next = 0;
        const lane = async () => {
          while (next < perMember) await m.send(`${tag}-${k}-${next++}`);
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      }),
    );
    const acceptedSeconds = (now() - start) / 1000;
    await done;
    return { acceptedPerSec: Math.round((MEMBERS * perMember) / acceptedSeconds), deliveriesPerSec: Math.round(expected / ((lastDelivery - start) / 1000)) };
  };

  // 1. Warm-up (JIT, connections, caches), not counted; then the sustained run.
  await throughput(WARMUP_PER_MEMBER, 'w');
  const [cpuBefore, callsBefore] = [await probe.cpu(), await probe.calls()];
  const sustained = await throughput(PER_MEMBER, 't');
  const [cpuAfter, callsAfter] = [await probe.cpu(), await probe.calls()];
  const messages = MEMBERS * PER_MEMBER;
  const cost = { cpuMicrosPerMessage: perMessage(cpuBefore, cpuAfter, messages, 1e6), redisCallsPerMessage: perMessage(callsBefore, callsAfter, messages, 1) };

  // 2. Paced latency: one sender, RATE messages per second.
  const paced = pacedLatency(RATE, PACED_SECONDS, (total) => total * (MEMBERS - 1));
  onDelivery = paced.delivered;
  const latencyMs = await paced.run((_k, id) => members[0]!.send(id));
  return { ...sustained, latencyMs, ...cost };
}

/**
 * Parley with `gateways` gateways (members spread over them in turn) and `parsers` loopback-parsers
 * sharing the inbox, all on one Redis: the scale-out shape (issue 9), on this machine's cores.
 */
async function parley(redis: TestRedis, redisUrl: string, gateways = 1, parsers = 1): Promise<Figures> {
  const env = { REDIS_URL: redisUrl, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', LOGIN_LIMIT_PER_IP: '1000' };
  const ports = await Promise.all(Array.from({ length: gateways }, () => freePort()));
  const gatewayApps = ports.map((port) => ChildFixture.start(join(__dirname, '..', 'apps', 'gateway', 'dist', 'main.js'), { ...env, GATEWAY_PORT: String(port) }));
  const parserApps: ChildFixture[] = [];
  for (let i = 0; i < parsers; i++) {
    parserApps.push(ChildFixture.start(join(__dirname, '..', 'apps', 'loopback-parser', 'dist', 'main.js'), { ...env, HEALTH_PORT: String(await freePort()), INBOX_CONSUMER_NAME: `bench-loopback-${i}` }));
  }
  const apps = [...gatewayApps, ...parserApps];
  try {
    await Promise.all(apps.map((a) => a.waitForLine((l) => l.includes(' listening"'))));
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    const post = (path: string, body: unknown) => fetch(`${urls[0]}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const clients: { c: ParleyClient; windowId: number }[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const nick = `member${i}`;
      await post('register', { name: nick, email: `${nick}@example.com`, nick, password: 'bench password' });
      const { token } = (await (await post('login', { username: nick, password: 'bench password' })).json()) as { token: string };
      const c = new ParleyClient({ url: urls[i % urls.length]!, token, clientName: 'bench', transports: ['websocket'], maxBacklogMsgs: 0, ackEvery: 200 });
      await c.connect();
      const answer = i === 0 ? await c.request({ id: 'CREATE', name: '#bench' }) : await c.request({ id: 'JOIN', network: 'parley', name: '#bench' });
      if (answer.status !== 'OK') throw new Error(`${nick}: ${JSON.stringify(answer)}`);
      clients.push({ c, windowId: answer.windowId });
    }
    let n = 0;
    const members: Member[] = clients.map(({ c, windowId }) => ({
      send: async (id) => {
        const answer = await c.request({ id: 'SEND', windowId, text: id, clientMsgId: `m${++n}` });
        if (answer.status !== 'OK') throw new Error(JSON.stringify(answer));
      },
      onDelivery: (listener) => c.on('notification', (ntf) => ntf.type === 'ADD_MESSAGE' && ntf.cat === 'msg' && listener(ntf.body)),
      close: () => c.socket.disconnect(),
    }));
    const named = (list: ChildFixture[], name: string) => list.map((a, i): [string, number] => [list.length === 1 ? name : `${name}${i + 1}`, a.proc.pid!]);
    const pids: Record<string, number> = Object.fromEntries([...named(gatewayApps, 'gateway'), ...named(parserApps, 'worker')]);
    const figures = await measure(members, probeFor(redis, pids));
    const problems = clients.reduce((k, { c }) => k + c.duplicates + c.gaps, 0);
    if (problems > 0) throw new Error(`${problems} duplicates or gaps`);
    for (const m of members) m.close();
    return figures;
  } finally {
    for (const a of apps) await a.kill('SIGKILL');
  }
}

async function baseline(redis: TestRedis, redisUrl: string): Promise<Figures> {
  const port = await freePort();
  const file = join(__dirname, 'rooms-baseline.ts');
  const procs = [ChildFixture.start(file, { REDIS_URL: redisUrl, ROLE: 'server', PORT: String(port) }), ChildFixture.start(file, { REDIS_URL: redisUrl, ROLE: 'worker' })];
  try {
    await Promise.all(procs.map((p) => p.waitForLine((l) => l.includes('ready'))));
    const sockets: Socket[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const s = io(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
      await new Promise<void>((r) => s.once('connect', () => r()));
      sockets.push(s);
    }
    const members: Member[] = sockets.map((s) => ({
      send: (id) => new Promise<void>((resolve) => s.emit('send', { body: id }, () => resolve())),
      onDelivery: (listener) => s.on('message', (m: { body: string }) => listener(m.body)),
      close: () => s.disconnect(),
    }));
    const figures = await measure(members, probeFor(redis, { gateway: procs[0]!.proc.pid!, worker: procs[1]!.proc.pid! }));
    for (const m of members) m.close();
    return figures;
  } finally {
    for (const p of procs) await p.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const redis = await TestRedis.start();
  try {
    const base = await baseline(redis, (await redis.keySpace()).url);
    const ours = await parley(redis, (await redis.keySpace()).url);
    // Scale-out: 2 gateways + 2 loopback-parsers on the same Redis (and the same 2 cores).
    const scaled = await parley(redis, (await redis.keySpace()).url, 2, 2);
    const results = {
      at: new Date().toISOString(),
      node: process.version,
      setup: { members: MEMBERS, perMember: PER_MEMBER, warmupPerMember: WARMUP_PER_MEMBER, inFlightPerMember: IN_FLIGHT, pacedRate: RATE, pacedSeconds: PACED_SECONDS },
      parley: ours,
      parley2x2: scaled,
      baseline: base,
      targets: { acceptedPerSec: 5000, deliveriesPerSec: 50_000, p99Ms: 50, throughputVsBaseline: 0.5 },
      acceptedVsBaseline: +(ours.acceptedPerSec / base.acceptedPerSec).toFixed(2),
      deliveriesVsBaseline: +(ours.deliveriesPerSec / base.deliveriesPerSec).toFixed(2),
    };
    console.log(`rooms, ${MEMBERS} members: accepted ${ours.acceptedPerSec}/s (target ≥ 5000), deliveries ${ours.deliveriesPerSec}/s (target ≥ 50000)`);
    console.log(`  latency at ${RATE}/s: p50 ${ours.latencyMs.p50} ms, p99 ${ours.latencyMs.p99} ms (target p99 ≤ 50)`);
    console.log(`baseline: accepted ${base.acceptedPerSec}/s, deliveries ${base.deliveriesPerSec}/s, p50 ${base.latencyMs.p50} ms, p99 ${base.latencyMs.p99} ms`);
    console.log(`CPU µs per message: parley ${JSON.stringify(ours.cpuMicrosPerMessage)}, baseline ${JSON.stringify(base.cpuMicrosPerMessage)}`);
    console.log(`Redis calls per message: parley ${JSON.stringify(ours.redisCallsPerMessage)}, baseline ${JSON.stringify(base.redisCallsPerMessage)}`);
    console.log(`2 gateways + 2 loopback-parsers: accepted ${scaled.acceptedPerSec}/s, deliveries ${scaled.deliveriesPerSec}/s, p50 ${scaled.latencyMs.p50} ms, p99 ${scaled.latencyMs.p99} ms (1 + 1: ${ours.acceptedPerSec}/s)`);
    console.log(`parley / baseline: accepted ${results.acceptedVsBaseline}, deliveries ${results.deliveriesVsBaseline} (target ≥ 0.5)`);
    writeResults('rooms', results);
  } finally {
    await redis.stop();
  }
}

runBench(main);
