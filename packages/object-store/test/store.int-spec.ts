import { objectHash, objectId, objectIds, objectIndexRefs, objectValue } from '@parley/key-schema';
import { useTestRedis } from '@parley/testing';
import { ObjectStore, ObjectStoreError, TypeRegistry } from '../src';
import { registry } from './fixtures';

describe('ObjectStore (real Redis)', () => {
  const redis = useTestRedis();
  const r = () => redis.space.redis;
  const store = () => new ObjectStore(r(), registry());
  const members = async (key: string) => (await r().smembers(key)).sort();

  it('creates an object with INCR id, its hash, ids and every index set', async () => {
    const id = await store().create('BotInfo', { nick: 'ChanServ', user: 'services', host: 'services.parley', created: 1368704765 });
    expect(id).toBe(1);
    expect(await r().get(objectId('BotInfo'))).toBe('1');
    expect(await r().hgetall(objectHash('BotInfo', 1))).toEqual({ nick: 'ChanServ', user: 'services', host: 'services.parley', created: '1368704765' });
    expect(await members(objectIds('BotInfo'))).toEqual(['1']);
    expect(await members(objectValue('BotInfo', 'nick', 'ChanServ'))).toEqual(['1']);
    expect(await members(objectIndexRefs('BotInfo', 1))).toEqual([objectValue('BotInfo', 'nick', 'ChanServ')]);
  });

  it('replaces the whole object on update: a removed field and its index entries are gone', async () => {
    const s = store();
    const id = await s.create('NickCore', { display: 'Adam', email: 'adam@anope.org', verified: true });
    await s.update('NickCore', id, { display: 'Adam' });
    expect(await r().hgetall(objectHash('NickCore', id))).toEqual({ display: 'Adam' });
    expect(await r().exists(objectValue('NickCore', 'email', 'adam@anope.org'))).toBe(0);
    await s.update('NickCore', id, { display: 'Adam2', email: 'a@b.c' });
    expect(await r().exists(objectValue('NickCore', 'display', 'Adam'))).toBe(0);
    expect(await members(objectValue('NickCore', 'display', 'Adam2'))).toEqual([String(id)]);
    expect(await s.find('NickCore', { email: 'a@b.c' })).toEqual([id]);
  });

  it('refuses a unique value that is taken, and writes nothing then', async () => {
    const s = store();
    await s.create('BotInfo', { nick: 'Global' });
    await expect(s.create('BotInfo', { nick: 'Global' })).rejects.toMatchObject({ code: 'UNIQUE', field: 'nick' });
    expect(await r().get(objectId('BotInfo'))).toBe('1');
    expect(await members(objectIds('BotInfo'))).toEqual(['1']);
    // Its own value is no clash on update.
    await s.update('BotInfo', 1, { nick: 'Global', realname: 'Global Noticer' });
  });

  it('writes dependent objects together or not at all', async () => {
    const s = store();
    const ids = await s.putMany([
      { type: 'NickCore', fields: { display: 'Eve' } },
      { type: 'NickAlias', fields: { nick: 'Eve', nc: 'Eve' } },
      { type: 'NickAlias', fields: { nick: 'Eve_away', nc: 'Eve' } },
    ]);
    expect(ids).toEqual([1, 1, 2]);
    // The second alias clashes with the first in the same call: neither the core nor any alias is written.
    await expect(
      s.putMany([
        { type: 'NickCore', fields: { display: 'Mallory' } },
        { type: 'NickAlias', fields: { nick: 'Mal', nc: 'Mallory' } },
        { type: 'NickAlias', fields: { nick: 'Mal', nc: 'Mallory' } },
      ]),
    ).rejects.toMatchObject({ code: 'UNIQUE' });
    expect(await s.find('NickCore', { display: 'Mallory' })).toEqual([]);
    expect(await members(objectIds('NickAlias'))).toEqual(['1', '2']);
  });

  it('finds by one field and by several (set intersection, like AND)', async () => {
    const s = store();
    const a = await s.create('NickAlias', { nick: 'a1', nc: 'Ann' });
    await s.create('NickAlias', { nick: 'a2', nc: 'Bob' });
    const c = await s.create('NickAlias', { nick: 'a3', nc: 'Ann' });
    expect(await s.find('NickAlias', { nc: 'Ann' })).toEqual([a, c]);
    expect(await s.find('NickAlias', { nc: 'Ann', nick: 'a3' })).toEqual([c]);
    expect(await s.find('NickAlias', { nc: 'Ann', nick: 'a2' })).toEqual([]);
    await expect(s.find('NickAlias', {})).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('deletes with its dependants: cascaded ones go, detached ones lose the field, in one step', async () => {
    const s = store();
    const [core] = await s.putMany([
      { type: 'NickCore', fields: { display: 'Adam', email: 'adam@anope.org' } },
      { type: 'NickAlias', fields: { nick: 'Adam', nc: 'Adam' } },
      { type: 'NickAlias', fields: { nick: 'Adam_', nc: 'Adam' } },
      { type: 'NickAlias', fields: { nick: 'Other', nc: 'Other' } },
    ]);
    const memo = await s.create('Memo', { owner: String(core), text: 'hello' });
    expect(await s.delete('NickCore', core!)).toEqual({ existed: true, dependants: 3 });
    expect(await r().exists(objectHash('NickCore', core!), objectHash('NickAlias', 1), objectHash('NickAlias', 2))).toBe(0);
    expect(await members(objectIds('NickAlias'))).toEqual(['3']);
    expect(await r().exists(objectValue('NickAlias', 'nc', 'Adam'), objectValue('NickAlias', 'nick', 'Adam'), objectValue('NickCore', 'email', 'adam@anope.org'))).toBe(0);
    expect(await r().hgetall(objectHash('Memo', memo))).toEqual({ text: 'hello' });
    expect(await s.find('Memo', { owner: String(core) })).toEqual([]);
    expect(await s.delete('NickCore', core!)).toEqual({ existed: false, dependants: 0 });
  });

  it("cascades all the way down: a dependant's own dependants go in the same step", async () => {
    // Network → Server (cascade) → Port (cascade), Server → Note (detach): three levels.
    const types = new TypeRegistry([
      { name: 'Net', fields: { name: { unique: true } }, dependants: [{ type: 'Server', field: 'net', references: 'name', onDelete: 'cascade' }] },
      {
        name: 'Server',
        fields: { net: { indexed: true }, host: {} },
        dependants: [
          { type: 'Port', field: 'server', references: 'id', onDelete: 'cascade' },
          { type: 'Note', field: 'server', references: 'id', onDelete: 'detach' },
        ],
      },
      { name: 'Port', fields: { server: { indexed: true }, port: { kind: 'int' } } },
      { name: 'Note', fields: { server: { indexed: true }, text: {} } },
    ]);
    const s = new ObjectStore(r(), types);
    const net = await s.create('Net', { name: 'libera' });
    const other = await s.create('Net', { name: 'oftc' });
    const a = await s.create('Server', { net: 'libera', host: 'a' });
    const b = await s.create('Server', { net: 'libera', host: 'b' });
    const c = await s.create('Server', { net: 'oftc', host: 'c' });
    for (const server of [a, a, b, c]) await s.create('Port', { server: String(server), port: 6697 });
    const note = await s.create('Note', { server: String(a), text: 'fast' });
    // 2 servers, 3 of their ports, 1 detached note.
    expect(await s.delete('Net', net)).toEqual({ existed: true, dependants: 6 });
    expect(await s.ids('Server')).toEqual([c]);
    expect(await s.ids('Port')).toEqual([4]);
    expect(await s.find('Port', { server: String(a) })).toEqual([]);
    expect(await r().exists(objectIndexRefs('Port', 1), objectIndexRefs('Server', a))).toBe(0);
    expect(await r().hgetall(objectHash('Note', note))).toEqual({ text: 'fast' });
    expect(await s.ids('Net')).toEqual([other]);
    // The same when the top object is deleted outside the store (redis-cli DEL) and repaired.
    await r().del(objectHash('Net', other));
    await s.repair('Net', other);
    expect(await s.ids('Server')).toEqual([]);
    expect(await s.ids('Port')).toEqual([]);
  });

  it('refuses declarations whose cascades go round in a cycle', () => {
    expect(
      () =>
        new TypeRegistry([
          { name: 'A', fields: { b: { indexed: true } }, dependants: [{ type: 'B', field: 'a', references: 'id', onDelete: 'cascade' }] },
          { name: 'B', fields: { a: { indexed: true } }, dependants: [{ type: 'A', field: 'b', references: 'id', onDelete: 'cascade' }] },
        ]),
    ).toThrow(/cycle: A → B → A/);
    expect(() => new TypeRegistry([{ name: 'A', fields: { up: { indexed: true } }, dependants: [{ type: 'A', field: 'up', references: 'id', onDelete: 'cascade' }] }])).toThrow(/cycle: A → A/);
    // A self-reference that detaches is no cycle.
    expect(() => new TypeRegistry([{ name: 'A', fields: { up: { indexed: true } }, dependants: [{ type: 'A', field: 'up', references: 'id', onDelete: 'detach' }] }])).not.toThrow();
    expect(
      () =>
        new TypeRegistry([
          { name: 'Core', fields: { display: { unique: true, caseless: true } }, dependants: [{ type: 'Alias', field: 'core', references: 'display', onDelete: 'cascade' }] },
          { name: 'Alias', fields: { core: { indexed: true } } },
        ]),
    ).toThrow(/both be caseless or neither/);
    expect(() => new TypeRegistry([{ name: 'A', fields: { nick: { caseless: true } } }])).toThrow(/only an indexed field can be caseless/);
  });

  it('keeps a caseless unique field unique ignoring case, and finds it in any case', async () => {
    const s = new ObjectStore(r(), new TypeRegistry([{ name: 'Bot', fields: { nick: { unique: true, caseless: true }, user: {} } }]));
    const id = await s.create('Bot', { nick: 'ChanBot', user: 'bot' });
    expect(await r().hget(objectHash('Bot', id), 'nick')).toBe('ChanBot');
    expect(await members(objectValue('Bot', 'nick', 'chanbot'))).toEqual([String(id)]);
    await expect(s.create('Bot', { nick: 'CHANBOT' })).rejects.toMatchObject({ code: 'UNIQUE', field: 'nick' });
    await expect(s.putMany([{ type: 'Bot', fields: { nick: 'Twin' } }, { type: 'Bot', fields: { nick: 'twin' } }])).rejects.toMatchObject({ code: 'UNIQUE' });
    expect(await s.find('Bot', { nick: 'cHaNbOt' })).toEqual([id]);
    // An outside edit is indexed folded too.
    await r().hset(objectHash('Bot', id), 'nick', 'NewName');
    await s.repair('Bot', id);
    expect(await members(objectValue('Bot', 'nick', 'newname'))).toEqual([String(id)]);
    expect(await r().exists(objectValue('Bot', 'nick', 'chanbot'))).toBe(0);
  });

  it('keeps every index right under concurrent writers', async () => {
    const s = store();
    const id = await s.create('NickCore', { display: 'Race', email: 'e0@x' });
    // 40 writers on one object (and 20 creators) at once, on separate connections.
    const writers = Array.from({ length: 40 }, (_, i) => new ObjectStore(redis.space.connect(), registry()).update('NickCore', id, { display: 'Race', email: `e${i % 5}@x` }));
    const creators = Array.from({ length: 20 }, (_, i) => new ObjectStore(redis.space.connect(), registry()).create('NickCore', { display: `N${i}`, email: 'shared@x' }));
    await Promise.all([...writers, ...creators]);
    const email = (await r().hget(objectHash('NickCore', id), 'email'))!;
    for (let i = 0; i < 5; i++) expect(await members(objectValue('NickCore', 'email', `e${i}@x`))).toEqual(`e${i}@x` === email ? [String(id)] : []);
    expect((await s.find('NickCore', { email: 'shared@x' })).length).toBe(20);
    expect(await members(objectIds('NickCore'))).toHaveLength(21);
  });

  it('gives clear errors for unknown types and fields, bad kinds, missing required fields', async () => {
    const s = store();
    await expect(s.create('Nope', {})).rejects.toMatchObject({ code: 'UNKNOWN_TYPE' });
    await expect(s.create('BotInfo', { nick: 'x', colour: 'red' })).rejects.toMatchObject({ code: 'UNKNOWN_FIELD', field: 'colour' });
    await expect(s.create('BotInfo', { nick: 'x', created: 'yesterday' })).rejects.toMatchObject({ code: 'INVALID', field: 'created' });
    await expect(s.create('NickCore', { display: 'x', verified: 'maybe' })).rejects.toMatchObject({ code: 'INVALID', field: 'verified' });
    await expect(s.create('BotInfo', { user: 'x' })).rejects.toMatchObject({ code: 'INVALID', field: 'nick' });
    await expect(s.create('BotInfo', { nick: 'x'.repeat(300) })).rejects.toBeInstanceOf(ObjectStoreError);
    await expect(s.update('BotInfo', 99, { nick: 'y' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(() => new TypeRegistry([{ name: 'A', fields: {}, dependants: [{ type: 'B', field: 'x', references: 'id', onDelete: 'cascade' }] }])).toThrow(/not declared/);
  });

  it('indexes values exactly as key-schema encodes them (colons, globs, braces, spaces, unicode, %)', async () => {
    const s = store();
    const values = ['a:b', 'x*?[y]', '{tag}', 'with space', 'ünïcödé ☕', '100%', 'a\\b', '#chan'];
    for (const [i, email] of values.entries()) await s.create('NickCore', { display: `u${i}`, email });
    for (const [i, email] of values.entries()) {
      expect(await r().smembers(objectValue('NickCore', 'email', email))).toEqual([String(i + 1)]);
      expect(await s.find('NickCore', { email })).toEqual([i + 1]);
    }
  });

  it('repairs ids and the index after edits made outside the store, from Redis alone', async () => {
    const s = store();
    // The seed's own example, with a plain client: INCR, then HMSET; ids and value are not touched.
    const id = await r().incr(objectId('BotInfo'));
    await r().hset(objectHash('BotInfo', id), 'nick', 'redis', 'user', 'redis', 'host', 'services.anope.org', 'realname', 'Services for IRC Networks');
    expect(await s.ids('BotInfo')).toEqual([id]);
    expect(await s.repair('BotInfo', id)).toMatchObject({ nick: 'redis' });
    expect(await members(objectIds('BotInfo'))).toEqual([String(id)]);
    expect(await members(objectValue('BotInfo', 'nick', 'redis'))).toEqual([String(id)]);
    await r().hset(objectHash('BotInfo', id), 'nick', 'redis2');
    await s.repair('BotInfo', id);
    expect(await r().exists(objectValue('BotInfo', 'nick', 'redis'))).toBe(0);
    expect(await members(objectValue('BotInfo', 'nick', 'redis2'))).toEqual([String(id)]);
    // An id made by hand past the counter is not handed out again.
    await r().hset(objectHash('BotInfo', 50), 'nick', 'handmade');
    await s.repair('BotInfo', 50);
    expect(await s.create('BotInfo', { nick: 'next' })).toBe(51);
    await r().del(objectHash('BotInfo', id));
    expect(await s.repair('BotInfo', id)).toBeUndefined();
    expect(await members(objectIds('BotInfo'))).toEqual(['50', '51']);
    expect(await r().exists(objectValue('BotInfo', 'nick', 'redis2'), objectIndexRefs('BotInfo', id))).toBe(0);
    // Repairing again changes nothing.
    expect(await s.repair('BotInfo', id)).toBeUndefined();
  });
  it('refuses a write based on a version that changed (CONFLICT); set merges and retries', async () => {
    const s = store();
    const id = await s.create('BotInfo', { nick: 'Ver', user: 'a' });
    const seen = (await s.get('BotInfo', id))!;
    await r().hset(objectHash('BotInfo', id), 'user', 'changed by hand');
    await expect(s.putMany([{ type: 'BotInfo', id, fields: { ...seen, host: 'h' }, expect: seen }])).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await s.set('BotInfo', id, { host: 'h', user: null })).toEqual({ nick: 'Ver', host: 'h' });
    expect(await r().hgetall(objectHash('BotInfo', id))).toEqual({ nick: 'Ver', host: 'h' });
  });
});
