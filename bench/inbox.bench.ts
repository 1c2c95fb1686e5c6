// Courier throughput, measured side by side with its reference in one run (ratios hold across
// noisy machines, absolute numbers do not): a bare Redis list (LPUSH, then RPOP 100 at a time)
// against the courier (InboxSender + InboxConsumer: Lua take with per-user routing, zod parsing,
// acknowledgement) with one and with two consumers. Not a test: it prints figures and writes
// bench/results/inbox.json.
//   npm run bench:inbox            (N=100000 messages; BENCH_N to change)
import { inbox } from '@parley/key-schema';
import { InboxConsumer, InboxSender } from '@parley/inbox';
import { parseInboxMessage, type InboxMessage } from '@parley/protocol';
import { TestRedis, type TestKeySpace } from '@parley/testing';
import { writeResults } from './results-file';

const N = Number(process.env.BENCH_N ?? 100_000);
const USERS = 1000;
const CHUNK = 100;
const quiet = { info: () => undefined, warn: () => undefined, error: (o: object, m?: string) => console.error(m, o), debug: () => undefined };

const message = (i: number): InboxMessage<'ircparser'> => ({ v: 1, type: 'data', userId: (i % USERS) + 1, network: 'libera', line: `:nick!u@h PRIVMSG #parley :message number ${i}` });

async function produce(space: TestKeySpace): Promise<void> {
  const sender = new InboxSender(space.redis);
  const sends: Promise<void>[] = [];
  for (let i = 0; i < N; i += CHUNK) sends.push(sender.send('ircparser', Array.from({ length: Math.min(CHUNK, N - i) }, (_, j) => message(i + j))));
  await Promise.all(sends);
}

async function bareList(space: TestKeySpace): Promise<number> {
  const key = inbox('ircparser');
  const start = process.hrtime.bigint();
  const producer = produce(space);
  let got = 0;
  const consumer = space.connect();
  while (got < N) {
    const batch = await consumer.rpop(key, CHUNK);
    if (!batch) {
      await new Promise((r) => setImmediate(r));
      continue;
    }
    for (const raw of batch) JSON.parse(raw);
    got += batch.length;
  }
  await producer;
  consumer.disconnect();
  return N / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function courier(space: TestKeySpace, consumers: number): Promise<number> {
  let got = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const running = Array.from(
    { length: consumers },
    () =>
      new InboxConsumer<InboxMessage<'ircparser'>>({
        inbox: 'ircparser',
        redis: space.connect(),
        blocking: space.connect({ maxRetriesPerRequest: null }),
        parse: (raw) => parseInboxMessage('ircparser', raw),
        handle: () => {
          if (++got === N) resolveDone();
          return Promise.resolve();
        },
        logger: quiet,
        batchSize: CHUNK,
        blockMs: 200,
      }),
  );
  await Promise.all(running.map((c) => c.start()));
  const start = process.hrtime.bigint();
  await produce(space);
  await done;
  const rate = N / (Number(process.hrtime.bigint() - start) / 1e9);
  await Promise.all(running.map((c) => c.stop()));
  return rate;
}

async function main(): Promise<void> {
  const server = await TestRedis.start();
  try {
    const results = {
      messages: N,
      users: USERS,
      bareListMsgPerSec: Math.round(await bareList(await server.keySpace())),
      courier1MsgPerSec: Math.round(await courier(await server.keySpace(), 1)),
      courier2MsgPerSec: Math.round(await courier(await server.keySpace(), 2)),
    };
    const report = {
      ...results,
      courier1VsBareList: +(results.courier1MsgPerSec / results.bareListMsgPerSec).toFixed(2),
      courier2VsBareList: +(results.courier2MsgPerSec / results.bareListMsgPerSec).toFixed(2),
      node: process.version,
      at: new Date().toISOString(),
    };
    console.table(report);
    writeResults('inbox', report);
  } finally {
    await server.stop();
  }
}

void main();
