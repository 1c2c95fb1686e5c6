/**
 * The IRC networks users may connect to, as the gateway tells them (NETWORK_LIST): the object
 * store's `Network` objects, followed live by a cache on keyspace events. The init burst carries
 * the list; when an operator edits it (`npm run admin`, `redis-cli`), every user with a socket on
 * this gateway is sent the new list at once. (Each gateway tells the users it holds; a user on two
 * gateways may get the same list twice, which changes nothing: it replaces.)
 */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { Notifier } from '@parley/inbox';
import { NETWORK, ObjectCache, ObjectStore, TypeRegistry } from '@parley/object-store';
import { type AvailableNetwork, availableNetworks } from '@parley/protocol';
import { duplicateConnection, LOGGER, type Logger, REDIS } from '@parley/runtime';
import { Delivery } from './delivery';

@Injectable()
export class NetworkList implements OnModuleInit, OnModuleDestroy {
  private cache: ObjectCache | undefined;
  private subscriber: Redis | undefined;
  private current: AvailableNetwork[] = [];
  private announcing: Promise<void> = Promise.resolve();
  private pending = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly delivery: Delivery,
    private readonly notifier: Notifier,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const store = new ObjectStore(this.redis, new TypeRegistry([NETWORK]));
    this.subscriber = duplicateConnection(this.redis, 'gateway-objects', this.logger);
    this.cache = new ObjectCache(this.redis, store, { subscriber: this.subscriber, db: this.redis.options.db ?? 0, types: ['Network'], logger: this.logger });
    await this.cache.start();
    this.current = this.read();
    this.cache.onChange(() => this.changed());
  }

  async onModuleDestroy(): Promise<void> {
    await this.cache?.stop();
    this.subscriber?.disconnect();
    await this.announcing;
  }

  /** The networks as users are told of them now. */
  list(): AvailableNetwork[] {
    return this.current;
  }

  private read(): AvailableNetwork[] {
    return availableNetworks(this.cache?.all('Network').values() ?? []);
  }

  /** One announcement per burst of edits: a change while one is being sent is sent after it. */
  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    this.announcing = this.announcing.then(async () => {
      this.pending = false;
      const next = this.read();
      if (JSON.stringify(next) === JSON.stringify(this.current)) return;
      this.current = next;
      const users = this.delivery.liveUsers();
      try {
        for (const userId of users) await this.notifier.notifyUser(userId, [{ type: 'NETWORK_LIST', networks: next }]);
        this.logger.info({ networks: next.map((n) => n.name), users: users.length }, 'the IRC network list changed; connected users told');
      } catch (err) {
        this.logger.error({ err }, 'the new IRC network list could not be sent to every connected user');
      }
    });
  }
}
