/**
 * A live copy of the object types a service uses, kept by Redis's keyspace notifications (the
 * seed's second section), without Anope's gaps:
 * - keyspace events are enabled at start; where the server refuses CONFIG, a clear warning is
 *   logged and everything is re-read every `pollMs` instead;
 * - the subscription is made before the first load, so no edit falls between the two;
 * - every event on `hash:<Type>:<id>` (hset, hdel, hincrby, del, rename_from/to, expired, evicted,
 *   …) is a hint to re-read that object: `repair` makes `ids` and `value` agree with the hash and
 *   returns it (an object made outside the store, INCR + HMSET, joins `ids` this way);
 * - the service's own writes come back as events too and are simply read again: nothing is
 *   skipped, so an outside edit right after one is never lost, and an unchanged object emits no
 *   change;
 * - after any disconnect of the subscription everything is read again (events sent meanwhile
 *   are lost by Redis).
 * - on a Redis Cluster a node publishes the events of its own keys only: the cache subscribes on
 *   every master (a connection of its own to each, kept in step with the cluster's topology, and
 *   everything is read again when a master joins) and enables the events on each.
 * Several instances stay consistent because each only ever reads Redis and repairs idempotently.
 */
import { KEY_PREFIX, parseObjectHashKey } from '@parley/key-schema';
import { nodeName, nodesOf, type RedisConnection as Redis } from '@parley/runtime';
import { Cluster, type Redis as NodeConnection } from 'ioredis';
import type { ObjectStore } from './store';
import type { StoredObject } from './types';

export interface CacheLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ObjectChange {
  type: string;
  id: number;
  /** undefined: the object is gone. */
  object: StoredObject | undefined;
}

export interface ObjectCacheOptions {
  /**
   * A connection of its own for the subscription (it cannot run other commands meanwhile). On a
   * cluster it is only the sign of one: the cache subscribes on each master instead.
   */
  subscriber: Redis;
  /** The connection's database (keyspace channels are per database; a cluster has 0 only). */
  db: number;
  types: readonly string[];
  /** Re-read everything this often when keyspace events cannot be enabled. */
  pollMs?: number;
  logger: CacheLogger;
}

/** The event classes Parley needs: K (keyspace channel), g (del, rename, expire…), h (hash), x (expired), e (evicted). */
const NEEDED = ['K', 'g', 'h', 'x', 'e'];

