import { inboxDead } from '@parley/key-schema';
import { Collector } from '@parley/testing';
import { courierTestbed, msg, push, type TestMessage } from './helpers';

/** `handleGroup`: a user's share of a batch in one call, with the one-by-one path behind it. */
describe('courier group handling (real Redis)', () => {
  const bed = courierTestbed();

  it("gives each user's messages of a batch to handleGroup in push order", async () => {
    const groups = new Collector<TestMessage[]>();
    const single = new Collector<TestMessage>();
    const consumer = bed.start(async (m) => single.push(m), { batchSize: 30, handleGroup: async (ms) => groups.push(ms) });
    // Pushed before the consumer starts, so the first take holds all of them.
    await push(bed.space, ...Array.from({ length: 30 }, (_, i) => msg((i % 3) + 1, i)));
    await consumer.start();
    await groups.waitFor(3);
    for (const group of groups.items) {
      const user = group[0]!.userId;
      expect(group.every((m) => m.userId === user)).toBe(true);
      expect(group.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, k) => user - 1 + 3 * k));
    }
    expect(single.items).toEqual([]);
  });

  it('handles the messages one by one, in order, when the group handler fails', async () => {
    const single = new Collector<TestMessage>();
    let groupCalls = 0;
    const consumer = bed.start(async (m) => single.push(m), {
      batchSize: 10,
      handleGroup: () => {
        groupCalls++;
        return Promise.reject(new Error('no pipelining today'));
      },
    });
    await push(bed.space, ...Array.from({ length: 10 }, (_, i) => msg(7, i)));
    await consumer.start();
    await single.waitFor(10);
    expect(groupCalls).toBeGreaterThan(0);
    expect(single.items.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('dead-letters an unreadable message once and handles the rest of its group one by one', async () => {
    const single = new Collector<TestMessage>();
    let groupCalls = 0;
    const consumer = bed.start(async (m) => single.push(m), {
      batchSize: 10,
      handleGroup: async () => {
        groupCalls++;
      },
    });
    await push(bed.space, msg(7, 1), '{"v":1,"type":"test","userId":7}', msg(7, 2));
    await consumer.start();
    await single.waitFor(2);
    expect(single.items.map((m) => m.seq)).toEqual([1, 2]);
    expect(groupCalls).toBe(0);
    expect(await bed.space.redis.llen(inboxDead('loopbackparser'))).toBe(1);
  });
});
