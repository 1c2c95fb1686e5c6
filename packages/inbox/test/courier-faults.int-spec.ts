import { inboxConsumers, inboxDead, inboxHandoff, inboxOwners, inboxProcessing, inboxStats, inboxTakes, inboxKeyPrefix } from '@parley/key-schema';
import { Collector, deferred, eventually, type TestKeySpace } from '@parley/testing';
import { type DeadLetterEntry, LuaScript } from '../src';
import { courierTestbed, INBOX, msg, push, silentLogger, type TestMessage } from './helpers';


/** What happens to the courier when the network, Redis or a handler misbehaves. */
describe('inbox courier under faults (real Redis)', () => {
  const bed = courierTestbed();
  const start = bed.start;
  let space: TestKeySpace;
  beforeEach(() => {
    space = bed.space;
  });

  it('a take sent twice (its reply lost in a reconnect) is answered again, never redone', async () => {
    const take = LuaScript.load('take');
    const me = 'c@1';
    const k = {
      processing: inboxProcessing('loopbackparser', me),
      handoff: inboxHandoff('loopbackparser', me),
      owners: inboxOwners('loopbackparser'),
      consumers: inboxConsumers('loopbackparser'),
      takes: inboxTakes('loopbackparser'),
    };
    const keys = [INBOX, k.processing, k.handoff, k.owners, k.consumers, k.takes];
    const prefix = inboxKeyPrefix('loopbackparser');
    await space.redis.zadd(k.consumers, '99999999999999', me);
    await push(space, msg(1, 1), msg(1, 2), msg(1, 3), msg(1, 4));
    const first = (await take.run(space.redis, keys, [me, 2, prefix, 60000, 1, '0'])) as string[];
    const second = (await take.run(space.redis, keys, [me, 2, prefix, 60000, 2, '0', '1', 2])) as string[];
    // The reply to take 2 was lost and the same command arrives again.
    const resent = (await take.run(space.redis, keys, [me, 2, prefix, 60000, 2, '0', '1', 2])) as string[];
    const seqs = (reply: string[]) => reply.filter((_, i) => i % 2 === 1).map((r) => (JSON.parse(r) as TestMessage).seq);
    expect(seqs(first)).toEqual([1, 2]);
    expect(seqs(second)).toEqual([3, 4]);
    expect(seqs(resent)).toEqual([3, 4]);
    expect(await space.redis.llen(k.processing)).toBe(2);
    // Acknowledged once: user 1 still counts the two messages in hand.
    expect(await space.redis.hget(k.owners, '1')).toBe(`${me}|2`);
  });

  it('after an outage that let every registration lapse, live consumers do not reclaim each other', async () => {
    const got = new Collector<TestMessage>();
    const a = start(async (m) => got.push(m), { consumerTtlMs: 600 });
    const b = start(async (m) => got.push(m), { consumerTtlMs: 600 });
    await Promise.all([a.start(), b.start()]);
    const ids = [a.id, b.id];
    // As if Redis had been unreachable longer than the TTL: deadlines lapsed, connections dropped.
    await space.redis.zadd(inboxConsumers('loopbackparser'), '0', a.id, '0', b.id);
    await space.redis.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    // Wait until both have renewed several times, well past the point where they could reclaim.
    for (let round = 0; round < 4; round++) {
      const before = await space.redis.zrange(inboxConsumers('loopbackparser'), '0', '-1', 'WITHSCORES');
      await eventually(
        () => space.redis.zrange(inboxConsumers('loopbackparser'), '0', '-1', 'WITHSCORES'),
        (now) => now.length === 4 && now[1] !== before[1] && now[3] !== before[3],
        'both consumers renewed',
      );
    }
    expect([a.id, b.id]).toEqual(ids);
    await push(space, msg(1, 1), msg(2, 1));
    await got.waitFor(2);
  });

  it('stop() ends a long blocking wait at once, even after the blocking connection was replaced', async () => {
    const consumer = start(async () => undefined, { blockMs: 60_000 });
    await consumer.start();
    // Drop the blocking connection; it reconnects with a new client id and blocks again.
    const blockedClients = async () => ((await space.redis.client('LIST')) as string).split('\n').filter((l) => l.includes('cmd=blmove'));
    const [blocked] = await eventually(blockedClients, (l) => l.length === 1, 'the consumer blocked');
    await space.redis.client('KILL', 'ID', /id=(\d+)/.exec(blocked!)![1]!);
    await eventually(blockedClients, (l) => l.length === 1 && l[0] !== blocked, 'blocked again on a new connection');
    // Jest's timeout (30 s) is shorter than the 60 s wait: this only passes if stop() interrupts it.
    await consumer.stop();
    expect(await space.redis.zcard(inboxConsumers('loopbackparser'))).toBe(0);
  });

  it('a dead letter that cannot be written leaves the message unacknowledged, and it is retried', async () => {
    await space.redis.set(inboxDead('loopbackparser'), 'not a list'); // LPUSH on it fails
    const errors = new Collector<string>();
    const logger = { ...silentLogger, error: (_: object, m?: string) => errors.push(m ?? '') };
    const consumer = start(async () => undefined, { logger });
    await consumer.start();
    await push(space, 'not JSON');
    expect(await errors.waitFor(1)).toEqual(['handling a batch failed; it will be handled again, not acknowledged']);
    expect(await space.redis.llen(inboxProcessing('loopbackparser', consumer.id))).toBe(1);
    await space.redis.del(inboxDead('loopbackparser'));
    const dead = await eventually(() => space.redis.lrange(inboxDead('loopbackparser'), 0, -1), (l) => l.length >= 1, 'dead letter written');
    expect((JSON.parse(dead[0]!) as DeadLetterEntry).message).toBe('not JSON');
    expect(Number(await space.redis.hget(inboxStats('loopbackparser'), 'dead'))).toBeGreaterThanOrEqual(1);
  });

  it('a handler that never answers times out, is retried, then dead-lettered; the user goes on', async () => {
    const hang = deferred();
    const got = new Collector<TestMessage>();
    const consumer = start(
      async (m) => {
        if (m.seq === 1) return hang.promise;
        got.push(m);
      },
      { handlerTimeoutMs: 100, maxAttempts: 2 },
    );
    await consumer.start();
    await push(space, msg(3, 1), msg(3, 2));
    await got.waitFor(1);
    expect(got.items.map((m) => m.seq)).toEqual([2]);
    const [entry] = (await space.redis.lrange(inboxDead('loopbackparser'), 0, -1)).map((d) => JSON.parse(d) as DeadLetterEntry);
    expect(entry).toMatchObject({ reason: 'handler failed 2 times: handler timed out after 100 ms', attempts: 2 });
    hang.resolve();
  });
});
