/**
 * The room services' objects (`AutoKick`, `ChanAccess`, `BotInfo`) from the object store, held in
 * memory by a live cache: operators may edit them in Redis (`npm run admin`) and every
 * loopback-parser follows at once.
 */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { AUTO_KICK, BOT_INFO, CHAN_ACCESS, foldAscii, NICK_ALIAS, ObjectCache, type ObjectChange, ObjectStore, TypeRegistry } from '@parley/object-store';
import { databaseOf, duplicateConnection, LOGGER, type Logger, REDIS } from '@parley/runtime';
import { NICK } from './commands';

/** `*` any run of characters, `?` one; case-insensitive, like the room's ban masks. */
export function maskMatches(mask: string, nick: string): boolean {
  const pattern = mask
    .toLowerCase()
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(nick.toLowerCase());
}

/** A service bot as rooms use it. */
export interface Bot {
  id: number;
  nick: string;
  realname: string;
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
    this.store = new ObjectStore(redis, new TypeRegistry([AUTO_KICK, CHAN_ACCESS, NICK_ALIAS, BOT_INFO]));
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = duplicateConnection(this.redis, 'loopback-parser-objects', this.logger);
    this.cache = new ObjectCache(this.redis, this.store, { subscriber: this.subscriber, db: databaseOf(this.redis), types: ['AutoKick', 'ChanAccess', 'BotInfo'], logger: this.logger });
    await this.cache.start();
  }

  /** Every change the cache sees (of this instance's writes and of outside edits alike). */
  onChange(listener: (change: ObjectChange) => void): () => void {
    if (!this.cache) throw new Error('the object cache has not started');
    return this.cache.onChange(listener);
  }

  /** The bot as rooms can use it: undefined when it is gone or its nick cannot be a room nick. */
  bot(id: number): Bot | undefined {
    const o = this.cache?.get('BotInfo', id);
    return o?.nick && NICK.test(o.nick) ? { id, nick: o.nick, realname: o.realname ?? '' } : undefined;
  }

  /** The bot with this nick (ignoring case, as its unique index does). */
  botByNick(nick: string): Bot | undefined {
    const key = foldAscii(nick);
    for (const [id, o] of this.cache?.all('BotInfo') ?? []) if (o.nick !== undefined && foldAscii(o.nick) === key) return this.bot(id);
    return undefined;
  }

  /** Every usable bot, by nick. */
  bots(): Bot[] {
    return [...(this.cache?.all('BotInfo').keys() ?? [])]
      .map((id) => this.bot(id))
      .filter((b): b is Bot => b !== undefined)
      .sort((a, b) => a.nick.localeCompare(b.nick));
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
