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

/**
 * Joins already validated or encoded parts with ':' into a key.
 * @internal Builders only: not re-exported from the package index, so no caller can brand a
 * string it assembled itself.
 */
export function makeKey<T extends RedisType>(_type: T, ...parts: readonly string[]): Key<T> {
  return parts.join(':') as Key<T>;
}