export class ObjectCache {
  private readonly objects = new Map<string, Map<number, StoredObject>>();
  private readonly listeners = new Set<(change: ObjectChange) => void>();
  private readonly dirty = new Map<string, { type: string; id: number }>();
  private flushing: Promise<void> | undefined;
  private reloading: Promise<void> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private started = false;
  private reloads = 0;
  /** On a cluster: the subscription on each master, by `host:port`. */
  private readonly nodeSubscribers = new Map<string, NodeConnection>();
  private onTopology: (() => void) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly store: ObjectStore,
    private readonly options: ObjectCacheOptions,
  ) {
    for (const t of options.types) this.objects.set(store.types.get(t).name, new Map());
  }

  /** Enables keyspace events (or polling), subscribes, then loads everything. */
  async start(): Promise<void> {
    // A cluster client knows its masters once it is ready; a command waits for that.
    if (this.redis instanceof Cluster) await this.redis.ping();
    const events = await this.enableKeyspaceEvents();
    if (this.options.subscriber instanceof Cluster) await this.followMasters();
    else await this.subscribe(this.options.subscriber);
    await this.load();
    this.started = true;
    if (!events) this.pollTimer = setInterval(() => this.reloadAll(), this.options.pollMs ?? 5_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.pollTimer);
    this.started = false;
    await this.flushing;
    if (this.onTopology) this.redis.off('refresh', this.onTopology);
    for (const sub of this.nodeSubscribers.values()) sub.disconnect();
    this.nodeSubscribers.clear();
    if (!(this.options.subscriber instanceof Cluster)) await this.options.subscriber.punsubscribe().catch(() => undefined);
  }

  private async subscribe(sub: Redis): Promise<void> {
    sub.on('pmessage', (_pattern: string, channel: string) => this.onEvent(channel));
    // Every (re)connection after the first: what happened while it was down is read again. A
    // Redis that restarted has forgotten the runtime CONFIG: keyspace events are asked for again
    // (or, if refused now, re-reading on an interval starts).
    sub.on('ready', () => {
      if (!this.started) return;
      void this.enableKeyspaceEvents().then((enabled) => {
        if (!enabled && !this.pollTimer && this.started) this.pollTimer = setInterval(() => this.reloadAll(), this.options.pollMs ?? 5_000);
        this.reloadAll('the subscription reconnected');
      });
    });
    await sub.psubscribe(...[...this.objects.keys()].map((t) => `__keyspace@${this.options.db}__:${KEY_PREFIX}hash:${t}:*`));
  }

  /** On a cluster: a subscription on every master, again whenever the client re-reads the slots. */
  private async followMasters(): Promise<void> {
    await this.syncMasters();
    this.onTopology = () => {
      this.syncMasters().catch((err: unknown) => this.options.logger.error({ err }, 'keyspace subscriptions could not follow the cluster; everything will be re-read'));
    };
    this.redis.on('refresh', this.onTopology);
  }

  private async syncMasters(): Promise<void> {
    const masters = new Map(nodesOf(this.redis).map((n) => [nodeName(n), n]));
    for (const [name, sub] of this.nodeSubscribers) {
      if (masters.has(name)) continue;
      sub.disconnect();
      this.nodeSubscribers.delete(name);
    }
    let joined = false;
    for (const [name, node] of masters) {
      if (this.nodeSubscribers.has(name)) continue;
      const sub = node.duplicate({ connectionName: 'object-cache', enableAutoPipelining: false });
      sub.on('error', (err: Error) => this.options.logger.warn({ err, node: name }, 'keyspace subscription to a cluster node failed; it reconnects'));
      this.nodeSubscribers.set(name, sub);
      await this.subscribe(sub);
      joined = true;
    }
    if (joined && this.started) {
      await this.enableKeyspaceEvents();
      this.reloadAll('a cluster master joined');
    }
  }

  onChange(listener: (change: ObjectChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(type: string, id: number): StoredObject | undefined {
    return this.objects.get(type)?.get(id);
  }

  all(type: string): Map<number, StoredObject> {
    const m = this.objects.get(type);
    if (!m) throw new Error(`the cache does not hold ${type}`);
    return m;
  }

  /** How many full reloads have run (start, reconnects, polling): for tests and metrics. */
  get reloadCount(): number {
    return this.reloads;
  }

  /** Resolves once every event received so far, and any reload, has been read. */
  async settled(): Promise<void> {
    while (this.flushing || this.reloading || this.dirty.size > 0) {
      await this.reloading;
      await (this.flushing ?? (this.dirty.size > 0 ? (this.flushing = this.flush()) : undefined));
    }
  }

  /** On every server behind the connection (each master of a cluster). */
  private async enableKeyspaceEvents(): Promise<boolean> {
    try {
      for (const node of nodesOf(this.redis)) {
        const [, current = ''] = await node.config('GET', 'notify-keyspace-events');
        // 'A' stands for every class but K, E, m and n.
        const has = (c: string) => current.includes(c) || (current.includes('A') && c !== 'K');
        if (NEEDED.every(has)) continue;
        const flags = [...new Set([...current.split(''), ...NEEDED])].join('');
        await node.config('SET', 'notify-keyspace-events', flags);
      }
      return true;
    } catch (err) {
      this.options.logger.warn(
        { err, pollMs: this.options.pollMs ?? 5_000 },
        'keyspace notifications cannot be enabled (CONFIG refused): edits made outside Parley are picked up by re-reading everything on an interval; set notify-keyspace-events to include KA in redis.conf',
      );
      return false;
    }
  }

  private onEvent(channel: string): void {
    const key = channel.slice(channel.indexOf(':') + 1);
    const parsed = parseObjectHashKey(key);
    if (!parsed || !this.objects.has(parsed.type)) return;
    this.dirty.set(key, parsed);
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    try {
      while (this.dirty.size > 0) {
        const batch = [...this.dirty.values()];
        this.dirty.clear();
        for (const { type, id } of batch) await this.refresh(type, id);
      }
    } catch (err) {
      this.options.logger.error({ err }, 'an object could not be read again; everything will be re-read');
      this.reloadAll();
    } finally {
      this.flushing = undefined;
    }
  }

  /** Reads one object again now (after this instance wrote it: no need to wait for its event). */
  async refresh(type: string, id: number): Promise<void> {
    const object = await this.store.repair(type, id);
    this.put(type, id, object);
  }

  private put(type: string, id: number, object: StoredObject | undefined): void {
    const m = this.objects.get(type)!;
    const before = m.get(id);
    if (object) m.set(id, object);
    else m.delete(id);
    if (same(before, object)) return;
    for (const l of this.listeners) l({ type, id, object });
  }

  private async load(): Promise<void> {
    this.reloads++;
    for (const type of this.objects.keys()) {
      const ids = await this.store.ids(type);
      const seen = new Set(ids);
      for (const id of ids) await this.refresh(type, id);
      for (const id of [...this.objects.get(type)!.keys()]) if (!seen.has(id)) this.put(type, id, undefined);
    }
  }

  private reloadAll(why?: string): void {
    if (this.reloading) return;
    this.reloading = this.load()
      .catch((err: unknown) => this.options.logger.error({ err, why }, 'the object cache could not be reloaded'))
      .finally(() => (this.reloading = undefined));
  }
}

function same(a: StoredObject | undefined, b: StoredObject | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
