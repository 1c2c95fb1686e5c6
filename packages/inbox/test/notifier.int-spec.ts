import { gatewayChannel, outbox, session, sessionList } from '@parley/key-schema';
import type { Notification } from '@parley/protocol';
import { Collector, useTestRedis } from '@parley/testing';
import { Notifier } from '../src';

describe('Notifier (real Redis)', () => {
  const redis = useTestRedis();
  const userId = 42;

  /** Live sessions as the gateway creates them (next seq 1), held by the given gateways ('': none yet). */
  async function sessions(held: Record<string, string>) {
    const r = redis.space.redis;
    for (const [sid, gateway] of Object.entries(held)) {
      await r.zadd(sessionList(userId), Date.now(), sid);
      await r.hset(session(userId, sid), 'listenRcvNext', 1, 'sendRcvNext', 1, 'timeStamp', Date.now());
      if (gateway) await r.hset(session(userId, sid), 'gateway', gateway);
    }
  }
  const twoSessions = () => sessions({ sessA: 'gw-1', sessB: 'gw-2' });
  const entries = async (sid: string) => (await redis.space.redis.lrange(outbox(userId, sid), 0, -1)).map((e) => JSON.parse(e) as { seq: number; type: string });
  const settings = (n: number): Notification => ({ type: 'UPDATE_SETTINGS', settings: { n } });

  it('appends to every session with per-session sequence numbers, in one step', async () => {
    await twoSessions();
    const notifier = new Notifier(redis.space.redis);
    expect(await notifier.notifyUser(userId, [settings(1), settings(2)])).toEqual(['sessA', 'sessB']);
    expect(await notifier.notifyUser(userId, [settings(3)], 'sessA')).toEqual(['sessB']);
    expect(await notifier.notifySession(userId, 'sessA', [settings(4)])).toEqual(['sessA']);
    expect((await entries('sessA')).map((e) => [e.seq, e.type])).toEqual([
      [1, 'UPDATE_SETTINGS'],
      [2, 'UPDATE_SETTINGS'],
      [3, 'UPDATE_SETTINGS'],
    ]);
    expect((await entries('sessB')).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await redis.space.redis.hget(session(userId, 'sessA'), 'listenRcvNext')).toBe('4');
  });

  it('wakes each gateway once, on its own channel, with the sessions it holds', async () => {
    await sessions({ sessA: 'gw-1', sessB: 'gw-2', sessC: 'gw-1', sessD: 'gw-1', sessE: '' });
    const subscriber = redis.space.connect();
    const wakes = new Collector<string>();
    subscriber.on('message', (channel: string, message: string) => wakes.push(`${channel} ${message}`));
    await subscriber.subscribe(gatewayChannel('gw-1'), gatewayChannel('gw-2'));
    // sessD's own action: it is not told; sessE is held by no gateway yet: told, nobody woken.
    expect(await new Notifier(redis.space.redis).notifyUser(userId, [settings(1)], 'sessD')).toEqual(['sessA', 'sessB', 'sessC', 'sessE']);
    expect((await wakes.waitFor(2)).sort()).toEqual(['notify:gateway:gw-1 {"wake":["sessA","sessC"]}', 'notify:gateway:gw-2 {"wake":["sessB"]}']);
    expect(await redis.space.redis.llen(outbox(userId, 'sessE'))).toBe(1);
    subscriber.disconnect();
  });

  it('cuts an outbox that would pass its bound and marks the session for a full re-init', async () => {
    await twoSessions();
    const notifier = new Notifier(redis.space.redis, 3);
    await notifier.notifySession(userId, 'sessB', [settings(1), settings(2)]);
    await notifier.notifySession(userId, 'sessB', [settings(3), settings(4)]);
    expect(await redis.space.redis.exists(outbox(userId, 'sessB'))).toBe(0);
    expect(await redis.space.redis.hget(session(userId, 'sessB'), 'reinit')).toBe('1');
    // Sequence numbers keep counting, so nothing is ever numbered twice.
    expect(await redis.space.redis.hget(session(userId, 'sessB'), 'listenRcvNext')).toBe('5');
  });

  it('notifies nobody for an unknown session, or a listed one whose hash is gone', async () => {
    await twoSessions();
    await redis.space.redis.del(session(userId, 'sessB'));
    const notifier = new Notifier(redis.space.redis);
    expect(await notifier.notifySession(userId, 'nope', [settings(1)])).toEqual([]);
    expect(await notifier.notifyUser(userId, [settings(1)])).toEqual(['sessA']);
    expect(await redis.space.redis.exists(outbox(userId, 'sessB'), session(userId, 'sessB'))).toBe(0);
  });
});
