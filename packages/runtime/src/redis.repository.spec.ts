import { clusterSeeds, redacted } from './redis.repository';

describe('clusterSeeds', () => {
  it('reads every node of a comma-separated REDIS_URL', () => {
    expect(clusterSeeds('redis://10.0.0.1:7000, redis://u:secret@10.0.0.2:7001/0,rediss://redis-2')).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: 'redis-2', port: 6379 },
    ]);
  });

  it('refuses a database other than 0, without showing the password', () => {
    expect(() => clusterSeeds('redis://u:secret@10.0.0.1:7000/3')).toThrow('a Redis Cluster has database 0 only (got redis://***@10.0.0.1:7000/3)');
    expect(redacted('redis://u:secret@h:1/0')).toBe('redis://***@h:1/0');
  });
});
