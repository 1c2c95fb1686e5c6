// The gateway's two figures (issue 3), each beside its reference in one run:
//  1. memory per idle socket session: gateway RSS growth with BENCH_SESSIONS (5,000) sessions
//     connected and initialised, against a bare socket.io server holding as many idle sockets;
//  2. notifications delivered per second to 1,000 sessions (Notifier → outbox → pub/sub → gateway
//     → socket → ParleyClient, which checks order and acks), against the bare server emitting the
//     same number of events.
// Not a test: it prints figures and writes bench/results/gateway.json. Needs the gateway built
// (npm run build). Users and tokens are written straight into Redis (argon2 would only slow setup).
//   npm run bench:gateway
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import { Notifier } from '@parley/inbox';
import type { Notification } from '@parley/protocol';
import { ChildFixture, freePort, TestRedis, type TestKeySpace } from '@parley/testing';
import { io, type Socket } from 'socket.io-client';
import { runBench, writeResults } from './results-file';
import { inBatches, seedUsers } from './common';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 5000);
const DELIVERY_SESSIONS = Math.min(SESSIONS, Number(process.env.BENCH_DELIVERY_SESSIONS ?? 1000));
const PER_SESSION = Number(process.env.BENCH_PER_SESSION ?? 100);
const BATCH = 10;

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const KiB = (bytes: number) => +(bytes / 1024).toFixed(1);

async function measureGateway(space: TestKeySpace) {
  const tokens = await seedUsers(space, SESSIONS);
  const port = await freePort();
  const gateway = ChildFixture.start(join(__dirname, '..', 'apps', 'gateway', 'dist', 'main.js'), {
    REDIS_URL: space.url,
    GATEWAY_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    TOKEN_ROTATION_GRACE_MS: '3600000',
  });
  try {
    await gateway.waitForLine((l) => l.includes('gateway listening'));
    const url = `http://127.0.0.1:${port}`;
    const pid = gateway.proc.pid!;
    await settle(2000);
    const before = rssOf(pid);
    const received = new Array<number>(SESSIONS).fill(0);
    let allDone: () => void = () => undefined;
    let remaining = DELIVERY_SESSIONS;
    const clients = await inBatches(SESSIONS, async (i) => {
      const client = new ParleyClient({ url, token: tokens[i], clientName: 'bench', transports: ['websocket'], maxBacklogMsgs: 0, reconnection: false });
      let finished!: () => void;
      const burst = new Promise<void>((r) => (finished = r));
      client.on('notification', (n) => {
        if (n.type === 'FINISH_INIT') finished();
        else if (n.type === 'ADD_MESSAGE' && ++received[i]! === PER_SESSION && --remaining === 0) allDone();
      });
      await client.connect();
      await burst;
      return client;
    });
    await settle(3000);
    const after = rssOf(pid);
    const memory = { sessions: SESSIONS, rssBeforeMiB: +(before / 2 ** 20).toFixed(1), rssAfterMiB: +(after / 2 ** 20).toFixed(1), perSessionKiB: KiB((after - before) / SESSIONS) };

    // Delivery: PER_SESSION notifications to each of the first DELIVERY_SESSIONS users, in batches.
    const notifier = new Notifier(space.connect());
    const done = new Promise<void>((r) => (allDone = r));
    const start = process.hrtime.bigint();
    const sends: Promise<unknown>[] = [];
    for (let b = 0; b < PER_SESSION; b += BATCH) {
      for (let u = 1; u <= DELIVERY_SESSIONS; u++) {
        const batch: Notification[] = Array.from({ length: BATCH }, (_, k) => ({ type: 'ADD_MESSAGE', windowId: 1, gid: b + k + 1, ts: Date.now(), cat: 'msg', body: `notification number ${b + k + 1} of the gateway run`, nick: 'bench' }));
        sends.push(notifier.notifyUser(u, batch));
      }
    }
    await Promise.all(sends);
    await done;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const total = DELIVERY_SESSIONS * PER_SESSION;
    const problems = clients.reduce((n, c) => n + c.duplicates + c.gaps, 0);
    for (const c of clients) c.socket.disconnect();
    return { memory, delivery: { sessions: DELIVERY_SESSIONS, notifications: total, seconds: +seconds.toFixed(2), perSec: Math.round(total / seconds), duplicatesOrGaps: problems } };
  } finally {
    await gateway.kill('SIGKILL');
  }
}

async function measureReference() {
  const port = await freePort();
  const server = ChildFixture.start(join(__dirname, 'reference-server.ts'), { PORT: String(port) });
  try {
    await server.waitForLine((l) => l.includes('reference ready'));
    const url = `http://127.0.0.1:${port}`;
    const rss = async () => Number(await (await fetch(`${url}/rss`)).text());
    await settle(2000);
    const before = await rss();
    let allDone: () => void = () => undefined;
    let remaining = DELIVERY_SESSIONS;
    const sockets = await inBatches(SESSIONS, (i) => {
      const socket: Socket = io(url, { transports: ['websocket'], reconnection: false });
      let got = 0;
      socket.on('ntf', () => {
        if (++got === PER_SESSION && i < DELIVERY_SESSIONS && --remaining === 0) allDone();
      });
      return new Promise<Socket>((resolve) => socket.once('connect', () => resolve(socket)));
    });
    await settle(3000);
    const after = await rss();
    // Only the first DELIVERY_SESSIONS sockets stay for the delivery run.
    for (const s of sockets.slice(DELIVERY_SESSIONS)) s.disconnect();
    await settle(1000);
    const controller: Socket = io(url, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((r) => controller.once('connect', () => r()));
    const done = new Promise<void>((r) => (allDone = r));
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve) => controller.emit('blast', PER_SESSION, resolve));
    await done;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const total = DELIVERY_SESSIONS * PER_SESSION;
    for (const s of [...sockets, controller]) s.disconnect();
    return { memory: { sessions: SESSIONS, perSocketKiB: KiB((after - before) / SESSIONS) }, delivery: { notifications: total, seconds: +seconds.toFixed(2), perSec: Math.round(total / seconds) } };
  } finally {
    await server.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const redis = await TestRedis.start();
  try {
    const space = await redis.keySpace();
    const reference = await measureReference();
    const gateway = await measureGateway(space);
    const results = {
      at: new Date().toISOString(),
      node: process.version,
      gateway,
      reference,
      targets: { perSessionKiB: 40, deliveredPerSec: 50_000 },
      memoryVsReference: +(gateway.memory.perSessionKiB / reference.memory.perSocketKiB).toFixed(2),
      deliveryVsReference: +(gateway.delivery.perSec / reference.delivery.perSec).toFixed(2),
    };
    console.log(`gateway memory:   ${gateway.memory.perSessionKiB} KiB per idle session (${SESSIONS} sessions; target ≤ 40) — bare socket.io ${reference.memory.perSocketKiB} KiB per socket`);
    console.log(`gateway delivery: ${gateway.delivery.perSec} notifications/s to ${DELIVERY_SESSIONS} sessions (target ≥ 50000; ${gateway.delivery.duplicatesOrGaps} duplicates or gaps) — bare socket.io ${reference.delivery.perSec}/s`);
    writeResults('gateway', results);
  } finally {
    await redis.stop();
  }
}

runBench(main);
