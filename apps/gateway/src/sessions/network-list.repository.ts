/**
 * The IRC networks users may connect to, as the gateway tells them (NETWORK_LIST): the object
 * store's `Network` objects, followed live by a cache on keyspace events. The init burst carries
 * the list; when an operator edits it (`npm run admin`, `redis-cli`), every session is sent the
 * new list, attached to a socket or not (a detached one resumes with it). Every gateway sees the
 * edit; the first to swap the list's hash into `networklistannounced` (SET … GET) announces it,
 * once. A gateway that starts checks the hash too, so an edit made while none ran is announced.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { Notifier } from '@parley/inbox';
import { networkListAnnounced, parseSessionRef, sessionLastRequest } from '@parley/key-schema';
import { NETWORK, ObjectCache, ObjectStore, TypeRegistry } from '@parley/object-store';
import { type AvailableNetwork, availableNetworks } from '@parley/protocol';
import { databaseOf, duplicateConnection, LOGGER, type Logger, REDIS } from '@parley/runtime';

@Injectable()
export class NetworkList implements OnModuleInit, OnModuleDestroy {
  private cache: ObjectCache | undefined;
  private subscriber: Redis | undefined;
  private current: AvailableNetwork[] = [];
  private announcing: Promise<void> = Promise.resolve();
  private pending = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly notifier: Notifier,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const store = new ObjectStore(this.redis, new TypeRegistry([NETWORK]));
    this.subscriber = duplicateConnection(this.redis, 'gateway-objects', this.logger);
    this.cache = new ObjectCache(this.redis, store, { subscriber: this.subscriber, db: databaseOf(this.redis), types: ['Network'], logger: this.logger });
    await this.cache.start();
    this.current = this.read();
    this.cache.onChange(() => this.changed());
    // An edit made while no gateway ran is announced before this one takes sockets.
    this.queue(() => this.announce(this.current));
    await this.announcing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.cache?.stop();
    this.subscriber?.disconnect();
    await this.announcing;
  }

  /** Resolves once the announcements queued so far are done (tests). */
  async settled(): Promise<void> {
    await this.cache?.settled();
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
    this.queue(async () => {
      this.pending = false;
      const next = this.read();
      if (JSON.stringify(next) === JSON.stringify(this.current)) return;
      this.current = next;
      await this.announce(next);
    });
  }

  private queue(task: () => Promise<void>): void {
    this.announcing = this.announcing.then(task).catch((err: unknown) => this.logger.error({ err }, 'the IRC network list could not be announced'));
  }

  /** Tells every session the list, unless another gateway has (or this one had) already. */
  private async announce(list: AvailableNetwork[]): Promise<void> {
    const digest = createHash('sha256').update(JSON.stringify(list)).digest('hex');
    const before = await this.redis.set(networkListAnnounced(), digest, 'GET');
    if (before === digest) return;
    const users = new Set<number>();
    for (const member of await this.redis.zrange(sessionLastRequest(), '0', '-1')) {
      try {
        users.add(parseSessionRef(member).userId);
      } catch {
        // Not a session reference (written by hand): nobody to tell.
      }
    }
    let failed = 0;
    for (const userId of users) {
      try {
        await this.notifier.notifyUser(userId, [{ type: 'NETWORK_LIST', networks: list }]);
      } catch (err) {
        failed++;
        this.logger.error({ err, userId }, 'the new IRC network list could not be sent to a user');
      }
    }
    this.logger.info({ networks: list.map((n) => n.name), users: users.size, failed }, 'the IRC network list changed; every session told');
  }
}
