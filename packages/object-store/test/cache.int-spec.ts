import type Redis from 'ioredis';
import { objectHash, objectId, objectIds, objectValue } from '@parley/key-schema';
import { eventually, TestRedis, useTestRedis } from '@parley/testing';
import { ObjectCache, type ObjectChange, ObjectStore } from '../src';
import { registry } from './fixtures';

const quiet = () => {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (_o: object, msg: string) => warnings.push(msg), error: (_o: object, msg: string) => warnings.push(msg) } };
};

describe('ObjectCache (real Redis, keyspace notifications)', () => {
  const redis = useTestRedis();
  const r = () => redis.space.redis;
  const started: { cache: ObjectCache; sub: Redis }[] = [];
  afterEach(async () => {
    for (const { cache, sub } of started.splice(0)) {
      await cache.stop();
      sub.disconnect();
    }
  });

  /** A service instance: its own connections, its cache of BotInfo, NickCore and NickAlias. */
  async function instance(name = 'svc') {
    const conn = redis.space.connect();
    const sub = redis.space.connect({ connectionName: `${name}-sub` });
    const store = new ObjectStore(conn, registry());
    const log = quiet();
    const cache = new ObjectCache(conn, store, { subscriber: sub, db: redis.space.db, types: ['BotInfo', 'NickCore', 'NickAlias'], logger: log.logger });
    const changes: ObjectChange[] = [];
    cache.onChange((c) => changes.push(c));
    await cache.start();
    started.push({ cache, sub });
    return { cache, store, changes, sub, log };
  }

  const bot = (c: ObjectCache, nick: string) => [...c.all('BotInfo').entries()].find(([, o]) => o.nick === nick);
  const members = async (key: string) => (await r().smembers(key)).sort();

  it('enables keyspace events and follows the seed example done with a plain client', async () => {
    const { cache } = await instance();
    expect((await r().config('GET', 'notify-keyspace-events'))[1]).toMatch(/K/);
    const id = await r().incr(objectId('BotInfo'));
    await r().hset(objectHash('BotInfo', id), 'nick', 'redis', 'user', 'redis', 'host', 'services.anope.org', 'realname', 'Services for IRC Networks');
    await eventually(() => bot(cache, 'redis'), (b) => b !== undefined, 'the bot in the cache');
    await cache.settled();
    expect(await members(objectIds('BotInfo'))).toEqual([String(id)]);
    expect(await members(objectValue('BotInfo', 'nick', 'redis'))).toEqual([String(id)]);

    // HSET of the nick: the old value set loses the id, the new one has it.
    await r().hset(objectHash('BotInfo', id), 'nick', 'redis2');
    await eventually(() => cache.get('BotInfo', id)?.nick, (n) => n === 'redis2', 'the new nick');
    await cache.settled();
    expect(await r().exists(objectValue('BotInfo', 'nick', 'redis'))).toBe(0);
    expect(await members(objectValue('BotInfo', 'nick', 'redis2'))).toEqual([String(id)]);

    // HINCRBY and HDEL are edits too.
    await r().hincrby(objectHash('BotInfo', id), 'created', 5);
    await eventually(() => cache.get('BotInfo', id)?.created, (v) => v === '5', 'hincrby seen');
    // DEL of the hash: gone from the cache, from ids and from every value set.
    await r().del(objectHash('BotInfo', id));
    await eventually(() => cache.get('BotInfo', id), (o) => o === undefined, 'the bot gone');
    await cache.settled();
    expect(await r().exists(objectIds('BotInfo'), objectValue('BotInfo', 'nick', 'redis2'))).toBe(0);
  });

  it('follows RENAME and expiry of an object, and a cascade of an outside DEL', async () => {
    const { cache, store } = await instance();
    const a = await store.create('BotInfo', { nick: 'A' });
    await r().rename(objectHash('BotInfo', a), objectHash('BotInfo', 77));
    await eventually(() => cache.get('BotInfo', 77)?.nick, (n) => n === 'A', 'the renamed object');
    await eventually(() => cache.get('BotInfo', a), (o) => o === undefined, 'the old name gone');
    await cache.settled();
    expect(await members(objectValue('BotInfo', 'nick', 'A'))).toEqual(['77']);

    await r().pexpire(objectHash('BotInfo', 77), 1);
    // Reading the key makes Redis expire it once its time is up (and send `expired`).
    await eventually(() => r().exists(objectHash('BotInfo', 77)), (n) => n === 0, 'the key expired');
    await eventually(() => cache.get('BotInfo', 77), (o) => o === undefined, 'the expired object gone');

    const [core] = await store.putMany([
      { type: 'NickCore', fields: { display: 'Adam' } },
      { type: 'NickAlias', fields: { nick: 'Adam', nc: 'Adam' } },
    ]);
    await eventually(() => cache.all('NickAlias').size, (n) => n === 1, 'the alias cached');
    // Dropping the account by hand, as the seed does, takes its aliases along.
    await r().del(objectHash('NickCore', core!));
    await eventually(() => cache.all('NickAlias').size, (n) => n === 0, 'the alias gone with its account');
    await cache.settled();
    expect(await r().exists(objectIds('NickAlias'), objectValue('NickAlias', 'nc', 'Adam'))).toBe(0);
  });

  it('does not bring a removed field back after a restart, and reports each real change once', async () => {
    const first = await instance('one');
    const id = await first.store.create('NickCore', { display: 'Bea', email: 'bea@x' });
    await first.store.update('NickCore', id, { display: 'Bea' });
    await eventually(() => first.cache.get('NickCore', id), (o) => o !== undefined && o.email === undefined, 'the update seen');
    await first.cache.settled();
    // Its own writes come back as events and are read again; a write that changes nothing reports nothing.
    const reported = first.changes.filter((c) => c.type === 'NickCore');
    expect(reported.at(-1)?.object).toEqual({ display: 'Bea' });
    await first.store.update('NickCore', id, { display: 'Bea' });
    await r().hset(objectHash('NickCore', id), 'verified', 'true'); // an outside edit right after it
    await eventually(() => first.cache.get('NickCore', id)?.verified, (v) => v === 'true', 'the outside edit seen');
    await first.cache.settled();
    expect(first.changes.filter((c) => c.type === 'NickCore').slice(reported.length).map((c) => c.object)).toEqual([{ display: 'Bea', verified: 'true' }]);
    await first.store.update('NickCore', id, { display: 'Bea' });
    const second = await instance('two');
    expect(second.cache.get('NickCore', id)).toEqual({ display: 'Bea' });
    expect(await r().hgetall(objectHash('NickCore', id))).toEqual({ display: 'Bea' });
  });

  it('reads everything again after its subscription is killed, and is right about what changed meanwhile', async () => {
    const { cache, store, sub } = await instance('killed');
    const id = await store.create('BotInfo', { nick: 'Before' });
    await eventually(() => cache.get('BotInfo', id), (o) => o !== undefined, 'cached');
    const reloads = cache.reloadCount;
    const list = String(await r().call('CLIENT', 'LIST'));
    const clientId = /id=(\d+) [^\n]*name=killed-sub/.exec(list)?.[1];
    expect(clientId).toBeDefined();
    // The kill and the edits in one transaction: the subscription cannot hear the edits.
    await r()
      .multi()
      .client('KILL', 'ID', clientId!)
      .hset(objectHash('BotInfo', id), 'nick', 'During')
      .hset(objectHash('BotInfo', 500), 'nick', 'Made')
      .exec();
    await eventually(() => cache.reloadCount, (n) => n > reloads, 'a reload after the reconnect');
    await cache.settled();
    expect(sub.status).toBe('ready');
    expect(cache.get('BotInfo', id)?.nick).toBe('During');
    expect(cache.get('BotInfo', 500)?.nick).toBe('Made');
    expect(await members(objectValue('BotInfo', 'nick', 'During'))).toEqual([String(id)]);
    expect(await r().exists(objectValue('BotInfo', 'nick', 'Before'))).toBe(0);
    // And it hears edits again.
    await r().hset(objectHash('BotInfo', 500), 'nick', 'After');
    await eventually(() => cache.get('BotInfo', 500)?.nick, (n) => n === 'After', 'heard after the reconnect');
  });

  it('keeps two instances consistent: both see an outside edit and an edit of the other', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const id = await a.store.create('BotInfo', { nick: 'Shared' });
    await eventually(() => b.cache.get('BotInfo', id)?.nick, (n) => n === 'Shared', 'b sees a');
    await r().hset(objectHash('BotInfo', id), 'realname', 'from redis-cli');
    for (const i of [a, b]) await eventually(() => i.cache.get('BotInfo', id)?.realname, (v) => v === 'from redis-cli', 'both see the outside edit');
  });
});

