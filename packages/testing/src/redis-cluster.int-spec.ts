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

describe('TestRedisCluster with replicas', () => {
  it('fails a slot over to its replica: the data is there, served by the new master', async () => {
    const cluster = await TestRedisCluster.start({ masters: 3, replicas: 1 });
    try {
      expect(cluster.ports).toHaveLength(6);
      const space = await cluster.keySpace();
      // (Only commands with a key on the cluster client: a keyless one goes to any node, perhaps
      // a replica connection the client is closing as it learns the topology.)
      await space.redis.set('{t}k', 'kept');
      const before = await cluster.masterOf('{t}k');
      const { from, to } = await cluster.failover('{t}k');
      expect(from).toBe(before);
      expect(to).not.toBe(from);
      expect(await cluster.masterOf('{t}k')).toBe(to);
      // The client follows the move (MOVED), and nothing written before it is lost.
      expect(await space.redis.get('{t}k')).toBe('kept');
      await space.redis.set('{t}k', 'after');
      expect(await space.redis.get('{t}k')).toBe('after');
      await space.cleanup();
    } finally {
      await cluster.stop();
    }
  });
});
