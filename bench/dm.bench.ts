// Direct messages under load (issue 6): BENCH_DM_USERS (1,000) users online, each with a
// socket.io session on the gateway; the gateway and im-router as built processes, BullMQ and Redis
// on this machine. Users 1..N/2 each write to their partner N/2+1..N.
//  1. sustained throughput, after a warm-up: every sender sends at once (BENCH_DM_IN_FLIGHT
//     requests in flight each); direct messages per second from the first send to the last
//     receiver's ADD_MESSAGE (each delivery checked: every message once);
//  2. latency at a paced BENCH_DM_RATE (500/s) spread over the senders: SEND → the receiver's
//     ADD_MESSAGE, p50/p99.
// Targets: ≥ 3,000 messages/s (OpenIM reports about 3,100/s on 16 cores), p99 ≤ 100 ms at 500/s.
// Not a test: prints its figures and writes bench/results/dm.json. Needs `npm run build`.
//   npm run bench:dm
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import { ChildFixture, freePort, TestRedis } from '@parley/testing';
import { runBench, writeResults } from './results-file';
import { inBatches, pacedLatency, seedUsers } from './common';

const USERS = Number(process.env.BENCH_DM_USERS ?? 1000);
const PER_SENDER = Number(process.env.BENCH_DM_PER_SENDER ?? 30);
const WARMUP_PER_SENDER = Number(process.env.BENCH_DM_WARMUP_PER_SENDER ?? 5);
const IN_FLIGHT = Number(process.env.BENCH_DM_IN_FLIGHT ?? 4);
const RATE = Number(process.env.BENCH_DM_RATE ?? 500);
const PACED_SECONDS = Number(process.env.BENCH_DM_PACED_SECONDS ?? 10);
const CONCURRENCY = process.env.BENCH_DM_WORKER_CONCURRENCY ?? '16';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

async function main(): Promise<void> {
  const redis = await TestRedis.start();
  const space = await redis.keySpace();
  const tokens = await seedUsers(space, USERS);
  const port = await freePort();
  const env = { REDIS_URL: space.url, HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  const app = (name: string, extra: Record<string, string>) => ChildFixture.start(join(__dirname, '..', 'apps', name, 'dist', 'main.js'), { ...env, ...extra });
  const gateway = app('gateway', { GATEWAY_PORT: String(port), TOKEN_ROTATION_GRACE_MS: '3600000', REQUEST_TIMEOUT_MS: '60000', SESSION_MAX_PER_USER: '4' });
  const router = app('im-router', { HEALTH_PORT: String(await freePort()), IM_WORKER_CONCURRENCY: CONCURRENCY });
  const procs = [gateway, router];
  const clients: ParleyClient[] = [];
  try {
    await Promise.all(procs.map((p) => p.waitForLine((l) => l.includes(' listening"'))));
    const url = `http://127.0.0.1:${port}`;
    // Every delivery: the text carries its id; each must arrive once.
    let onDelivery: (id: string) => void = () => undefined;
    const seen = new Set<string>();
    let duplicates = 0;
    const connected = await inBatches(USERS, async (i) => {
      const c = new ParleyClient({ url, token: tokens[i], clientName: 'bench', transports: ['websocket'], maxBacklogMsgs: 0, reconnection: false, ackEvery: 50 });
      let finished!: () => void;
      const burst = new Promise<void>((r) => (finished = r));
      c.on('notification', (n) => {
        if (n.type === 'FINISH_INIT') finished();
        else if (n.type === 'ADD_MESSAGE') {
          if (seen.has(n.body)) duplicates++;
          seen.add(n.body);
          onDelivery(n.body);
        }
      });
      await c.connect();
      await burst;
      return c;
    });
    clients.push(...connected);
    const half = Math.floor(USERS / 2);
    // Each sender opens its window with its partner.
    const windows = await inBatches(half, async (i) => {
      const answer = await clients[i]!.request({ id: 'CHAT', userId: half + i + 1 });
      if (answer.status !== 'OK') throw new Error(`CHAT: ${JSON.stringify(answer)}`);
      return answer.windowId;
    });
    const send = async (i: number, id: string) => {
      const answer = await clients[i]!.request({ id: 'SEND', windowId: windows[i]!, text: id, clientMsgId: id });
      if (answer.status !== 'OK') throw new Error(`SEND: ${JSON.stringify(answer)}`);
    };

    const throughput = async (perSender: number, tag: string) => {
      const expected = half * perSender;
      let delivered = 0;
      let last = 0;
      let allDelivered!: () => void;
      const done = new Promise<void>((r) => (allDelivered = r));
      onDelivery = (id) => {
        if (!id.startsWith(tag)) return;
        last = now();
        if (++delivered === expected) allDelivered();
      };
      const start = now();
      await Promise.all(
        Array.from({ length: half }, async (_, i) => {
          let next = 0;
          const lane = async () => {
            while (next < perSender) await send(i, `${tag}-${i}-${next++}`);
          };
          await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
        }),
      );
      await done;
      return Math.round(expected / ((last - start) / 1000));
    };

    await throughput(WARMUP_PER_SENDER, 'w');
    const pids = { gateway: gateway.proc.pid!, 'im-router': router.proc.pid!, redis: redis.pid };
    const cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuOf(pid)]));
    const ownBefore = process.cpuUsage();
    const perSec = await throughput(PER_SENDER, 't');
    const own = process.cpuUsage(ownBefore);
    const messages = half * PER_SENDER;
    const cpuMicrosPerMessage = {
      ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, +(((cpuOf(pid) - cpuBefore[k]!) * 1e6) / messages).toFixed(1)])),
      'bench (clients)': +((own.user + own.system) / messages).toFixed(1),
    };

    // Paced: RATE messages a second, round robin over the senders.
    const paced = pacedLatency(RATE, PACED_SECONDS, (total) => total);
    onDelivery = paced.delivered;
    const latencyMs = await paced.run((k, id) => send(k % half, id));
    const problems = duplicates + clients.reduce((n, c) => n + c.duplicates + c.gaps, 0);
    if (problems > 0) throw new Error(`${problems} duplicates or gaps`);

    const results = {
      at: new Date().toISOString(),
      node: process.version,
      setup: { usersOnline: USERS, senders: half, perSender: PER_SENDER, inFlightPerSender: IN_FLIGHT, pacedRate: RATE, pacedSeconds: PACED_SECONDS, workerConcurrency: Number(CONCURRENCY) },
      messagesPerSec: perSec,
      latencyMs,
      cpuMicrosPerMessage,
      targets: { messagesPerSec: 3000, p99Ms: 100 },
    };
    console.log(`direct messages, ${USERS} users online (${half} senders, ${IN_FLIGHT} in flight each): ${perSec}/s send → receiver (target ≥ 3000)`);
    console.log(`  latency at ${RATE}/s: p50 ${results.latencyMs.p50} ms, p99 ${results.latencyMs.p99} ms (target p99 ≤ 100)`);
    console.log(`  CPU µs per message: ${JSON.stringify(cpuMicrosPerMessage)}`);
    writeResults('dm', results);
  } finally {
    for (const c of clients) c.socket.disconnect();
    for (const p of procs) await p.kill('SIGKILL');
    await redis.stop();
  }
}

runBench(main);
