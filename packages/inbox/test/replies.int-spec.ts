import { gatewayChannel, sessionReplies } from '@parley/key-schema';
import { Collector, useTestRedis } from '@parley/testing';
import { parseStoredReply, RequestReplies } from '../src';

describe('RequestReplies (real Redis)', () => {
  const redis = useTestRedis();
  const to = { userId: 42, sessionId: 'sessA1234', requestId: '3', gateway: '4242-0a1b2c3d' };
  const claim = () => redis.space.redis.hset(sessionReplies(42, 'sessA1234'), '3', `P${Date.now()}`);

  it('stores the answer of a claimed request once and announces it to the gateway that forwarded it', async () => {
    await claim();
    const subscriber = redis.space.connect();
    const messages = new Collector<string>();
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe(gatewayChannel('4242-0a1b2c3d'));
    const replies = new RequestReplies(redis.space.redis);
    expect(await replies.isPending(to)).toBe(true);
    expect(await replies.answer(to, { status: 'OK' })).toBe(true);
    // A second answer (a redelivered request) changes nothing.
    expect(await replies.fail(to, 'INTERNAL', 'again')).toBe(false);
    expect(await replies.isPending(to)).toBe(false);
    const stored = await redis.space.redis.hget(sessionReplies(42, 'sessA1234'), '3');
    expect(parseStoredReply(stored!)).toEqual({ pending: false, answer: { status: 'OK' } });
    expect(JSON.parse((await messages.waitFor(1))[0]!)).toEqual({ replies: [{ sessionId: 'sessA1234', requestId: '3', answer: { status: 'OK' } }] });
    subscriber.disconnect();
  });

  it('does not answer a request nobody claimed (its session is gone)', async () => {
    const replies = new RequestReplies(redis.space.redis);
    expect(await replies.answer(to, { status: 'OK' })).toBe(false);
    expect(await redis.space.redis.exists(sessionReplies(42, 'sessA1234'))).toBe(0);
  });

  it('reads a pending entry with its claim time', () => {
    expect(parseStoredReply('P1700000000000')).toEqual({ pending: true, claimedAt: 1700000000000 });
  });
});
