/**
 * The room services' objects (`AutoKick`, later `ChanAccess`) from the object store, held in
 * memory by a live cache: operators may edit them in Redis (`npm run admin`) and every
 * loopback-parser follows at once.
 */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { AUTO_KICK, CHAN_ACCESS, NICK_ALIAS, ObjectCache, ObjectStore, TypeRegistry } from '@parley/object-store';
import { duplicateConnection, LOGGER, type Logger, REDIS } from '@parley/runtime';

/** `*` any run of characters, `?` one; case-insensitive, like the room's ban masks. */
export function maskMatches(mask: string, nick: string): boolean {
  const pattern = mask
    .toLowerCase()
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(nick.toLowerCase());
}

export interface AutoKickEntry {
  id: number;
  mask: string;
  reason: string;
}

@Injectable()
export class RoomObjects implements OnModuleInit, OnModuleDestroy {
  readonly store: ObjectStore;
  private cache: ObjectCache | undefined;
  private subscriber: Redis | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.store = new ObjectStore(redis, new TypeRegistry([AUTO_KICK, CHAN_ACCESS, NICK_ALIAS]));
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = duplicateConnection(this.redis, 'loopback-parser-objects', this.logger);
    this.cache = new ObjectCache(this.redis, this.store, { subscriber: this.subscriber, db: this.redis.options.db ?? 0, types: ['AutoKick', 'ChanAccess'], logger: this.logger });
    await this.cache.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.cache?.stop();
    this.subscriber?.disconnect();
  }

  /** The room's auto-kick entries (room names compare case-insensitively). */
  autoKicks(room: string): AutoKickEntry[] {
    const key = room.toLowerCase();
    const out: AutoKickEntry[] = [];
    for (const [id, o] of this.cache?.all('AutoKick') ?? []) if (o.room?.toLowerCase() === key && o.mask) out.push({ id, mask: o.mask, reason: o.reason ?? '' });
    return out.sort((a, b) => a.mask.localeCompare(b.mask));
  }

  /** The room's access entries: who is made operator or voiced on joining. */
  accessList(room: string): { id: number; mask: string; level: 'op' | 'voice' }[] {
    const key = room.toLowerCase();
    const out: { id: number; mask: string; level: 'op' | 'voice' }[] = [];
    for (const [id, o] of this.cache?.all('ChanAccess') ?? []) {
      if (o.room?.toLowerCase() === key && o.mask && (o.level === 'op' || o.level === 'voice')) out.push({ id, mask: o.mask, level: o.level });
    }
    return out.sort((a, b) => a.mask.localeCompare(b.mask));
  }

  /** The highest level the room's access list gives this nick (op over voice). */
  accessOf(room: string, nick: string): 'op' | 'voice' | undefined {
    const levels = this.accessList(room).filter((a) => maskMatches(a.mask, nick)).map((a) => a.level);
    return levels.includes('op') ? 'op' : levels[0];
  }

  /** The first auto-kick of the room that matches the nick. */
  autoKickOf(room: string, nick: string): AutoKickEntry | undefined {
    return this.autoKicks(room).find((k) => maskMatches(k.mask, nick));
  }

  /**
   * Writes an object (a new one without `id`) and reads it into this instance's cache at once,
   * so the next request here sees it without waiting for its keyspace event.
   */
  async put(type: 'AutoKick' | 'ChanAccess', fields: Record<string, unknown>, id?: number): Promise<void> {
    const written = id === undefined ? await this.store.create(type, fields) : (await this.store.update(type, id, fields), id);
    await this.cache?.refresh(type, written);
  }

  /** Deletes an object, and drops it from this instance's cache at once. */
  async remove(type: 'AutoKick' | 'ChanAccess', id: number): Promise<void> {
    await this.store.delete(type, id);
    await this.cache?.refresh(type, id);
  }
}
