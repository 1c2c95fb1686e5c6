import { TestRedisCluster } from './redis-cluster';

describe('TestRedisCluster', () => {
  let cluster: TestRedisCluster;
  beforeAll(async () => {
    cluster = await TestRedisCluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('is a real 3-master cluster with every slot served', async () => {
    const space = await cluster.keySpace();
    try {
      const info = await space.redis.cluster('INFO');
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      expect(info).toContain('cluster_size:3');
      expect(cluster.ports).toHaveLength(3);
      expect(cluster.url.split(',')).toHaveLength(3);
    } finally {
      await space.cleanup();
    }
  });

  it('refuses a multi-key command across slots, and runs one within a hash tag', async () => {
    const space = await cluster.keySpace();
    try {
      // a and b hash to slots on different masters; {t}a and {t}b share one.
      await expect(space.redis.eval("return redis.call('MSET', KEYS[1], '1', KEYS[2], '2')", 2, 'a', 'b')).rejects.toThrow(/CROSSSLOT/);
      await space.redis.eval("return redis.call('MSET', KEYS[1], '1', KEYS[2], '2')", 2, '{t}a', '{t}b');
      expect(await space.redis.mget('{t}a', '{t}b')).toEqual(['1', '2']);
    } finally {
      await space.cleanup();
    }
  });

  it('offers one key space at a time, empty', async () => {
    const a = await cluster.keySpace();
    await a.redis.set('k', '1');
    await expect(cluster.keySpace()).rejects.toThrow('one key space at a time');
    await a.cleanup();
    const b = await cluster.keySpace();
    expect(await b.redis.get('k')).toBeNull();
    await b.cleanup();
  });
});
