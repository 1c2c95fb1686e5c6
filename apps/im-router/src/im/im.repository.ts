import { join } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { LuaScript, type ReplyAddress, SCRIPT_KEY_PREFIXES, scriptReplyTarget } from '@parley/inbox';
import { gatewayHeartbeats, type ImKeys, imKeys, parseSessionRef, session, sessionLastRequest, sessionList, userIndex, userIndexField, window, windowListEntrySuffix, windowMsgs } from '@parley/key-schema';
import { BUILTIN_NETWORK } from '@parley/protocol';
import { APP_CONFIG, REDIS } from '@parley/runtime';
import type { ImConfig } from '../im.config';

const LUA_DIR = join(__dirname, '..', '..', 'lua');
const script = (name: string) => LuaScript.withRequestLib(LUA_DIR, name, ['im-lib']);
const scripts = {
  friends: script('friends'),
  chat: script('chat'),
  send: script('send'),
  read: script('read'),
  close: script('close'),
  presence: script('presence'),
  expire: script('expire'),
};

/** What a builder of a per-user key puts before the user id (the scripts add the id themselves). */
const before = (key: string, id: string) => {
  if (!key.endsWith(id)) throw new Error(`key ${key} does not end with ${id}`);
  return key.slice(0, -id.length);
};

/** A.K: the IM key prefixes under the configured IM prefix. */
function imPrefixes(im: ImKeys) {
  return {
    contact: before(im.contactFriend(1), '1'),
    black: before(im.blackListUser(1), '1'),
    request: before(im.friendRequest(1), '1'),
    send: before(im.messageSend(1), '1'),
    receive: before(im.messageReceive({ userId: 1 }), '1'),
    offline: before(im.messageOffline(1), '1'),
    receipt: before(im.readReceipt('x'), 'x'),
    presence: im.presence(),
    login: before(im.userLogin(1), '1'),
    dmUsers: im.dmUsers(),
    offlineFloor: im.offlineFloor(),
    gateways: gatewayHeartbeats(),
  };
}

export type FriendsOp = 'request' | 'verdict' | 'remove' | 'block' | 'unblock';

/** A 1on1 window of a user, as its window hash says. */
export interface DirectWindow {
  peer: number;
}

