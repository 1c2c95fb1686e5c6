import { join } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { LuaScript, SCRIPT_KEY_PREFIXES } from '@parley/inbox';
import {
  type CaseMapping,
  type HashKey,
  inbox,
  ircClientMsg,
  ircOutbox,
  ircRetry,
  names,
  networks,
  parseWindowListEntry,
  sessionList,
  user,
  users,
  window,
  windowList,
  windowListEntrySuffix,
  windowMsgs,
} from '@parley/key-schema';
import type { MessageCategory, Role, WindowType } from '@parley/protocol';
import { REDIS } from '@parley/runtime';

const LUA_DIR = join(__dirname, '..', '..', 'lua');
const scripts = {
  window: LuaScript.withOutboxLib(LUA_DIR, 'window'),
  messages: LuaScript.withOutboxLib(LUA_DIR, 'messages'),
  read: LuaScript.withRequestLib(LUA_DIR, 'read'),
  keepOut: LuaScript.fromDir(LUA_DIR, 'keep-out'),
};

/** Windows remembered (a few MB at most). */
const WINDOW_CACHE_MAX = 100_000;

/** The server window of a network: a `group` window named `*` (no channel or nick is named so). */
export const SERVER_WINDOW = '*';

export interface IrcWindow {
  windowId: number;
  network: string;
  /** As the windowlist entry holds it: case-folded. */
  folded: string;
  type: WindowType;
}

export interface NewMessage {
  windowId: number;
  cat: MessageCategory;
  body: string;
  nick: string;
  ts: number;
  /** The number of the line it came from, on the connection given to addMessages. */
  seq?: number;
}

/** Where a line came from: a message it stores is stored once, even if the line is handled twice. */
export interface LineMark {
  conn: string;
  seq: number;
}

/** The connection state of a user on a network (`networks:<userId>:<network>`). */
export interface NetworkState {
  state?: string;
  currentnick?: string;
  retryCount?: string;
  /** Parley's: the ISUPPORT tokens kept (JSON), the capabilities enabled, the connection id. */
  isupport?: string;
  caps?: string;
  conn?: string;
  lastline?: string;
  /** 1 when the user closed the connection on purpose: no reconnect. */
  closed?: string;
  /** The user's SASL PLAIN credentials, sealed with the server key (secrets.ts). */
  sasl?: string;
  /** 1 when it was closed because the user was away too long: it reconnects at their next session. */
  away?: string;
  /** The last number given to an outbox entry; the connection whose registration last resent the outbox. */
  wseq?: string;
  resent?: string;
}

/** One write of the user's own messages, kept until connection-manager says the server handled it. */
export interface OutboxEntry {
  wseq: number;
  /** When the user sent it (ms). */
  ts: number;
  lines: string[];
}

/** Writes an outbox keeps at most; past this the oldest go (a connection-manager that never confirms). */
export const OUTBOX_MAX = 500;

/** How long what an IRC SEND with a client id got is kept (s): a retry within this is not sent again. */
const CLIENT_MSG_TTL_S = 24 * 3600;

/** The user's own SEND with a client id: its ircclientmsg key, so that it is stored and sent once. */
export interface OwnSend {
  key: HashKey;
}

/** `ownSend(userId, windowId, clientMsgId)`: what an IRC SEND with that client id in that window is de-duplicated by. */
export function ownSend(userId: number, windowId: number, clientMsgId: string): OwnSend {
  return { key: ircClientMsg(userId, windowId, clientMsgId) };
}

/** IRC state in Redis: connection state, windows, channel members, messages (keys from the key schema). */
@Injectable()
export class IrcRepository implements OnModuleInit {
  /**
   * Windows found before, by user, network, type and folded name: a busy channel's lines find
   * their window without Redis. A window dropped elsewhere is noticed when a message for it finds
   * it gone (addMessages answers 0), and forgotten then.
   */
  private readonly windowIds = new Map<string, number>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onModuleInit(): Promise<void> {
    await Promise.all(Object.values(scripts).map((script) => this.redis.script('LOAD', script.source)));
  }

  async network(userId: number, network: string): Promise<NetworkState> {
    return (await this.redis.hgetall(networks(userId, network)));
  }

  async setNetwork(userId: number, network: string, fields: Partial<Record<keyof NetworkState, string | number>>): Promise<void> {
    await this.redis.hset(networks(userId, network), fields);
  }

  async clearNetworkFields(userId: number, network: string, ...fields: (keyof NetworkState)[]): Promise<void> {
    if (fields.length > 0) await this.redis.hdel(networks(userId, network), ...fields);
  }

  async nick(userId: number): Promise<string | undefined> {
    return (await this.redis.hget(user(userId), 'nick')) ?? undefined;
  }

