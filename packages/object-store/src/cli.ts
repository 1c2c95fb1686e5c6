#!/usr/bin/env node
/**
 * The object store's admin CLI: `npm run admin -- <command>` (REDIS_URL, default
 * redis://127.0.0.1:6379). Every type of Parley's services is known; a mistake gets a clear line
 * on stderr and exit code 1 (2 for usage).
 *
 *   types                               the types and their fields
 *   list <Type> [field=value …]         objects (all, or those whose indexed fields match)
 *   show <Type> <id>
 *   create <Type> field=value …         prints the new id
 *   set <Type> <id> field=value … [-field]   changes those fields (-field removes one)
 *   replace <Type> <id> field=value …   the whole object: fields not given are removed
 *   delete <Type> <id>                  with its declared dependants
 */
import Redis from 'ioredis';
import { ObjectStore } from './store';
import { ObjectStoreError, TypeRegistry } from './types';
import { PARLEY_TYPES } from './parley-types';

const USAGE = `usage: admin types | list <Type> [field=value …] | show <Type> <id> | create <Type> field=value … | set <Type> <id> field=value … [-field] | replace <Type> <id> field=value … | delete <Type> <id>`;

class UsageError extends Error {}

function pairs(args: readonly string[], allowRemove = false): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const a of args) {
    if (allowRemove && a.startsWith('-') && !a.includes('=')) {
      out[a.slice(1)] = null;
      continue;
    }
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected field=value, got ${JSON.stringify(a)}`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

function idOf(arg: string | undefined): number {
  const id = Number(arg);
  if (!arg || !Number.isSafeInteger(id) || id <= 0) throw new UsageError(`expected an object id (a positive integer), got ${JSON.stringify(arg ?? '')}`);
  return id;
}

export async function run(argv: readonly string[], redis: Redis, out: (line: string) => void): Promise<void> {
  const types = new TypeRegistry(PARLEY_TYPES);
  const store = new ObjectStore(redis, types);
  const [command, type = '', ...rest] = argv;
  // Fields in their declared order (then any a hand edit added), so output is stable.
  const print = (id: number, o: Record<string, string>) => {
    const declared = Object.keys(types.get(type).fields);
    const keys = [...declared.filter((k) => k in o), ...Object.keys(o).filter((k) => !declared.includes(k)).sort()];
    out(`${type}:${id} ${JSON.stringify(Object.fromEntries(keys.map((k) => [k, o[k]])))}`);
  };
  switch (command) {
    case 'types':
      for (const name of types.names()) {
        const t = types.get(name);
        out(`${name}: ${Object.entries(t.fields).map(([f, s]) => `${f}${s.unique ? ' (unique)' : s.indexed ? ' (indexed)' : ''}${s.required ? ' (required)' : ''}${s.kind !== 'string' ? ` ${s.kind}` : ''}`).join(', ')}`);
      }
      return;
    case 'list': {
      const where = pairs(rest) as Record<string, string>;
      const ids = Object.keys(where).length > 0 ? await store.find(type, where) : await store.ids(type);
      for (const id of ids) {
        const o = await store.get(type, id);
        if (o) print(id, o);
      }
      return;
    }
    case 'show': {
      const id = idOf(rest[0]);
      const o = await store.get(type, id);
      if (!o) throw new ObjectStoreError('NOT_FOUND', `${type} ${id} does not exist`);
      return print(id, o);
    }
    case 'create': {
      const id = await store.create(type, pairs(rest));
      return out(String(id));
    }
    case 'set': {
      const id = idOf(rest[0]);
      return print(id, await store.set(type, id, pairs(rest.slice(1), true)));
    }
    case 'replace': {
      const id = idOf(rest[0]);
      await store.update(type, id, pairs(rest.slice(1)));
      return print(id, (await store.get(type, id))!);
    }
    case 'delete': {
      const id = idOf(rest[0]);
      const { existed, dependants } = await store.delete(type, id);
      if (!existed) throw new ObjectStoreError('NOT_FOUND', `${type} ${id} does not exist`);
      return out(`deleted ${type}:${id}${dependants ? ` and ${dependants} dependant object(s)` : ''}`);
    }
    case undefined:
      throw new UsageError('no command');
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined); // the command's own failure is reported below
  try {
    await redis.connect();
    await run(process.argv.slice(2), redis, (line) => console.log(line));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      process.exitCode = 2;
    } else if (err instanceof ObjectStoreError) {
      console.error(`${err.code}: ${err.message}`);
      process.exitCode = 1;
    } else {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) void main();