/** IM state in Redis (keys from the key schema); each change is one Lua step that also notifies. */
@Injectable()
export class ImRepository implements OnModuleInit {
  readonly im: ImKeys;
  private readonly K: ReturnType<typeof imPrefixes>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: ImConfig,
  ) {
    this.im = imKeys(config.IM_KEY_PREFIX);
    this.K = imPrefixes(this.im);
  }

  async onModuleInit(): Promise<void> {
    await Promise.all(Object.values(scripts).map((s) => this.redis.script('LOAD', s.source)));
  }

  /** The conversation of two users as the scripts take it (A.C). */
  private conversation(userId: number, peer: number) {
    const [low, high] = [userId, peer].sort((a, b) => a - b);
    const suffix = (other: number) => windowListEntrySuffix({ network: BUILTIN_NETWORK, name: String(other), type: '1on1' });
    return { key: this.im.conversation(userId, peer), id: `${low}-${high}`, suffixU: suffix(peer), suffixP: suffix(userId) };
  }

  private async run(name: keyof typeof scripts, args: Record<string, unknown>, to?: ReplyAddress): Promise<unknown> {
    const A = { P: SCRIPT_KEY_PREFIXES, K: this.K, R: to && scriptReplyTarget(to), now: Date.now(), ...args };
    return scripts[name].run(this.redis, [], [JSON.stringify(A)]);
  }

  async userIdByNick(nick: string): Promise<number | undefined> {
    const id = await this.redis.hget(userIndex(), userIndexField.nick(nick));
    return id ? Number(id) : undefined;
  }

  friends(op: FriendsOp, userId: number, target: number, to: ReplyAddress, allow?: boolean): Promise<unknown> {
    return this.run('friends', { op, uid: userId, target, ...(allow !== undefined ? { allow } : {}) }, to);
  }

  chat(userId: number, peer: number, to: ReplyAddress): Promise<unknown> {
    return this.run('chat', { uid: userId, peer, C: this.conversation(userId, peer) }, to);
  }

  send(userId: number, peer: number, text: string, clientMsgId: string, to: ReplyAddress): Promise<unknown> {
    const c = this.config;
    return this.run(
      'send',
      {
        uid: userId,
        peer,
        text,
        C: this.conversation(userId, peer),
        // Per conversation: the same id used towards another user is another message.
        clientMsgKey: this.im.clientMsg(userId, `${peer}.${clientMsgId}`),
        clientMsgTtl: c.IM_CLIENT_MSG_TTL_S,
        backlog: c.IM_WINDOW_BACKLOG,
        timelineMax: c.IM_TIMELINE_MAX,
        offlineMax: c.IM_OFFLINE_MAX,
      },
      to,
    );
  }

  read(userId: number, peer: number, gid: number, to: ReplyAddress): Promise<unknown> {
    return this.run('read', { uid: userId, peer, gid, C: this.conversation(userId, peer), receiptTtl: this.config.IM_RECEIPT_TTL_S, receiptMax: 200 }, to);
  }

  close(userId: number, windowId: number, peer: number, to: ReplyAddress): Promise<unknown> {
    return this.run('close', { uid: userId, wid: windowId, C: this.conversation(userId, peer) }, to);
  }

  /**
   * A session started (with its device) or ended: the login hash follows, and the user's friends
   * are told when they came online or went offline; true when that changed.
   */
  async presence(userId: number, op: 'started' | 'ended' | 'check', sessionId = '', device?: Record<string, unknown>): Promise<boolean> {
    return (await this.run('presence', { uid: userId, op, sessionId, ...(device ? { device } : {}) })) === 1;
  }

  /** The peer of one of the user's 1on1 windows on the built-in network (undefined: not such a window). */
  async directWindow(userId: number, windowId: number): Promise<DirectWindow | undefined> {
    const [type, network, target] = await this.redis.hmget(window(userId, windowId), 'type', 'network', 'targetUserId');
    if (type !== '1on1' || network !== BUILTIN_NETWORK || !target) return undefined;
    return { peer: Number(target) };
  }

  /** The window's history, newest first (bounded by IM_WINDOW_BACKLOG). */
  history(userId: number, windowId: number): Promise<string[]> {
    return this.redis.lrange(windowMsgs(userId, windowId), 0, -1);
  }

  /** The offline entries up to `upTo` (their score) leave the timeline: a session has them; later ones will score above it. */
  async offlineDelivered(userId: number, upTo: number): Promise<number> {
    return (await this.redis.eval(
      "local n = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2]) local f = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') if tonumber(ARGV[2]) > f then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end return n",
      2,
      this.im.messageOffline(userId),
      this.im.offlineFloor(),
      String(userId),
      upTo,
    )) as number;
  }

  /** A direct message that could not be stored after the queue's retries (the timeline expires with its newest entry). */
  async recordFailure(from: number, to: number, packet: Record<string, unknown>): Promise<void> {
    const key = this.im.messageFail(from, to);
    await this.redis
      .multi()
      .zadd(key, Date.now(), JSON.stringify(packet))
      .zremrangebyrank(key, 0, -this.config.IM_TIMELINE_MAX - 1)
      .expire(key, this.config.IM_MESSAGE_TTL_S)
      .exec();
  }

  /** Drops the user's direct messages older than `cutoff` (ms); how many went. */
  async expire(userId: number, cutoff: number): Promise<number> {
    return (await this.run('expire', { uid: userId, cutoff, max: 10_000 })) as number;
  }

  /** Walks a set or hash of user ids in pages (SSCAN / HSCAN), calling `each` with each page. */
  async scanUsers(kind: 'dmUsers' | 'presence', each: (page: { userId: number; value?: string }[]) => Promise<void>): Promise<void> {
    let cursor = '0';
    do {
      if (kind === 'dmUsers') {
        const [next, ids] = await this.redis.sscan(this.im.dmUsers(), cursor, 'COUNT', 200);
        cursor = next;
        await each(ids.map((id) => ({ userId: Number(id) })));
      } else {
        const [next, flat] = await this.redis.hscan(this.im.presence(), cursor, 'COUNT', 200);
        cursor = next;
        const page: { userId: number; value: string }[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) page.push({ userId: Number(flat[i]), value: flat[i + 1]! });
        await each(page);
      }
    } while (cursor !== '0');
  }

  /** Devices of sessions that no longer exist leave the user's login hash (one step: a device recorded meanwhile stays). */
  async dropStaleLogins(userId: number): Promise<void> {
    await this.redis.eval(
      "local live = {} for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do live[sid] = true end for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do if not live[f] then redis.call('HDEL', KEYS[2], f) end end return 0",
      2,
      sessionList(userId),
      this.im.userLogin(userId),
    );
  }

  /** Gateways whose last heartbeat is older than `cutoff` (ms). */
  deadGateways(cutoff: number): Promise<string[]> {
    return this.redis.zrangebyscore(gatewayHeartbeats(), '-inf', `(${cutoff}`);
  }

  /**
   * Records a gateway that stopped beating in `im:cluster:server:offline` with the sessions it held,
   * takes it off the gateway list, and marks those sessions' devices offline; returns the sessions
   * (`<userId>:<sessionId>`).
   */
  async reapGateway(instance: string, now: number, cutoff: number): Promise<{ userId: number; sessionId: string }[]> {
    const held: { userId: number; sessionId: string }[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscan(sessionLastRequest(), cursor, 'COUNT', 500);
      cursor = next;
      const refs = flat.filter((_, i) => i % 2 === 0).map((ref) => parseSessionRef(ref));
      const pipeline = this.redis.pipeline();
      for (const r of refs) pipeline.hget(session(r.userId, r.sessionId), 'gateway');
      const gateways = (await pipeline.exec()) ?? [];
      refs.forEach((r, i) => {
        if (gateways[i]?.[1] === instance) held.push(r);
      });
    } while (cursor !== '0');
    // Only if it is still silent: a gateway that beat while its sessions were looked for is alive.
    const reaped = (await this.redis.eval(
      "local s = redis.call('ZSCORE', KEYS[1], ARGV[1]) if not s or tonumber(s) >= tonumber(ARGV[2]) then return 0 end redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) return 1",
      2,
      gatewayHeartbeats(),
      this.im.clusterServerOffline(),
      instance,
      cutoff,
      JSON.stringify({ at: now, sessions: held.map((h) => `${h.userId}:${h.sessionId}`) }),
    )) as number;
    if (reaped !== 1) return [];
    for (const { userId, sessionId } of held) {
      const raw = await this.redis.hget(this.im.userLogin(userId), sessionId);
      if (raw !== null) await this.redis.hset(this.im.userLogin(userId), sessionId, JSON.stringify({ ...(JSON.parse(raw) as object), offline: now }));
    }
    return held;
  }

  /** Records of gateways reaped before `cutoff` go. */
  async forgetReaped(cutoff: number): Promise<void> {
    const all = await this.redis.hgetall(this.im.clusterServerOffline());
    const old = Object.entries(all)
      .filter(([, v]) => ((JSON.parse(v) as { at?: number }).at ?? 0) < cutoff)
      .map(([k]) => k);
    if (old.length > 0) await this.redis.hdel(this.im.clusterServerOffline(), ...old);
  }
}
