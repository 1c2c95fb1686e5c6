import { objectHash } from '@parley/key-schema';
import { eventually, useTestRedis } from '@parley/testing';
import { GatewayFixture, waitForType } from './gateway.fixture';

/** Two gateways on one Redis: sessions of one user on both, and a session moving between them. */
describe('two gateways (real Redis, real sockets)', () => {
  const redis = useTestRedis();
  const one = new GatewayFixture(() => redis.space);
  const two = new GatewayFixture(() => redis.space);

  beforeEach(async () => {
    await one.start();
    await two.start();
  });
  afterEach(async () => {
    await one.stop();
    await two.stop();
  });
  afterAll(() => {
    one.cleanup();
    two.cleanup();
  });

  it('announces an edit of the IRC network list once, though both gateways see it', async () => {
    const me = await one.user();
    const a = one.client(me.token);
    const b = two.client(me.token);
    await a.client.connect();
    await b.client.connect();
    await waitForType(a.seen, 'FINISH_INIT');
    await waitForType(b.seen, 'FINISH_INIT');
    await redis.space.redis.hmset(objectHash('Network', 1), { name: 'first', host: '127.0.0.1', port: '6667' });
    for (const s of [a, b]) await waitForType(s.seen, 'NETWORK_LIST', 2);
    // Both gateways have the new list: a second edit is told after the first (one each, in order).
    await eventually(() => [one.networkList(), two.networkList()], (lists) => lists.every((l) => l.length === 1), 'both gateways know it');
    await redis.space.redis.hmset(objectHash('Network', 2), { name: 'second', host: '127.0.0.1', port: '6667' });
    for (const s of [a, b]) {
      const lists = await waitForType(s.seen, 'NETWORK_LIST', 3);
      expect(lists.map((l) => (l as { networks: { name: string }[] }).networks.map((n) => n.name))).toEqual([[], ['first'], ['first', 'second']]);
    }
    await eventually(() => [one.networkList(), two.networkList()], (lists) => lists.every((l) => l.length === 2), 'both gateways know both');
    // Both have announced what they saw; had both told the sessions, a fourth list would be in
    // the outbox. A SET's echo comes after anything appended before it.
    await one.networksAnnounced();
    await two.networksAnnounced();
    expect(await a.client.request({ id: 'SET', settings: { n: 1 } })).toEqual({ status: 'OK' });
    await waitForType(b.seen, 'UPDATE_SETTINGS', 2);
    expect(b.seen.items.filter((n) => n.type === 'NETWORK_LIST')).toHaveLength(3);
  });

  it("delivers a user's notifications to sessions on either gateway, and resumes a session on the other one", async () => {
    const me = await one.user();
    const a = one.client(me.token);
    const b = two.client(me.token);
    await a.client.connect();
    const first = await b.client.connect();
    await waitForType(b.seen, 'FINISH_INIT');
    expect(await a.client.request({ id: 'SET', settings: { n: 1 } })).toEqual({ status: 'OK' });
    await waitForType(b.seen, 'UPDATE_SETTINGS', 2);

    // b leaves gateway two and comes back through gateway one.
    b.client.disconnect();
    const lastSeq = b.client.lastSeq;
    expect(await a.client.request({ id: 'SET', settings: { n: 2 } })).toEqual({ status: 'OK' });
    const moved = one.client(b.client.token!);
    moved.client.sessionId = first.sessionId;
    moved.client.lastSeq = lastSeq;
    expect(await moved.client.connect()).toMatchObject({ sessionId: first.sessionId, resumed: true });
    const [update] = await waitForType(moved.seen, 'UPDATE_SETTINGS');
    expect(update).toMatchObject({ seq: lastSeq + 1, settings: { n: 2 } });
    expect(moved.seen.items).toHaveLength(1);
    // From now on its wake-ups go to gateway one.
    expect(await a.client.request({ id: 'SET', settings: { n: 3 } })).toEqual({ status: 'OK' });
    const later = await waitForType(moved.seen, 'UPDATE_SETTINGS', 2);
    expect(later[1]).toMatchObject({ seq: lastSeq + 2, settings: { n: 3 } });
  });

  it('lets go of a session on one gateway when it is taken over on the other', async () => {
    const me = await one.user();
    const a = one.client(me.token);
    const ack = await a.client.connect();
    await waitForType(a.seen, 'FINISH_INIT');
    const other = two.client(a.client.token!);
    other.client.sessionId = ack.sessionId;
    other.client.lastSeq = a.client.lastSeq;
    const closed = new Promise<void>((resolve) => a.client.socket.on('disconnect', () => resolve()));
    expect(await other.client.connect()).toMatchObject({ sessionId: ack.sessionId, resumed: true });
    await closed;
  });
});