describe('ObjectCache where CONFIG is refused', () => {
  let server: TestRedis;
  beforeAll(async () => {
    server = await TestRedis.start({ args: ['--rename-command', 'CONFIG', ''] });
  });
  afterAll(() => server.stop());

  it('logs a clear warning and re-reads on an interval instead', async () => {
    const space = await server.keySpace();
    const sub = space.connect();
    const store = new ObjectStore(space.redis, registry());
    const log = quiet();
    const cache = new ObjectCache(space.redis, store, { subscriber: sub, db: space.db, types: ['BotInfo'], pollMs: 50, logger: log.logger });
    await cache.start();
    try {
      expect(log.warnings.join('\n')).toMatch(/keyspace notifications cannot be enabled.*re-reading everything/);
      await space.redis.hset(objectHash('BotInfo', 3), 'nick', 'polled');
      await eventually(() => cache.get('BotInfo', 3)?.nick, (n) => n === 'polled', 'found by polling');
    } finally {
      await cache.stop();
      sub.disconnect();
      await space.cleanup();
    }
  });
});

describe('ObjectCache across a Redis restart', () => {
  let server: TestRedis;
  beforeAll(async () => {
    server = await TestRedis.start({ args: ['--appendonly', 'yes', '--appendfsync', 'everysec'] });
  });
  afterAll(() => server.stop());

  it('asks for keyspace events again (a restarted Redis forgot them) and follows edits made after it', async () => {
    const space = await server.keySpace();
    const sub = space.connect();
    const store = new ObjectStore(space.redis, registry());
    const cache = new ObjectCache(space.redis, store, { subscriber: sub, db: space.db, types: ['BotInfo'], logger: quiet().logger });
    await cache.start();
    try {
      const id = await store.create('BotInfo', { nick: 'before' });
      await server.restart();
      // The cache asks again once its subscription is back (without that, no edit would be seen).
      await eventually(() => space.redis.config('GET', 'notify-keyspace-events'), (v) => (v[1] ?? '').includes('h'), 'keyspace events asked for again');
      await space.redis.hset(objectHash('BotInfo', id), 'nick', 'after');
      await eventually(() => cache.get('BotInfo', id)?.nick, (n) => n === 'after', 'the edit followed');
    } finally {
      await cache.stop();
      sub.disconnect();
    }
  });
});
