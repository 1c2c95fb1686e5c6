/**
 * The IRC network definitions as `Network` objects of the object store, edited live: the
 * IRC_NETWORKS_FILE seeds them on first start (when Redis holds none); from then on an edit in
 * Redis (`HSET hash:Network:1 port 6697` in redis-cli) applies without a restart, to every
 * irc-parser instance: the next connection uses it.
 */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { NETWORK, ObjectCache, ObjectStore, ObjectStoreError, TypeRegistry } from '@parley/object-store';
import { type NetworkDefinition, networkOf } from '@parley/protocol';
import { APP_CONFIG, databaseOf, duplicateConnection, LOGGER, type Logger, REDIS } from '@parley/runtime';
import { loadNetworks } from './networks';


@Injectable()
export class LiveNetworks implements OnModuleInit, OnModuleDestroy {
  /** name → definition, kept current by the cache (the same Map object for the app's lifetime). */
  readonly map = new Map<string, NetworkDefinition>();
  private cache: ObjectCache | undefined;
  private subscriber: Redis | undefined;
  private readonly refused = new Map<number, string>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: { IRC_NETWORKS_FILE?: string },
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const store = new ObjectStore(this.redis, new TypeRegistry([NETWORK]));
    const seed = loadNetworks(this.config.IRC_NETWORKS_FILE);
    if (seed.size > 0 && (await store.ids('Network')).length === 0) {
      try {
        await store.putMany([...seed.values()].map((n) => ({ type: 'Network', fields: { ...n } })));
        this.logger.info({ networks: [...seed.keys()] }, 'IRC networks seeded from IRC_NETWORKS_FILE into the object store');
      } catch (err) {
        // Another instance seeded them first: theirs stand.
        if (!(err instanceof ObjectStoreError && err.code === 'UNIQUE')) throw err;
      }
    }
    this.subscriber = duplicateConnection(this.redis, 'irc-parser-objects', this.logger);
    this.cache = new ObjectCache(this.redis, store, { subscriber: this.subscriber, db: databaseOf(this.redis), types: ['Network'], logger: this.logger });
    this.cache.onChange(() => this.rebuild());
    await this.cache.start();
    this.rebuild();
  }

  async onModuleDestroy(): Promise<void> {
    await this.cache?.stop();
    this.subscriber?.disconnect();
  }

  private rebuild(): void {
    const next = new Map<string, NetworkDefinition>();
    for (const [id, o] of this.cache!.all('Network')) {
      const { network, error } = networkOf(o);
      if (network && !next.has(network.name)) {
        next.set(network.name, network);
        this.refused.delete(id);
      } else if (error && this.refused.get(id) !== error) {
        // Said once per bad version, not on every rebuild.
        this.refused.set(id, error);
        this.logger.warn({ id, error }, 'a Network object does not fit and is not offered');
      }
    }
    for (const [name, n] of next) {
      const before = this.map.get(name);
      if (!before || JSON.stringify(before) !== JSON.stringify(n)) this.logger.info({ name, host: n.host, port: n.port, tls: n.tls }, 'IRC network definition in use');
    }
    for (const name of this.map.keys()) if (!next.has(name)) this.logger.info({ name }, 'IRC network no longer offered');
    this.map.clear();
    for (const [name, n] of next) this.map.set(name, n);
  }
}
