import Redis, { type ChainableCommander, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** The Redis connection type, for code that hands the connection on (BullMQ) or to a repository. */
export type RedisConnection = Redis;

/**
 * The app's shared Redis connection. Errors are logged once per outage (ioredis retries by itself),
 * never swallowed: commands issued while Redis is down fail to their callers.
 */
export function createRedisConnection(url: string, name: string, logger: Logger): Redis {
  // Auto-pipelining sends the commands issued in one turn of the event loop in one write: the
  // hot paths (a request, a fan-out) issue many small independent commands.
  return logOutages(new Redis(url, { connectionName: name, maxRetriesPerRequest: 3, enableReadyCheck: true, enableAutoPipelining: true }), name, logger);
}

/**
 * Another connection with the same settings, for blocking commands or BullMQ (which need
 * `maxRetriesPerRequest: null`), with the same outage logging (an ioredis connection without an
 * 'error' listener prints unstructured "Unhandled error event" lines).
 */
export function duplicateConnection(redis: Redis, name: string, logger: Logger, options: RedisOptions = {}): Redis {
  // Blocking commands, subscribers and BullMQ get their own connection and no auto-pipelining.
  return logOutages(redis.duplicate({ connectionName: name, enableAutoPipelining: false, ...options }), name, logger);
}

function logOutages(redis: Redis, name: string, logger: Logger): Redis {
  const where = redacted(`redis://${redis.options.host ?? ''}:${String(redis.options.port ?? '')}/${String(redis.options.db ?? 0)}`);
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.error({ err, redis: where, connection: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: where, connection: name }, 'redis connection restored');
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

export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${String(answer)}`);
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
