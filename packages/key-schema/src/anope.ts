// The object store's four namespaces (`../shared/seeds/anope-redis-database.txt`).
import { encodeKeyPart, fieldNamePart, idPart, typeNamePart, type NumericId } from './encode';
import { KEY_PREFIX, makeKey, type HashKey, type SetKey, type StringKey } from './key';

const type = (name: string): string => typeNamePart(name, 'type');

/** `id:<Type>` — INCR counter of the type's object ids. */
export const objectId = (typeName: string): StringKey => makeKey('string', 'id', type(typeName));
/** `ids:<Type>` — every object id of the type. */
export const objectIds = (typeName: string): SetKey => makeKey('set', 'ids', type(typeName));
/** `hash:<Type>:<id>` — the object itself. */
export const objectHash = (typeName: string, id: NumericId): HashKey =>
  makeKey('hash', 'hash', type(typeName), idPart(id, 'id'));
/**
 * `value:<Type>:<field>:<value>` — ids of the objects whose `field` holds `value`. Unlike Anope,
 * the value is percent-encoded (a value is user data and may hold ':' or '*'); empty values are
 * not indexed, since an empty key part is refused.
 */
export const objectValue = (typeName: string, field: string, value: string): SetKey =>
  makeKey('set', 'value', type(typeName), fieldNamePart(field, 'field'), encodeKeyPart(value, 'value'));

/**
 * `idx:<Type>:<id>` (Parley's) — the `value:` keys the object is indexed under. The store's scripts
 * keep it with the index, so an object edited or deleted outside Parley (a `HSET` in redis-cli)
 * is repaired from Redis alone: no instance needs to remember the old values.
 */
export const objectIndexRefs = (typeName: string, id: NumericId): SetKey => makeKey('set', 'idx', type(typeName), idPart(id, 'id'));

// Mirrors typeNamePart/idPart exactly, so only keys objectHash could have built are recognised.
const HASH_KEY = /^hash:([A-Z][A-Za-z0-9_]{0,63}):([1-9][0-9]{0,15})$/;

/**
 * Recognises `hash:<Type>:<id>` (after the cluster tag, in cluster mode) in a key name taken from a keyspace notification; anything else
 * (another namespace, a malformed or hostile name) gives null rather than an error, because such
 * events are expected and simply not the store's business.
 */
export function parseObjectHashKey(key: string): { type: string; id: number } | null {
  const match = typeof key === 'string' && key.startsWith(KEY_PREFIX) ? HASH_KEY.exec(key.slice(KEY_PREFIX.length)) : null;
  const [, typeName, id] = match ?? [];
  if (typeName === undefined || id === undefined || !Number.isSafeInteger(Number(id))) return null;
  return { type: typeName, id: Number(id) };
}
