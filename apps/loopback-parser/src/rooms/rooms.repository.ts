import { join } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { LuaScript, type ReplyAddress, SCRIPT_KEY_PREFIXES, scriptReplyTarget } from '@parley/inbox';
import {
  assignedBots,
  botRooms,
  group,
  groupBacklog,
  groupBots,
  groupClientMsg,
  groupMembers,
  groupRoles,
  groupWindows,
  imKeys,
  objectHash,
  note,
  noteList,
  user,
  userIndex,
  userIndexField,
  urls,
  window,
  windowListEntrySuffix,
} from '@parley/key-schema';
import { BUILTIN_NETWORK, JoinPolicy, type RoomBan } from '@parley/protocol';
import { REDIS } from '@parley/runtime';

const LUA_DIR = join(__dirname, '..', '..', 'lua');
const script = (name: string) => LuaScript.withRequestLib(LUA_DIR, name, ['rooms-lib']);
const scripts = {
  create: script('create'),
  join: script('join'),
  leave: script('leave'),
  send: script('send'),
  edit: script('edit'),
  topic: script('topic'),
  settings: script('settings'),
  moderate: script('moderate'),
  notes: script('notes'),
  access: script('access'),
  read: script('read'),
  bot: script('bot'),
};
export type RoomScript = keyof typeof scripts;

/** Where a script's answer goes. */
export type { ReplyAddress };

/** One message of a run for send.lua. */
export interface SendItem {
  /** The request it answers (none: a post by the room's integration). */
  to?: ReplyAddress;
  text: string;
  cat: 'msg' | 'action';
  /** The links in the text. */
  urls: string[];
  /** Its de-duplication key (groupclientmsg), when the client gave an id. */
  clientMsgKey?: string;
}

/** A room window of a user, as its window hash says. */
export interface RoomWindow {
  windowId: number;
  room: string;
}

const im = imKeys();

/**
 * The prefixes the room scripts get: the inbox's for users' keys, and `botRooms` (a room that goes
 * takes itself out of its bots' `botrooms:<botId>` sets).
 */
const ROOM_SCRIPT_PREFIXES = { ...SCRIPT_KEY_PREFIXES, botRooms: botRooms(1).slice(0, -1), assignedBots: assignedBots() };
/** Window → room entries remembered (a few MB at most). */
const ROOM_CACHE_MAX = 100_000;

/**
 * Rooms in Redis (keys from the key schema). Every change is one Lua script that also tells the
 * members' sessions and stores the request's answer, so a room never disagrees with what its
 * members were told, and a request redelivered after a crash finds its answer and is not redone.
 */
@Injectable()
export class RoomsRepository implements OnModuleInit {
  /** `<userId>:<windowId>` → room name, oldest first. */
  private readonly rooms = new Map<string, string>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * Loads every script at start: a pipelined run of SENDs relies on the scripts being known (a
   * NOSCRIPT fallback of one of them could otherwise run after a later one).
   */
  async onModuleInit(): Promise<void> {
    await Promise.all(Object.values(scripts).map((script) => this.redis.script('LOAD', script.source)));
  }

  /** The keys of one room, in the order the scripts take them. */
  roomKeys(room: string): string[] {
    return [group(room), groupMembers(room), groupRoles(room), groupWindows(room), groupBacklog(room), im.blackListGroup(room), im.groupRequest(room), groupBots(room)];
  }

  /** bot.lua's keys: the room's, the bot's rooms, the set of assigned bots, and the bot's BotInfo. */
  botKeys(room: string, botId: number): string[] {
    return [...this.roomKeys(room), botRooms(botId), assignedBots(), objectHash('BotInfo', botId)];
  }

  /** The bot's nick as its BotInfo holds it now (not as a cache last saw it). */
  async botNick(botId: number): Promise<string | undefined> {
    return (await this.redis.hget(objectHash('BotInfo', botId), 'nick')) ?? undefined;
  }

  /** The rooms a bot is assigned to (as their group hashes name them). */
  async roomsOfBot(botId: number): Promise<string[]> {
    return this.redis.smembers(botRooms(botId));
  }

  /** Every bot id assigned to some room. */
  async assignedBotIds(): Promise<number[]> {
    return (await this.redis.smembers(assignedBots())).map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  }

  /** The room's name as its group hash has it (undefined: no such room). */
  async roomName(room: string): Promise<string | undefined> {
    return (await this.redis.hget(group(room), 'name')) ?? undefined;
  }

  /** The service bots assigned to the room: BotInfo id → nick. */
  async botsOf(room: string): Promise<Map<number, string>> {
    return new Map(Object.entries(await this.redis.hgetall(groupBots(room))).map(([id, nick]) => [Number(id), nick]));
  }

  suffix(room: string): string {
    return windowListEntrySuffix({ network: BUILTIN_NETWORK, name: room, type: 'group' });
  }

  /** Runs a room script: A gets the key prefixes and where the answer goes. Returns the answer JSON. */
  async run(name: Exclude<RoomScript, 'send'>, keys: readonly string[], args: Record<string, unknown>, to?: ReplyAddress): Promise<string> {
    const A = { P: ROOM_SCRIPT_PREFIXES, R: to && scriptReplyTarget(to), ...args };
    return (await scripts[name].run(this.redis, keys, [JSON.stringify(A)])) as string;
  }