  /** The user's windows on IRC networks (all networks, or one). */
  async windows(userId: number, network?: string): Promise<IrcWindow[]> {
    const members = await this.redis.smembers(windowList(userId));
    const out: IrcWindow[] = [];
    for (const m of members) {
      try {
        const e = parseWindowListEntry(m);
        if (network === undefined ? e.network !== 'parley' : e.network === network) out.push({ windowId: e.windowId, network: e.network, folded: e.name, type: e.type });
      } catch {
        // Not an entry this app reads; the gateway's burst reports malformed ones.
      }
    }
    return out;
  }

  async windowFields(userId: number, windowId: number): Promise<Record<string, string>> {
    return this.redis.hgetall(window(userId, windowId));
  }

  /**
   * Moves the read watermark of a window forwards (and tells the user's other sessions); false
   * when the window has no message with that gid.
   */
  async markRead(userId: number, windowId: number, gid: number, sessionId: string): Promise<boolean> {
    return ((await scripts.read.run(this.redis, [window(userId, windowId)], [JSON.stringify({ P: SCRIPT_KEY_PREFIXES, uid: userId, wid: windowId, gid, sid: sessionId })])) as number) >= 0;
  }

  async setWindowFields(userId: number, windowId: number, fields: Record<string, string>): Promise<void> {
    await this.redis.hset(window(userId, windowId), fields);
  }

  /** Finds the window, or makes it (and tells the user's sessions). */
  async findOrMakeWindow(
    userId: number,
    network: string,
    name: string,
    type: WindowType,
    mapping: CaseMapping,
    make: boolean,
    fields: Record<string, string> = {},
  ): Promise<{ windowId: number; made: boolean } | undefined> {
    const suffix = windowListEntrySuffix({ network, name, type }, mapping);
    const cacheKey = `${userId}${suffix}`;
    const known = this.windowIds.get(cacheKey);
    if (known !== undefined) return { windowId: known, made: false };
    const [windowId, made] = (await scripts.window.run(this.redis, [windowList(userId), user(userId)], [
      JSON.stringify({ P: SCRIPT_KEY_PREFIXES, uid: userId, suffix, network, name, type, create: make, fields }),
    ])) as [number, number];
    if (windowId <= 0) return undefined;
    if (this.windowIds.size >= WINDOW_CACHE_MAX) this.windowIds.delete(this.windowIds.keys().next().value!);
    this.windowIds.set(cacheKey, windowId);
    return { windowId, made: made === 1 };
  }

  /** Forgets a remembered window (it is gone). */
  forgetWindow(userId: number, windowId: number): void {
    for (const [key, id] of this.windowIds) if (id === windowId && key.startsWith(`${userId}:`)) this.windowIds.delete(key);
  }

  /** Removes a window with what hangs on it; true if it was there. */
  async dropWindow(userId: number, w: IrcWindow): Promise<boolean> {
    this.forgetWindow(userId, w.windowId);
    const member = `${w.windowId}${windowListEntrySuffix({ network: w.network, name: w.folded, type: w.type }, 'ascii')}`;
    const results = await this.redis
      .multi()
      .srem(windowList(userId), member)
      .del(window(userId, w.windowId), windowMsgs(userId, w.windowId), names(userId, w.windowId))
      .exec();
    return results?.[0]?.[1] === 1;
  }

  /**
   * Stores messages (each line's once: `conn` and the items' `seq`) and tells the user's sessions.
   * Returns per item its gid, 0 when its window is gone, -1 when its line was handled before.
   */
  async addMessages(userId: number, network: string, items: readonly NewMessage[], max: number, conn?: string, exceptSessionId = ''): Promise<number[]> {
    if (items.length === 0) return [];
    return (await this.runMessages(userId, network, items, max, { conn, except: exceptSessionId })) as number[];
  }

  /**
   * The user's own SEND, stored once per client id: the gids and time it got the first time (a
   * SEND handled again stores nothing and tells no session).
   */
  async addOwnMessages(userId: number, network: string, items: readonly NewMessage[], max: number, exceptSessionId: string, own: OwnSend): Promise<{ ts: number; gids: number[] }> {
    const [ts, ...gids] = (await this.runMessages(userId, network, items, max, { except: exceptSessionId, own: true, ownTtl: CLIENT_MSG_TTL_S }, own.key)) as number[];
    return { ts: ts!, gids };
  }

  /** What a SEND with this client id got when it was stored, if it was. */
  async ownMessages(own: OwnSend): Promise<{ gid: number; ts: number } | undefined> {
    const [ts, gids] = await this.redis.hmget(own.key, 'ts', 'gids');
    const first = gids ? (JSON.parse(gids) as number[])[0] : undefined;
    return ts && first !== undefined && first > 0 ? { gid: first, ts: Number(ts) } : undefined;
  }

