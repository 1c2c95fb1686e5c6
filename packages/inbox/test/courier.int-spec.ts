import { join } from 'node:path';
import { ChildFixture, Collector, deferred, eventually, type TestKeySpace } from '@parley/testing';
import { inboxConsumers, inboxDead, inboxHandoff, inboxOwners, inboxProcessing, inboxStats, KeyPartError } from '@parley/key-schema';
import { Registry } from 'prom-client';
import { DeadLetter, type DeadLetterEntry, InboxSender } from '../src';
import { courierTestbed, INBOX, msg, push, type TestMessage } from './helpers';


async function commandCalls(space: TestKeySpace, command: string): Promise<number> {
  const info = await space.redis.info('commandstats');
  const m = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return m ? Number(m[1]) : 0;
}

describe('inbox courier (real Redis)', () => {
  const bed = courierTestbed();
  const start = bed.start;
  let space: TestKeySpace;
  beforeEach(() => {
    space = bed.space;
  });

  it('sends many messages in one round trip and hands them over in push order', async () => {
    const before = await commandCalls(space, 'lpush');
    await new InboxSender(space.redis).send('loopbackparser', [
      { v: 1, type: 'ping', id: 'a' },
      { v: 1, type: 'ping', id: 'b' },
      { v: 1, type: 'ping', id: 'c' },
    ]);
    expect(await commandCalls(space, 'lpush')).toBe(before + 1);
    expect((await space.redis.lrange(INBOX, 0, -1)).reverse().map((r) => (JSON.parse(r) as { id: string }).id)).toEqual(['a', 'b', 'c']);
  });

  it("reports on /metrics the inbox's depth, how long its oldest message has waited, its dead letters and handling times", async () => {
    const registry = new Registry();
    const value = async (name: string) => ((await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.inbox === 'loopbackparser')?.value ?? NaN);
    const got = new Collector<TestMessage>();
    const consumer = start(async (m) => got.push(m), { metrics: registry });
    // Waiting before any consumer runs: the oldest (at the tail) was sent 5 s ago.
    await push(space, JSON.stringify({ ...msg(1, 1), sentAt: Date.now() - 5000 }), JSON.stringify({ ...msg(1, 2), sentAt: Date.now() }), 'not json');
    expect(await value('parley_inbox_depth')).toBe(3);
    expect(await value('parley_inbox_oldest_age_seconds')).toBeGreaterThanOrEqual(5);
    expect(await value('parley_inbox_dead_letters')).toBe(0);
    await consumer.start();
    await got.waitFor(2);
    await eventually(() => value('parley_inbox_dead_letters'), (d) => d === 1, 'the unreadable one dead-lettered');
    expect(await value('parley_inbox_depth')).toBe(0);
    expect(await value('parley_inbox_oldest_age_seconds')).toBe(0);
    const handled = ((await registry.getSingleMetric('parley_inbox_handle_seconds')!.get()).values as { metricName?: string; value: number }[]).filter((v) => v.metricName === 'parley_inbox_handle_seconds_count');
    expect(handled.reduce((k, v) => k + v.value, 0)).toBeGreaterThanOrEqual(1);
  });

  it('handles every message once and leaves nothing behind', async () => {
    const got = new Collector<TestMessage>();
    const consumer = start(async (m) => got.push(m), { batchSize: 10 });
    await consumer.start();
    await push(space, ...Array.from({ length: 95 }, (_, i) => msg((i % 5) + 1, i)));
    await got.waitFor(95);
    expect(got.items.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 95 }, (_, i) => i));
    await consumer.stop();
    expect(await space.redis.exists(INBOX, inboxProcessing('loopbackparser', consumer.id), inboxOwners('loopbackparser'))).toBe(0);
    expect(await space.redis.zcard(inboxConsumers('loopbackparser'))).toBe(0);
  });

  it('keeps each user in push order, with two consumers of one inbox at once', async () => {
    const users = 12;
    const perUser = 150;
    const seen = new Map<number, number[]>();
    const active = new Set<number>();
    const overlaps: number[] = [];
    const byConsumer = [0, 0];
    const done = new Collector<TestMessage>();
    const handler = (index: number) => async (m: TestMessage) => {
      if (active.has(m.userId)) overlaps.push(m.userId);
      active.add(m.userId);
      // Let the other consumer run in between, differently each time.
      for (let i = 0; i < m.seq % 4; i++) await new Promise((r) => setImmediate(r));
      seen.set(m.userId, [...(seen.get(m.userId) ?? []), m.seq]);
      active.delete(m.userId);
      byConsumer[index]!++;
      done.push(m);
    };
    const a = start(handler(0), { batchSize: 7, concurrency: 4 });
    const b = start(handler(1), { batchSize: 5, concurrency: 4 });
    await Promise.all([a.start(), b.start()]);
    // Several producers' bursts, interleaving users.
    for (let round = 0; round < perUser; round += 10) {
      const burst: TestMessage[] = [];
      for (let s = round; s < round + 10; s++) for (let u = 1; u <= users; u++) burst.push(msg(u, s));
      await push(space, ...burst);
    }
    await done.waitFor(users * perUser);
    expect(overlaps).toEqual([]);
    for (let u = 1; u <= users; u++) expect(seen.get(u)).toEqual(Array.from({ length: perUser }, (_, i) => i));
    expect(byConsumer[0]).toBeGreaterThan(0);
    expect(byConsumer[1]).toBeGreaterThan(0);
  });

  it('loses nothing when its connections are cut again and again mid-stream (at-least-once, order kept)', async () => {
    const users = 8;
    const perUser = 250;
    const seen = new Map<number, number[]>();
    let handled = 0;
    const killer = space.connect();
    const cuts: Promise<unknown>[] = [];
    const consumer = start(
      async (m) => {
        seen.set(m.userId, [...(seen.get(m.userId) ?? []), m.seq]);
        if (++handled % 300 === 0) cuts.push(killer.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
      },
      { batchSize: 20, concurrency: 4 },
    );
    await consumer.start();
    const all: TestMessage[] = [];
    for (let s = 0; s < perUser; s++) for (let u = 1; u <= users; u++) all.push(msg(u, s));
    await push(space, ...all);
    // Wait until every user's last message has been handled.
    await eventually(
      () => Promise.resolve([...seen.values()].filter((l) => l.includes(perUser - 1)).length),
      (n) => n === users,
      'every last message handled',
    );
    await Promise.allSettled(cuts);
    expect(cuts.length).toBeGreaterThan(2);
    for (let u = 1; u <= users; u++) {
      const got = seen.get(u)!;
      // Every message arrived; a batch cut before its acknowledgement may be handled again, but a
      // user's first sightings are in push order.
      const first = got.filter((s, i) => got.indexOf(s) === i);
      expect(first).toEqual(Array.from({ length: perUser }, (_, i) => i));
    }
  });

  it('dead-letters invalid messages with the reason, and counts them', async () => {
    const got = new Collector<TestMessage>();
    const consumer = start(async (m) => got.push(m));
    await consumer.start();
    await push(space, 'this is not JSON', JSON.stringify({ v: 1, hello: 'world' }), msg(1, 1));
    await got.waitFor(1);
    const dead = await eventually(() => space.redis.lrange(inboxDead('loopbackparser'), 0, -1), (l) => l.length === 2, 'two dead letters');
    const entries = dead.map((d) => JSON.parse(d) as DeadLetterEntry).reverse();
    expect(entries[0]).toMatchObject({ inbox: 'loopbackparser', message: 'this is not JSON', consumer: consumer.id });
    expect(entries[0]!.reason).toMatch(/^invalid message: invalid JSON/);
    expect(entries[1]!.reason).toBe('invalid message: not a test message');
    expect(await space.redis.hget(inboxStats('loopbackparser'), 'dead')).toBe('2');
  });

  it('retries a failing handler a bounded number of times, then dead-letters the message', async () => {
    const attempts = new Map<number, number>();
    const handled = new Collector<TestMessage>();
    const consumer = start(
      async (m) => {
        const n = (attempts.get(m.seq) ?? 0) + 1;
        attempts.set(m.seq, n);
        if (m.seq === 1) throw new Error('always broken');
        if (m.seq === 2 && n < 3) throw new Error('flaky');
        if (m.seq === 3) throw new DeadLetter('type test is not handled yet');
        // A name no key can hold is the same on every try: not retried.
        if (m.seq === 5) throw new KeyPartError('name', 'must be a non-empty string');
        handled.push(m);
      },
      { maxAttempts: 3 },
    );
    await consumer.start();
    await push(space, msg(1, 1), msg(1, 2), msg(1, 3), msg(1, 4), msg(1, 5), msg(1, 6));
    await handled.waitFor(3);
    expect(handled.items.map((m) => m.seq)).toEqual([2, 4, 6]);
    expect(attempts.get(1)).toBe(3);
    expect(attempts.get(2)).toBe(3);
    expect(attempts.get(3)).toBe(1);
    expect(attempts.get(5)).toBe(1);
    const entries = (await space.redis.lrange(inboxDead('loopbackparser'), 0, -1)).map((d) => JSON.parse(d) as DeadLetterEntry).reverse();
    expect(entries.map((e) => [e.reason, e.attempts])).toEqual([
      ['handler failed 3 times: always broken', 3],
      ['type test is not handled yet', 1],
      ["invalid key part 'name': must be a non-empty string", 1],
    ]);
  });

  it('takes back the batch of a consumer killed between taking and acknowledging (SIGKILL), in order', async () => {
    const child = ChildFixture.start(join(__dirname, 'fixtures', 'stuck-consumer.ts'), { REDIS_URL: space.url, TTL_MS: '1000', BATCH_SIZE: '6' });
    bed.track(child);
    const deadId = (await child.waitForLine((l) => l.startsWith('STARTED '))).slice('STARTED '.length);
    await push(space, ...[1, 2, 3].flatMap((s) => [msg(1, s), msg(2, s)]));
    await child.waitForLine((l) => l.startsWith('TAKEN'));
    await child.kill('SIGKILL');
    // The dead consumer's batch is still in its processing list: nothing was lost with it.
    expect(await space.redis.llen(inboxProcessing('loopbackparser', deadId))).toBe(6);
    // Later messages of the same users must still come after the dead consumer's ones.
    await push(space, msg(1, 4), msg(2, 4), msg(3, 1));
    const got = new Collector<TestMessage>();
    const survivor = start(async (m) => got.push(m), { consumerTtlMs: 1000 });
    await survivor.start();
    await got.waitFor(9);
    const order = (u: number) => got.items.filter((m) => m.userId === u).map((m) => m.seq);
    expect(order(1)).toEqual([1, 2, 3, 4]);
    expect(order(2)).toEqual([1, 2, 3, 4]);
    expect(order(3)).toEqual([1]);
    expect(await space.redis.exists(inboxProcessing('loopbackparser', deadId), inboxHandoff('loopbackparser', deadId))).toBe(0);
    expect(await space.redis.zrange(inboxConsumers('loopbackparser'), '0', '-1')).toEqual([survivor.id]);
  });

  it('a restarted consumer with the same stable name takes its own batch back at once', async () => {
    const child = ChildFixture.start(join(__dirname, 'fixtures', 'stuck-consumer.ts'), { REDIS_URL: space.url, TTL_MS: '600000', CONSUMER_NAME: 'pod-0' });
    bed.track(child);
    await child.waitForLine((l) => l.startsWith('STARTED pod-0@'));
    await push(space, msg(7, 1), msg(7, 2));
    await child.waitForLine((l) => l.startsWith('TAKEN'));
    await child.kill('SIGKILL');
    const got = new Collector<TestMessage>();
    // Its registration would last ten minutes: only the stable name lets the new one take over now.
    const restarted = start(async (m) => got.push(m), { name: 'pod-0', consumerTtlMs: 600000 });
    await restarted.start();
    await got.waitFor(2);
    expect(got.items.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('sticky: a user stays with the consumer that took them, after their messages are acknowledged, until it stops', async () => {
    const a = new Collector<TestMessage>();
    const b = new Collector<TestMessage>();
    const first = start(async (m) => a.push(m), { sticky: true });
    await first.start();
    await push(space, msg(1, 1));
    await a.waitFor(1);
    // Acknowledged, and still first's: the owners hash keeps it at 0 in flight.
    await eventually(() => space.redis.hget(inboxOwners('loopbackparser'), '1'), (v) => v === `${first.id}|0`, 'user 1 stays with first');
    const second = start(async (m) => b.push(m), { sticky: true });
    await second.start();
    // Whoever pops user 1's messages hands them to first; user 2 goes to whoever takes them.
    for (let seq = 2; seq <= 6; seq++) await push(space, msg(1, seq), msg(2, seq));
    await eventually(() => a.items.filter((m) => m.userId === 1).length + b.items.filter((m) => m.userId === 1).length, (k) => k >= 6, "user 1's messages");
    await eventually(() => a.items.length + b.items.length, (k) => k === 11, 'all of them');
    expect(a.items.filter((m) => m.userId === 1).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.items.filter((m) => m.userId === 1)).toEqual([]);
    // A graceful stop releases its users: the next one of user 1 goes to second.
    await first.stop();
    await push(space, msg(1, 7));
    await eventually(() => b.items.filter((m) => m.userId === 1).length, (k) => k === 1, 'user 1 at second');
    expect(b.items.filter((m) => m.userId === 1).map((m) => m.seq)).toEqual([7]);
  });

  it('sticky: the consumer that takes over a dead one is told which users it held', async () => {
    const child = ChildFixture.start(join(__dirname, 'fixtures', 'stuck-consumer.ts'), { REDIS_URL: space.url, TTL_MS: '600000', CONSUMER_NAME: 'pod-1', STICKY: '1' });
    bed.track(child);
    await child.waitForLine((l) => l.startsWith('STARTED pod-1@'));
    await push(space, msg(3, 1), msg(4, 1));
    await child.waitForLine((l) => l.startsWith('TAKEN'));
    await child.kill('SIGKILL');
    const told: string[][] = [];
    const got = new Collector<TestMessage>();
    const restarted = start(async (m) => got.push(m), { name: 'pod-1', consumerTtlMs: 600000, sticky: true, onReclaimed: async (users) => void told.push(users) });
    await restarted.start();
    expect(told.map((t) => [...t].sort())).toEqual([['3', '4']]);
    await got.waitFor(2);
    // Handled and acknowledged, the users stay with it.
    await eventually(() => space.redis.hgetall(inboxOwners('loopbackparser')), (o) => o['3'] === `${restarted.id}|0` && o['4'] === `${restarted.id}|0`, 'both users stay with it');
  });

  it('a graceful stop finishes the batch in hand and gives back what was handed to it', async () => {
    const gate = deferred();
    const first = new Collector<TestMessage>();
    const a = start(async (m) => {
      first.push(m);
      if (m.seq === 1) await gate.promise;
    });
    await a.start();
    await push(space, msg(1, 1));
    await first.waitFor(1); // a holds user 1 now
    const second = new Collector<TestMessage>();
    const b = start(async (m) => second.push(m));
    await b.start();
    await push(space, msg(1, 2), msg(2, 1));
    // b routes user 1's next message to a (which owns user 1) and handles user 2 itself.
    await second.waitFor(1);
    expect(second.items.map((m) => [m.userId, m.seq])).toEqual([[2, 1]]);
    await eventually(() => space.redis.llen(inboxHandoff('loopbackparser', a.id)), (n) => n === 1, 'handoff to a');
    const stopped = a.stop();
    gate.resolve();
    await stopped;
    // a finished message 1; message 2 went back to the inbox and b handled it after.
    expect(first.items.map((m) => m.seq)).toEqual([1]);
    await second.waitFor(2);
    expect(second.items.map((m) => [m.userId, m.seq])).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(await space.redis.zrange(inboxConsumers('loopbackparser'), '0', '-1')).toEqual([b.id]);
  });

  it('a consumer presumed dead is fenced: it re-registers and its batch is handled again, not lost', async () => {
    const gate = deferred();
    const got = new Collector<TestMessage>();
    const a = start(async (m) => {
      got.push(m);
      await gate.promise;
    });
    await a.start();
    const firstId = a.id;
    await push(space, msg(5, 1));
    await got.waitFor(1);
    // As if a's heartbeat had lapsed and another consumer had taken its batch over.
    await space.redis.zadd(inboxConsumers('loopbackparser'), '0', firstId);
    const b = start(async (m) => got.push(m), { consumerTtlMs: 1000 });
    await b.start();
    await got.waitFor(2);
    gate.resolve();
    await eventually(() => Promise.resolve(a.id), (id) => id !== firstId, 'a re-registered');
    await push(space, msg(6, 1));
    await got.waitFor(3);
    expect(got.items.map((m) => [m.userId, m.seq])).toEqual([
      [5, 1],
      [5, 1],
      [6, 1],
    ]);
  });
});