  /**
   * Stores a run of messages of one session (or of the room's integration) in a room and tells
   * the members, in one step (send.lua). `room` are the room's keys. Each message with `to` is
   * answered. Resolves with how many were stored (repeats of stored ones are not).
   */
  async send(room: readonly string[], args: Record<string, unknown>, items: readonly SendItem[]): Promise<number> {
    const keys = [...room.slice(0, 5), ...items.map((item) => item.clientMsgKey ?? room[0]!)];
    const A = { P: ROOM_SCRIPT_PREFIXES, ...args, items: items.map(({ to, text, cat, urls }) => ({ R: to && scriptReplyTarget(to), text, cat, urls })) };
    return (await scripts.send.run(this.redis, keys, [JSON.stringify(A)])) as number;
  }

  clientMsgKey(room: string, userId: number, clientMsgId: string): string {
    return groupClientMsg(room, userId, clientMsgId);
  }

  async nick(userId: number): Promise<string | undefined> {
    return (await this.redis.hget(user(userId), 'nick')) ?? undefined;
  }

  async userIdByNick(nick: string): Promise<number | undefined> {
    const id = await this.redis.hget(userIndex(), userIndexField.nick(nick));
    return id ? Number(id) : undefined;
  }

  /**
   * The room of a user's window, if it is a room window of the built-in network. Remembered: a
   * window id is never reused (ids only grow per user) and a window never changes rooms; a window
   * closed since is caught by each script's membership check.
   */
  async roomWindow(userId: number, windowId: number): Promise<RoomWindow | undefined> {
    const key = `${userId}:${windowId}`;
    const known = this.rooms.get(key);
    if (known !== undefined) return { windowId, room: known };
    const [name, type, network] = await this.redis.hmget(window(userId, windowId), 'name', 'type', 'network');
    if (!name || type !== 'group' || network !== BUILTIN_NETWORK) return undefined;
    if (this.rooms.size >= ROOM_CACHE_MAX) this.rooms.delete(this.rooms.keys().next().value!);
    this.rooms.set(key, name);
    return { windowId, room: name };
  }

  async roomPassword(room: string): Promise<string | undefined> {
    return (await this.redis.hget(group(room), 'password')) ?? undefined;
  }

  /** The user's role in the room (`*`, `@`, `+`, `u`; undefined: not a member). */
  async role(room: string, userId: number): Promise<string | undefined> {
    return (await this.redis.hget(groupRoles(room), String(userId)))?.slice(0, 1);
  }

  /**
   * The user's role in the room (undefined: not a member), its join policy and its bans (the
   * black-list's `user:<id>` and `mask:<mask>` fields, each JSON `{ by, at, nick? }`).
   */
  async roomAccess(room: string, userId: number): Promise<{ role: string | undefined; policy: JoinPolicy; bans: RoomBan[] }> {
    const [[, roleEntry], [, policy], [, banned]] = (await this.redis
      .pipeline()
      .hget(groupRoles(room), String(userId))
      .hget(group(room), 'policy')
      .hgetall(im.blackListGroup(room))
      .exec()) as [[unknown, string | null], [unknown, string | null], [unknown, Record<string, string>]];
    const bans = Object.entries(banned ?? {}).map(([field, value]): RoomBan => {
      const sep = field.indexOf(':');
      const kind = field.slice(0, sep) === 'mask' ? 'mask' : 'user';
      let entry: { by?: unknown; at?: unknown; nick?: unknown } = {};
      try {
        entry = JSON.parse(value) as typeof entry;
      } catch {
        // An entry written by hand: the ban still counts and is still listed.
      }
      const name = kind === 'mask' ? field.slice(sep + 1) : typeof entry.nick === 'string' ? entry.nick : `user ${field.slice(sep + 1)}`;
      return { kind, name, ...(typeof entry.by === 'number' ? { by: entry.by } : {}), ...(typeof entry.at === 'number' ? { at: entry.at } : {}) };
    });
    return { role: roleEntry?.slice(0, 1), policy: JoinPolicy.safeParse(policy).data ?? 'open', bans: bans.sort((a, b) => a.name.localeCompare(b.name)) };
  }

  async isMember(room: string, userId: number, windowId: number): Promise<boolean> {
    return (await this.redis.hget(groupWindows(room), String(userId))) === String(windowId);
  }

  /** The backlog, newest first, as stored. */
  async backlog(room: string): Promise<string[]> {
    return this.redis.lrange(groupBacklog(room), 0, -1);
  }

  /** Any window of the user (notes and URLs belong to windows of every network). */
  async windowExists(userId: number, windowId: number): Promise<boolean> {
    return (await this.redis.exists(window(userId, windowId))) === 1;
  }

  noteKeys(userId: number, windowId: number, noteId: string): string[] {
    return [noteList(userId, windowId), note(noteId), window(userId, windowId)];
  }

  /** The window's notes, oldest first. */
  async notes(userId: number, windowId: number): Promise<{ noteId: string; fields: Record<string, string> }[]> {
    const ids = await this.redis.smembers(noteList(userId, windowId));
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(note(id));
    const results = (await pipeline.exec()) ?? [];
    return ids.map((noteId, i) => ({ noteId, fields: (results[i]?.[1] as Record<string, string> | undefined) ?? {} }));
  }

  async urls(userId: number, windowId: number, limit: number): Promise<string[]> {
    return this.redis.lrange(urls(userId, windowId), 0, limit - 1);
  }

}
