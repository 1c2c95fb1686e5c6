import { CLUSTER_MODE, keySlot } from '@parley/key-schema';
import Redis, { Cluster, type ChainableCommander, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The app's Redis connection: one Redis, or a Redis Cluster client when REDIS_CLUSTER is on. The
 * commands are the same; what differs (where a blocking client lives, keyspace events, SCAN) is
 * handled by the code that needs it, with `nodesOf`.
 */
export type RedisConnection = Redis | Cluster;

/**
 * The app's shared Redis connection (a Cluster client when REDIS_CLUSTER is on). Errors are logged
 * once per outage (ioredis retries by itself), never swallowed: commands issued while Redis is down
 * fail to their callers.
 */
export function createRedisConnection(url: string, name: string, logger: Logger): RedisConnection {
  // Auto-pipelining sends the commands issued in one turn of the event loop in one write: the
  // hot paths (a request, a fan-out) issue many small independent commands.
  const options = { connectionName: name, maxRetriesPerRequest: 3, enableReadyCheck: true, enableAutoPipelining: true };
  if (!CLUSTER_MODE) return logOutages(new Redis(url, options), name, logger);
  return logOutages(new Cluster(clusterSeeds(url), clusterOptions(url, options)), name, logger);
}

/**
 * A cluster's seed nodes from REDIS_URL, which may name several (comma-separated); the client
 * learns the others from CLUSTER SLOTS. A cluster has database 0 only: a path is refused.
 */
export function clusterSeeds(url: string): { host: string; port: number }[] {
  return url.split(',').map((one) => {
    const u = new URL(one.trim());
    if (u.pathname !== '' && u.pathname !== '/' && u.pathname !== '/0') throw new Error(`REDIS_URL: a Redis Cluster has database 0 only (got ${redacted(one)})`);
    return { host: u.hostname, port: Number(u.port || 6379) };
  });
}

function clusterOptions(url: string, options: RedisOptions & { enableAutoPipelining?: boolean }): ClusterOptions {
  const first = new URL(url.split(',')[0]!.trim());
  const { enableAutoPipelining, enableReadyCheck, ...redisOptions } = options;
  return {
    enableAutoPipelining: enableAutoPipelining ?? false,
    enableReadyCheck: enableReadyCheck ?? true,
    // Every node gets the seed's credentials and TLS (a cluster's nodes share them).
    redisOptions: {
      ...redisOptions,
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  };
}

/**
 * Another connection with the same settings, for blocking commands or BullMQ (which need
 * `maxRetriesPerRequest: null`), with the same outage logging (an ioredis connection without an
 * 'error' listener prints unstructured "Unhandled error event" lines).
 */
export function duplicateConnection(redis: RedisConnection, name: string, logger: Logger, options: RedisOptions = {}): RedisConnection {
  // Blocking commands, subscribers and BullMQ get their own connection and no auto-pipelining.
  if (redis instanceof Cluster) {
    const copy = redis.duplicate([], { enableAutoPipelining: false, redisOptions: { ...redis.options.redisOptions, connectionName: name, ...options } });
    return logOutages(copy, name, logger);
  }
  return logOutages(redis.duplicate({ connectionName: name, enableAutoPipelining: false, ...options }), name, logger);
}

/**
 * The Redis servers behind a connection: itself, or every master of a cluster (for what a cluster
 * does per node: keyspace events are published by the node that holds the key, SCAN walks one
 * node, CONFIG sets one node).
 */
export function nodesOf(redis: RedisConnection): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/**
 * The server that holds `key`: the connection itself, or the pooled connection to the cluster
 * master that serves the key's slot (undefined until the client has learnt the slots). A command
 * without keys (CLIENT ID, CLIENT UNBLOCK) goes to a random node of a cluster unless sent here.
 */
export function nodeForKey(redis: RedisConnection, key: string): Redis | undefined {
  if (!(redis instanceof Cluster)) return redis;
  const owner = redis.slots[keySlot(key)]?.[0];
  return owner === undefined ? undefined : redis.nodes('master').find((n) => nodeName(n) === owner);
}

/** The logical database a connection uses: a cluster has database 0 only. */
export function databaseOf(redis: RedisConnection): number {
  return redis instanceof Cluster ? 0 : (redis.options.db ?? 0);
}

/** `host:port` of one server, as a cluster client names its nodes. */
export function nodeName(node: Redis): string {
  return `${node.options.host ?? ''}:${String(node.options.port ?? '')}`;
}

/** Where a connection points, for logs (without the password). */
export function describeConnection(redis: RedisConnection): string {
  if (redis instanceof Cluster) return `redis-cluster (${redis.nodes('master').map(nodeName).join(',') || 'nodes not known yet'})`;
  return redacted(`redis://${redis.options.host ?? ''}:${String(redis.options.port ?? '')}/${String(redis.options.db ?? 0)}`);
}

function logOutages<R extends RedisConnection>(redis: R, name: string, logger: Logger): R {
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.error({ err, redis: describeConnection(redis), connection: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: describeConnection(redis), connection: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}

/**
 * Runs a MULTI and returns its results, rejecting if any command failed: EXEC answers each
 * command's error inside its result instead of rejecting, which is easy to miss (and to swallow).
 */
export async function execOrThrow(tx: ChainableCommander): Promise<[Error | null, unknown][]> {
  const results = await tx.exec();
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw new Error(`transaction failed: ${failed?.[0]?.message ?? 'aborted'}`);
  return results;
}

export async function pingRedis(redis: RedisConnection): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${String(answer)}`);
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
