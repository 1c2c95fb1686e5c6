import { session, settings } from '@parley/key-schema';
import { SessionLostError } from '@parley/client';
import { eventually, useTestRedis } from '@parley/testing';
import { GatewayFixture, waitForType } from './gateway.fixture';

/** packages/client against a real gateway: what it promises about requests and listeners. */
describe('the client package (real gateway, real Redis)', () => {
  const redis = useTestRedis();
  const gw = new GatewayFixture(() => redis.space);

  beforeEach(() => gw.start());
  afterEach(() => gw.stop());
  afterAll(() => gw.cleanup());

  it('sends a request made while disconnected, once, in the new session when the old one is gone', async () => {
    const me = await gw.user();
    const { client, seen } = gw.client(me.token);
    const first = await client.connect();
    await waitForType(seen, 'FINISH_INIT');
    client.disconnect();
    // The session expires meanwhile: the next init cannot resume it.
    await redis.space.redis.del(session(me.userId, first.sessionId));
    const answer = client.request({ id: 'SET', settings: { waitedOffline: true } });
    const again = await client.connect();
    expect(again.resumed).toBe(false);
    expect(again.sessionId).not.toBe(first.sessionId);
    // Never emitted in the old session, so it moved to the new one (numbered 1 there) and ran.
    expect(await answer).toEqual({ status: 'OK' });
    expect(await redis.space.redis.hget(settings(me.userId), 'waitedOffline')).toBe('true');
  });

  it('rejects at once a request made after the server ended the session', async () => {
    const me = await gw.user();
    const { client, seen } = gw.client(me.token);
    await client.connect();
    await waitForType(seen, 'FINISH_INIT');
    const terminated = new Promise((resolve) => client.on('terminate', resolve));
    expect(await client.request({ id: 'LOGOUT' })).toEqual({ status: 'OK' });
    await terminated;
    await expect(client.request({ id: 'SET', settings: { x: 1 } })).rejects.toBeInstanceOf(SessionLostError);
  });

  it('loses no notification when a listener throws, and reports the failure', async () => {
    const me = await gw.user();
    const { client, seen } = gw.client(me.token);
    const problems: string[] = [];
    client.on('problem', (p) => problems.push(p));
    let thrown = 0;
    client.on('notification', (n) => {
      if (n.type === 'UPDATE_NETWORKS' && thrown++ === 0) throw new Error('a broken listener');
    });
    await client.connect();
    const finish = await waitForType(seen, 'FINISH_INIT');
    // Every notification of the burst reached the other listener, numbered without a gap.
    const seqs = seen.items.map((n) => n.seq);
    expect(seqs).toEqual(Array.from({ length: finish[0]!.seq }, (_, i) => i + 1));
    expect(seen.items.some((n) => n.type === 'UPDATE_NETWORKS')).toBe(true);
    expect(thrown).toBe(1);
    await eventually(() => problems, (p) => p.some((m) => m.includes('a broken listener')), 'the problem report');
    expect(client.gaps + client.duplicates).toBe(0);
  });
});