  private runMessages(userId: number, network: string, items: readonly NewMessage[], max: number, options: Record<string, unknown>, ownKey?: HashKey): Promise<unknown> {
    const keys: string[] = [networks(userId, network), ...items.flatMap((m) => [window(userId, m.windowId), windowMsgs(userId, m.windowId)])];
    if (ownKey) keys.push(ownKey);
    const A = { P: SCRIPT_KEY_PREFIXES, uid: userId, max, ...options, items: items.map((m) => ({ wid: m.windowId, cat: m.cat, body: m.body, nick: m.nick, ts: m.ts, seq: m.seq })) };
    return scripts.messages.run(this.redis, keys, [JSON.stringify(A)]);
  }

  /** A window's stored messages, newest first. */
  async backlog(userId: number, windowId: number): Promise<string[]> {
    return this.redis.lrange(windowMsgs(userId, windowId), 0, -1);
  }

  async members(userId: number, windowId: number): Promise<Record<string, string>> {
    return this.redis.hgetall(names(userId, windowId));
  }

  /** Replaces (`reset`) or updates the member list of a channel window. */
  async setMembers(userId: number, windowId: number, members: Record<string, Role>, reset = false): Promise<void> {
    const key = names(userId, windowId);
    const tx = this.redis.multi();
    if (reset) tx.del(key);
    if (Object.keys(members).length > 0) tx.hset(key, members);
    await tx.exec();
  }

  async removeMembers(userId: number, windowId: number, nicks: readonly string[]): Promise<void> {
    if (nicks.length > 0) await this.redis.hdel(names(userId, windowId), ...nicks);
  }

  /**
   * Keeps the user's messages until connection-manager confirms them (`sent`) and queues their
   * write for it, in one step. With `own` (write `part` of a SEND with a client id), a write queued
   * before is not queued again. Returns its wseq, and whether it was queued now.
   */
  async keepOut(userId: number, network: string, lines: string[], ts: number, own?: OwnSend & { part: number }): Promise<{ wseq: number; queued: boolean }> {
    const write = JSON.stringify({ v: 1, type: 'write', userId, network, lines, sentAt: Date.now() });
    const keys = [networks(userId, network), ircOutbox(userId, network), inbox('connectionmanager'), own?.key ?? ircOutbox(userId, network)];
    const [wseq, queued] = (await scripts.keepOut.run(this.redis, keys, [JSON.stringify({ ts, lines }), OUTBOX_MAX, write.slice(0, -1), own ? `w${own.part}` : '', CLIENT_MSG_TTL_S])) as [number, number];
    return { wseq, queued: queued === 1 };
  }

  /** connection-manager wrote the entry with this wseq (and, in order, all before it). */
  async confirmOut(userId: number, network: string, wseq: number): Promise<void> {
    await this.redis.zremrangebyscore(ircOutbox(userId, network), '-inf', wseq);
  }

  /** The entries not confirmed, oldest first (only keep-out.lua writes them). */
  async unconfirmedOut(userId: number, network: string): Promise<OutboxEntry[]> {
    return (await this.redis.zrange(ircOutbox(userId, network), '0', '-1')).map((raw) => JSON.parse(raw) as OutboxEntry);
  }

  async dropOut(userId: number, network: string, entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length > 0) await this.redis.zremrangebyscore(ircOutbox(userId, network), entries[0]!.wseq, entries.at(-1)!.wseq);
  }

  /** Reconnects due: `<userId>:<network>` members with their due time (ms). */
  async scheduleRetry(userId: number, network: string, at: number): Promise<void> {
    await this.redis.zadd(ircRetry(), at, `${userId}:${network}`);
  }

  async cancelRetry(userId: number, network: string): Promise<void> {
    await this.redis.zrem(ircRetry(), `${userId}:${network}`);
  }

  /**
   * Takes the reconnects that are due (each taken by one instance: ZREM decides). A timer that
   * lives in Redis survives restarts of this app.
   */
  async takeDueRetries(now: number, limit = 100): Promise<{ userId: number; network: string }[]> {
    const due = await this.redis.zrangebyscore(ircRetry(), '-inf', now, 'LIMIT', 0, limit);
    const taken: { userId: number; network: string }[] = [];
    for (const member of due) {
      if ((await this.redis.zrem(ircRetry(), member)) !== 1) continue;
      const [u, ...rest] = member.split(':');
      taken.push({ userId: Number(u), network: rest.join(':') });
    }
    return taken;
  }

  /** When the user's newest session was last active (ms), or 0 without a session. */
  async lastActive(userId: number): Promise<number> {
    const newest = await this.redis.zrange(sessionList(userId), '-1', '-1', 'WITHSCORES');
    return newest.length === 2 ? Number(newest[1]) : 0;
  }

  /** Every user id (callers keep those with IRC windows; a scan over all users, for rare sweeps). */
  async allUserIds(): Promise<number[]> {
    const ids = await this.redis.smembers(users());
    return ids.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
  }
}
