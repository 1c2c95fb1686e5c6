/** The five Redis data types Parley stores. */
export type RedisType = 'string' | 'hash' | 'list' | 'set' | 'zset';

// Only exists at the type level: it makes `Key` nominal so that a string built by hand elsewhere
// does not type-check where a key is expected, while a `Key` still goes straight into ioredis.
declare const keyType: unique symbol;

/** A Redis key made by one of this package's builders; `T` is the Redis type stored under it. */
export type Key<T extends RedisType> = string & { readonly [keyType]: T };

export type StringKey = Key<'string'>;
export type HashKey = Key<'hash'>;
export type ListKey = Key<'list'>;
export type SetKey = Key<'set'>;
export type ZsetKey = Key<'zset'>;

/** The hash tag every key starts with in cluster mode: all of Parley's keys then share one slot. */
export const CLUSTER_HASH_TAG = '{parley}';

/**
 * Reads the cluster switch (`REDIS_CLUSTER`): `1`/`true` on, unset, empty, `0`/`false` off.
 * Anything else is refused: a typo must not silently give keys another name.
 */
export function parseClusterSwitch(value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '' || v === '0' || v === 'false') return false;
  throw new Error(`REDIS_CLUSTER must be 1, true, 0 or false (got ${JSON.stringify(value)})`);
}

/**
 * Whether this process names its keys for a Redis Cluster. Read once, from the environment, when the
 * package loads: every process of one deployment must agree on it, and every key builder (including
 * the module-level constants some apps keep) must see the same answer, so it is not a runtime option.
 */
export const CLUSTER_MODE: boolean = parseClusterSwitch(typeof process === 'undefined' ? undefined : process.env.REDIS_CLUSTER);

/** What every key starts with: `{parley}:` in cluster mode, nothing otherwise. */
export const KEY_PREFIX: string = CLUSTER_MODE ? `${CLUSTER_HASH_TAG}:` : '';

/**
 * BullMQ's key prefix (its keys are `<prefix>:<queue>:…`, named by BullMQ itself). BullMQ's scripts
 * touch many keys of a queue at once, so on a cluster the prefix is a hash tag: every queue's keys
 * then share one slot (another one than Parley's own keys, so the two loads may sit on two masters).
 */
export const BULLMQ_PREFIX: string = CLUSTER_MODE ? '{parley-bull}' : 'bull';

/**
 * A key prefix handed to a Lua script (the script appends an id), with the cluster tag in front.
 * @internal Builders only, like makeKey.
 */
export function tagged(prefix: string): string {
  return KEY_PREFIX + prefix;
}

/**
 * Joins already validated or encoded parts with ':' into a key (after the cluster tag, if any).
 * @internal Builders only: not re-exported from the package index, so no caller can brand a
 * string it assembled itself.
 */
export function makeKey<T extends RedisType>(_type: T, ...parts: readonly string[]): Key<T> {
  return (KEY_PREFIX + parts.join(':')) as Key<T>;
}
