/**
 * Anope's object store on Redis (`../shared/seeds/anope-redis-database.txt`), without its flaws:
 * every write is one Lua script that checks unique fields and keeps `ids`, `value` and the
 * object's `idx` record together; an update replaces the whole object (a removed field is gone,
 * with its index entries); a delete takes its declared dependants along in the same step; and an
 * object edited outside the store is repaired from Redis alone (`repair`).
 */
import { join } from 'node:path';
import { nodesOf, type RedisConnection as Redis } from '@parley/runtime';
import { LuaScript } from '@parley/inbox';
import { objectHash, objectIds, objectValue } from '@parley/key-schema';
import { foldAscii, ObjectStoreError, type StoredObject, type TypeRegistry } from './types';

const LUA_DIR = join(__dirname, '..', 'lua');
const withLib = (name: string) => LuaScript.fromDir(LUA_DIR, name);
const LIB = LuaScript.fromDir(LUA_DIR, 'lib').source;
const scripts = {
  put: new LuaScript('put', `${LIB}\n${withLib('put').source}`),
  delete: new LuaScript('delete', `${LIB}\n${withLib('delete').source}`),
  repair: new LuaScript('repair', `${LIB}\n${withLib('repair').source}`),
};

/** One object of a `putMany`: a new one (no id) or the whole new version of an existing one. */
export interface PutItem {
  type: string;
  id?: number;
  fields: Record<string, unknown>;
  /** The object as read before: the write is refused (CONFLICT) if it changed since. */
  expect?: Record<string, string>;
}

const SET_ATTEMPTS = 5;

export class ObjectStore {
  constructor(
    private readonly redis: Redis,
    readonly types: TypeRegistry,
  ) {}

  async create(type: string, fields: Record<string, unknown>): Promise<number> {
    return (await this.putMany([{ type, fields }]))[0]!;
  }

  /** Replaces the object: fields not given are removed. */
  async update(type: string, id: number, fields: Record<string, unknown>): Promise<void> {
    await this.putMany([{ type, id, fields }]);
  }

  /** Creates and replaces several objects, possibly of several types, all in one step or none. */
  async putMany(items: readonly PutItem[]): Promise<number[]> {
    const prepared = items.map((item) => {
      const t = this.types.get(item.type);
      if (item.id !== undefined) objectHash(t.name, item.id); // a bad id fails here, before the script
      return { t, payload: { P: t.prefixes, ...(item.id !== undefined ? { id: item.id } : {}), fields: t.validate(item.fields), ...(item.expect ? { expect: item.expect } : {}) } };
    });
    // cjson turns an empty table into [] — an object with no fields is still written as {}.
    const json = JSON.stringify({ items: prepared.map((p) => p.payload) });
    const [status, ...rest] = (await scripts.put.run(this.redis, [], [json])) as (string | number)[];
    if (status === 'OK') return rest.map(Number);
    const item = prepared[Number(rest[0]) - 1]!;
    if (status === 'UNIQUE') throw new ObjectStoreError('UNIQUE', `${item.t.name}.${String(rest[1])} is taken by another object`, String(rest[1]));
    if (status === 'CONFLICT') throw new ObjectStoreError('CONFLICT', `${item.t.name} ${String(item.payload.id)} changed while it was being written`);
    throw new ObjectStoreError('NOT_FOUND', `${item.t.name} ${String(item.payload.id)} does not exist`);
  }

  /**
   * Changes some fields (null removes one) and keeps the others. Read, merge and write, with the
   * write refused if the object changed in between; then read and merge again (a few times).
   */
  async set(type: string, id: number, changes: Record<string, unknown>): Promise<Record<string, string>> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(type, id);
      if (!current) throw new ObjectStoreError('NOT_FOUND', `${type} ${id} does not exist`);
      const merged: Record<string, unknown> = { ...current };
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      try {
        await this.putMany([{ type, id, fields: merged, expect: current }]);
        return this.types.get(type).validate(merged);
      } catch (err) {
        if (!(err instanceof ObjectStoreError && err.code === 'CONFLICT') || attempt >= SET_ATTEMPTS) throw err;
      }
    }
  }

  /** Removes the object and its declared dependants (or detaches them); false if it was not there. */
  async delete(type: string, id: number): Promise<{ existed: boolean; dependants: number }> {
    const t = this.types.get(type);
    objectHash(t.name, id);
    const [existed, dependants] = (await scripts.delete.run(this.redis, [], [JSON.stringify({ P: t.prefixes, id, deps: this.types.deps(t) })])) as number[];
    return { existed: existed === 1, dependants: dependants ?? 0 };
  }

  /** Makes the index say what the hash says now; the object as it is, or undefined if gone. */
  async repair(type: string, id: number): Promise<StoredObject | undefined> {
    const t = this.types.get(type);
    const [exists, ...flat] = (await scripts.repair.run(this.redis, [], [JSON.stringify({ P: t.prefixes, id, deps: this.types.deps(t) })])) as (number | string)[];
    if (exists !== 1) return undefined;
    const obj: StoredObject = {};
    for (let i = 0; i < flat.length; i += 2) obj[String(flat[i])] = String(flat[i + 1]);
    return obj;
  }

  async get(type: string, id: number): Promise<StoredObject | undefined> {
    const obj = await this.redis.hgetall(objectHash(this.types.get(type).name, id));
    return Object.keys(obj).length > 0 ? obj : undefined;
  }

  /** Every id of the type: `ids`, and hashes made outside the store that `ids` does not list yet. */
  async ids(type: string): Promise<number[]> {
    const t = this.types.get(type);
    const listed = await this.redis.smembers(objectIds(t.name));
    const found = new Set(listed.map(Number));
    const pattern = `${t.prefixes.hash}*`;
    // SCAN walks one server: on a cluster, each master in turn.
    for (const node of nodesOf(this.redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const id = Number(key.slice(t.prefixes.hash.length));
          if (Number.isSafeInteger(id) && id > 0) found.add(id);
        }
      } while (cursor !== '0');
    }
    return [...found].sort((a, b) => a - b);
  }

  /** Ids of the objects whose fields hold all these values (SQL's AND: a set intersection). */
  async find(type: string, where: Record<string, string>): Promise<number[]> {
    const t = this.types.get(type);
    const keys = Object.entries(where).map(([field, value]) => {
      if (!t.fields[field]?.indexed) throw new ObjectStoreError('UNKNOWN_FIELD', `${t.name}.${field} is not indexed`, field);
      return objectValue(t.name, field, t.fields[field].caseless ? foldAscii(value) : value);
    });
    if (keys.length === 0) throw new ObjectStoreError('INVALID', 'find needs at least one field');
    const ids = keys.length === 1 ? await this.redis.smembers(keys[0]!) : await this.redis.sinter(...keys);
    return ids.map(Number).sort((a, b) => a - b);
  }
}
