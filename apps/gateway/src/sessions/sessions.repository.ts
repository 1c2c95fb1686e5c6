import { Inject, Injectable, Optional } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import {
  friends,
  gatewayHeartbeats,
  type ImKeys,
  imKeys,
  groupBacklog,
  groupBots,
  groupRoles,
  inbox,
  type InboxName,
  names,
  networks,
  gatewaysChannel,
  outbox,
  parseWindowListEntry,
  session,
  sessionLastRequest,
  sessionList,
  sessionRef,
  sessionReplies,
  sessionEnd,
  settings,
  user,
  userIndex,
  userIndexField,
  window,
  windowList,
  windowMsgs,
} from '@parley/key-schema';
import { BUILTIN_NETWORK, type NotifyMessage } from '@parley/protocol';
import { APP_CONFIG, REDIS } from '@parley/runtime';
import { gatewayScript } from '../lua';
import type { Problem, Snapshot, WindowSnapshot } from './burst';
import { AppsRepository } from '../saas/apps.repository';
import { ImQueue } from './im-queue';
import { GATEWAY_INSTANCE } from './instance';

/** How long a session's ending is kept for a gateway whose outbox read races its terminate message. */
const SESSION_END_KEPT_MS = 5 * 60_000;

/** The stored ending, or undefined when it is not the shape end() writes (then the socket is told EXPIRED). */
function parseEnding(raw: string): Ending | undefined {
  let value: Partial<Ending> | null = null;
  try {
    value = JSON.parse(raw) as Partial<Ending> | null;
  } catch {
    // Not JSON: treated like any other shape end() never writes.
  }
  return typeof value?.code === 'string' && typeof value.reason === 'string' ? { code: value.code, reason: value.reason } : undefined;
}

const scripts = {
  create: gatewayScript('create-session'),
  completeInit: gatewayScript('complete-init'),
  resume: gatewayScript('resume-session'),
  readOutbox: gatewayScript('read-outbox'),
  ack: gatewayScript('ack-outbox'),
  claim: gatewayScript('claim-request'),
  end: gatewayScript('end-session'),
  updateWindow: gatewayScript('update-window'),
};

/**
 * How finely a session's last activity is recorded by its requests (ms): idle expiry counts in
 * hours, and a connected session's heartbeat stamps it anyway.
 */
const ACTIVITY_RESOLUTION_MS = 1000;

/** Window routing facts remembered (a few MB at most). */
const WINDOW_CACHE_MAX = 100_000;

export type ResumeResult = 'OK' | 'GONE' | 'REINIT' | 'UNFINISHED' | 'AHEAD' | 'BEHIND';
/** A session's end as its socket is told it: `terminate`'s code and reason. */
export interface Ending {
  code: string;
  reason: string;
}
/** `GONE` carries the ending the session was given, when it was ended with one (sessionend). */
export type OutboxRead = { status: 'OK'; entries: string[] } | { status: 'GONE'; ending?: Ending } | { status: 'REINIT' | 'PENDING' };
export type ClaimResult =
  | { status: 'CLAIMED' }
  | { status: 'REPLAY'; stored: string }
  | { status: 'OLD' }
  | { status: 'GAP'; expected: number }
  | { status: 'GONE' };

export interface SessionRef {
  userId: number;
  sessionId: string;
}

/** The window facts a request is routed by. */
export interface WindowInfo {
  network: string;
  type: string;
  targetUserId: number | undefined;
}

export type DeviceType = 'web' | 'desktop' | 'mobile';

/** The device a session runs on: its kind (from the client) and its address. */
export interface Device {
  type: DeviceType;
  ip: string;
}

/** Sessions, outboxes, stored answers and what the init burst reads (keys from the key schema). */
@Injectable()
export class SessionsRepository {
  /** `<userId>:<windowId>` → routing facts, oldest first. */
  private readonly windows = new Map<string, WindowInfo>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GATEWAY_INSTANCE) private readonly instance: string,
    /** im-router hears of sessions that start and end (presence) and of offline messages delivered. */
    @Optional() private readonly im?: ImQueue,
    @Optional() @Inject(APP_CONFIG) config?: { IM_KEY_PREFIX?: string },
    /** A session of a SaaS app's user leaves the app's connections when it ends. */
    @Optional() private readonly apps?: AppsRepository,
  ) {
    this.imKeys = imKeys(config?.IM_KEY_PREFIX);
  }

  /** The IM keys the init burst reads (offline messages, friend requests). */
  private readonly imKeys: ImKeys;

  private sessionKeys(userId: number, sessionId: string): string[] {
    return [sessionList(userId), session(userId, sessionId), sessionLastRequest(), outbox(userId, sessionId), sessionReplies(userId, sessionId)];
  }

  /**
   * Creates a session waiting for its burst, held by this gateway; returns the sessions over
   * `maxSessions` (oldest first).
   */
  async create(ref: SessionRef, tokenHash: string, clientName: string, maxSessions: number, device: Device = { type: 'web', ip: '' }): Promise<string[]> {
    const { userId, sessionId } = ref;
    const now = Date.now();
    const over = (await scripts.create.run(this.redis, this.sessionKeys(userId, sessionId), [
      sessionId,
      now,
      maxSessions,
      sessionRef(userId, sessionId),
      tokenHash,
      clientName,
      this.instance,
      device.type,
      device.ip,
    ])) as string[];
    await this.im?.presence(userId, sessionId, true, { ...device, gateway: this.instance, loginAt: now });
    return over;
  }

  /** The user's other sessions on the same kind of device (for the one-per-kind device policy). */
  async sessionsOnDevice(userId: number, type: DeviceType, except: string): Promise<string[]> {
    const ids = (await this.redis.zrange(sessionList(userId), '0', '-1')).filter((id) => id !== except);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(session(userId, id), 'deviceType');
    const types = (await pipeline.exec()) ?? [];
    return ids.filter((_, i) => (types[i]?.[1] ?? 'web') === type);
  }

  /** A user setting as stored (a JSON value; undefined when unset). */
  async setting(userId: number, name: string): Promise<unknown> {
    const raw = await this.redis.hget(settings(userId), name);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }

  /**
   * Puts the burst in front of the outbox: the next seq, -1 (session gone) or -2 (outbox cut: build
   * again). `offlineUpTo`: the burst carries the offline direct messages up to that score.
   */
  async completeInit(ref: SessionRef, burst: readonly string[], carried: readonly string[], offlineUpTo?: number): Promise<number> {
    const keys = [session(ref.userId, ref.sessionId), outbox(ref.userId, ref.sessionId)];
    return (await scripts.completeInit.run(this.redis, keys, [burst.length, offlineUpTo ?? '', ...burst, ...carried])) as number;
  }

  /** Resumes a session after the client's `lastSeq`; from now on its wake-ups come to this gateway. */
  async resume(ref: SessionRef, lastSeq: number, tokenHash: string): Promise<ResumeResult> {
    const { userId, sessionId } = ref;
    const result = (await scripts.resume.run(
      this.redis,
      [session(userId, sessionId), outbox(userId, sessionId), sessionList(userId), sessionLastRequest()],
      [lastSeq, Date.now(), sessionId, sessionRef(userId, sessionId), this.instance, tokenHash],
    )) as ResumeResult;
    // Held by this gateway with a socket again (resume-session.lua marks it connected): a user shown away is here again.
    if (result === 'OK') await this.im?.presenceCheck(userId);
    return result;
  }

  async readOutbox(ref: SessionRef, after: number, max: number): Promise<OutboxRead> {
    const { userId, sessionId } = ref;
    const [status, ...entries] = (await scripts.readOutbox.run(this.redis, [session(userId, sessionId), outbox(userId, sessionId), sessionEnd(userId, sessionId)], [after, max])) as string[];
    if (status === 'OK') return { status, entries };
    if (status === 'GONE') return entries[0] === undefined ? { status } : { status, ending: parseEnding(entries[0]) };
    return { status: status as 'REINIT' | 'PENDING' };
  }

  /**
   * Drops what the client acknowledged; returns how many entries went. When the ack covers an init
   * burst that carried offline direct messages, im-router is told they were delivered.
   */
  async ack(ref: SessionRef, seq: number): Promise<number> {
    const [dropped, offlineUpTo] = (await scripts.ack.run(this.redis, [outbox(ref.userId, ref.sessionId), session(ref.userId, ref.sessionId)], [seq])) as [number, string];
    if (offlineUpTo !== '') await this.im?.add({ name: 'OFFLINE_DELIVERED', data: { v: 1, userId: ref.userId, upTo: Number(offlineUpTo) } });
    return dropped;
  }


  /** Checks and claims request `seq`; with `forward`, the envelope enters that inbox in the same step. */
  async claim(ref: SessionRef, seq: number, keep: number, forward?: { inbox: InboxName; envelope: string }): Promise<ClaimResult> {
    const { userId, sessionId } = ref;
    const keys: string[] = [session(userId, sessionId), sessionReplies(userId, sessionId), sessionList(userId), sessionLastRequest()];
    const args: (string | number)[] = [seq, Date.now(), sessionId, sessionRef(userId, sessionId), keep, forward?.envelope ?? '', ACTIVITY_RESOLUTION_MS];
    if (forward) keys.push(inbox(forward.inbox));
    const [status, value] = (await scripts.claim.run(this.redis, keys, args)) as [string, string | number | undefined];
    switch (status) {
      case 'REPLAY':
        return { status, stored: String(value) };
      case 'GAP':
        return { status, expected: Number(value) };
      case 'CLAIMED':
      case 'OLD':
      case 'GONE':
        return { status };
      default:
        throw new Error(`claim-request.lua answered ${status}`);
    }
  }

  async storedReply(ref: SessionRef, requestId: string): Promise<string | null> {
    return this.redis.hget(sessionReplies(ref.userId, ref.sessionId), requestId);
  }

  /**
   * Ends a session (keys gone, its socket told through `notify:gateways` when `terminate` is given).
   * With `idleSince`, only if it has done nothing since then; with `onlyDetached`, only if no
   * socket holds it. True if it was ended.
   */
  async end(ref: SessionRef, terminate?: Ending, idleSince?: number, onlyDetached = false): Promise<boolean> {
    const { userId, sessionId } = ref;
    const message: NotifyMessage | undefined = terminate && { terminate: { sessionIds: [sessionId], ...terminate } };
    const ended = await scripts.end.run(this.redis, [...this.sessionKeys(userId, sessionId), sessionEnd(userId, sessionId)], [
      sessionId,
      sessionRef(userId, sessionId),
      gatewaysChannel(),
      message ? JSON.stringify(message) : '',
      idleSince ?? '',
      onlyDetached ? '1' : '',
      terminate ? JSON.stringify({ code: terminate.code, reason: terminate.reason }) : '',
      SESSION_END_KEPT_MS,
    ]);
    if (ended !== 1) return false;
    const app = await this.apps?.appOf(userId);
    if (app) await this.apps!.disconnect(app, sessionId);
    await this.im?.presence(userId, sessionId, false);
    return true;
  }

  /** Tells irc-parser the user is back (a new session): IRC networks closed while they were away reconnect. */
  async announceActive(userId: number): Promise<void> {
    await this.redis.lpush(inbox('ircparser'), JSON.stringify({ v: 1, type: 'active', userId, sentAt: Date.now() }));
  }

  /**
   * The session's socket is gone (the session lives on, resumable): it no longer counts as here —
   * for presence, for direct messages (they go offline too), and for a SaaS app's connections.
   */
  async detached(ref: SessionRef): Promise<void> {
    const { userId, sessionId } = ref;
    await this.redis.eval("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'connected', '0') end", 1, session(userId, sessionId));
    const app = await this.apps?.appOf(userId);
    if (app) await this.apps!.disconnect(app, sessionId);
    await this.im?.presenceCheck(userId);
  }

  /** This gateway is alive (im-router reaps a gateway that stops beating); `false`: it is leaving. */
  async beat(alive = true): Promise<void> {
    if (alive) await this.redis.zadd(gatewayHeartbeats(), Date.now(), this.instance);
    else await this.redis.zrem(gatewayHeartbeats(), this.instance);
  }

  /** Marks sessions active now (their sockets are connected); a session already ended stays ended. */
  async touch(refs: readonly SessionRef[]): Promise<void> {
    if (refs.length === 0) return;
    const now = String(Date.now());
    const pipeline = this.redis.pipeline();
    for (const { userId, sessionId } of refs) {
      pipeline.zadd(sessionList(userId), 'XX', now, sessionId);
      pipeline.zadd(sessionLastRequest(), 'XX', now, sessionRef(userId, sessionId));
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  async sessionIds(userId: number): Promise<string[]> {
    return this.redis.zrange(sessionList(userId), '0', '-1');
  }

  /** The user's sessions with the token hash each runs on. */
  async sessionTokens(userId: number): Promise<{ sessionId: string; tokenHash: string | null }[]> {
    const ids = await this.sessionIds(userId);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(session(userId, id), 'tokenHash');
    const results = (await pipeline.exec()) ?? [];
    return ids.map((sessionId, i) => ({ sessionId, tokenHash: (results[i]?.[1] as string | null) ?? null }));
  }

  /** Sessions whose last activity is at or before `cutoff` (ms), oldest first. */
  async idleSessionRefs(cutoff: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(sessionLastRequest(), '-inf', cutoff, 'LIMIT', 0, limit);
  }

  /** Removes a member of `sessionlastrequest` that names no session. */
  async dropSessionRef(member: string): Promise<void> {
    await this.redis.zrem(sessionLastRequest(), member);
  }

  /**
   * What a request naming this window is routed by. Remembered: window ids are never reused and
   * these fields never change; a window closed since is refused by its owner, who checks.
   */
  async window(userId: number, windowId: number): Promise<WindowInfo | undefined> {
    const key = `${userId}:${windowId}`;
    const known = this.windows.get(key);
    if (known) return known;
    const [network, type, target] = await this.redis.hmget(window(userId, windowId), 'network', 'type', 'targetUserId');
    if (!network || !type) return undefined;
    const info = { network, type, targetUserId: target ? Number(target) : undefined };
    if (this.windows.size >= WINDOW_CACHE_MAX) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(key, info);
    return info;
  }

  /** Sets window fields if the window exists; false if it does not. */
  async updateWindow(userId: number, windowId: number, fields: Record<string, string>): Promise<boolean> {
    const flat = Object.entries(fields).flat();
    return (await scripts.updateWindow.run(this.redis, [window(userId, windowId)], flat)) === 1;
  }

  /** Stores settings as JSON values. */
  async setSettings(userId: number, values: Record<string, unknown>): Promise<void> {
    const flat = Object.entries(values).flatMap(([k, v]) => [k, JSON.stringify(v)]);
    if (flat.length > 0) await this.redis.hset(settings(userId), ...flat);
  }

  async userIdByNick(nick: string): Promise<number | undefined> {
    const id = await this.redis.hget(userIndex(), userIndexField.nick(nick));
    return id ? Number(id) : undefined;
  }

  /**
   * Everything the init burst shows, read in two pipelined round trips. Not a snapshot in time:
   * complete-init.lua reconciles it with what backends appended meanwhile.
   */
  /** The outbox lengths of these sessions (for /metrics), in one round trip. */
  async outboxLengths(refs: readonly SessionRef[]): Promise<number[]> {
    if (refs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const r of refs) pipeline.llen(outbox(r.userId, r.sessionId));
    return ((await pipeline.exec()) ?? []).map(([err, n]) => (err ? 0 : Number(n)));
  }

  async snapshot(userId: number, maxBacklogMsgs: number, problem: Problem): Promise<Snapshot> {
    const first = await this.redis
      .pipeline()
      .hget(user(userId), 'nick')
      .hgetall(settings(userId))
      .smembers(friends(userId))
      .smembers(windowList(userId))
      .zrange(this.imKeys.messageOffline(userId), '0', '-1', 'WITHSCORES')
      .zrange(this.imKeys.friendRequest(userId), '0', '-1')
      .exec();
    const value = <T>(i: number): T => {
      const [err, result] = first?.[i] ?? [new Error('no reply')];
      if (err) throw err;
      return result as T;
    };
    const nick = value<string | null>(0) ?? '';
    const settingsRaw = value<Record<string, string>>(1);
    const friendIds = value<string[]>(2).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
    const entries = value<string[]>(3).flatMap((member) => {
      try {
        return [parseWindowListEntry(member)];
      } catch (err) {
        problem('windowlist entry left out of the burst', { member, error: (err as Error).message });
        return [];
      }
    });
    const ircNetworks = [...new Set(entries.map((e) => e.network).filter((n) => n !== BUILTIN_NETWORK))];
    const offlineFlat = value<string[]>(4);
    const offline: { packet: string; score: number }[] = [];
    for (let k = 0; k + 1 < offlineFlat.length; k += 2) offline.push({ packet: offlineFlat[k]!, score: Number(offlineFlat[k + 1]) });
    const requesterIds = value<string[]>(5).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);

    const second = this.redis.pipeline();
    for (const f of friendIds) second.hget(user(f), 'nick').hget(this.imKeys.presence(), String(f));
    for (const n of ircNetworks) second.hgetall(networks(userId, n));
    for (const r of requesterIds) second.hget(user(r), 'nick');
    for (const e of entries) {
      const room = e.network === BUILTIN_NETWORK && e.type === 'group';
      const backlog = room ? groupBacklog(e.name) : windowMsgs(userId, e.windowId);
      // A room's members are the room's (grouproles: userId → role and nick); other windows keep theirs in names.
      second.hgetall(window(userId, e.windowId)).hgetall(room ? groupRoles(e.name) : names(userId, e.windowId)).lrange(backlog, 0, maxBacklogMsgs - 1);
      // ... and its service bots (groupbots: BotInfo id → nick).
      if (room) second.hgetall(groupBots(e.name));
    }
    const results = (await second.exec()) ?? [];
    let i = 0;
    const next = <T>(): T => {
      const [err, result] = results[i++] ?? [new Error('no reply')];
      if (err) throw err;
      return result as T;
    };
    // Presence as im-router keeps it: `online`, or when the friend's last session ended.
    const friendList = friendIds.map((friendId) => {
      const friendNick = next<string | null>();
      const presence = next<string | null>();
      const lastSeen = presence !== null && presence !== 'online' && Number.isFinite(Number(presence)) ? Number(presence) : null;
      return { userId: friendId, nick: friendNick, lastSeen, online: presence === 'online' };
    });
    const networkList = ircNetworks.map((name) => ({ name, fields: next<Record<string, string>>() }));
    const friendRequests = requesterIds.map((requester) => ({ userId: requester, nick: next<string | null>() }));
    const windows: WindowSnapshot[] = entries.map((entry) => {
      const fields = next<Record<string, string>>();
      const members = next<Record<string, string>>();
      const backlog = next<string[]>();
      if (!(entry.network === BUILTIN_NETWORK && entry.type === 'group')) return { entry, fields, names: members, backlog };
      const bots = Object.values(next<Record<string, string>>());
      // grouproles holds `<role><nick>` per member id.
      const names: Record<string, string> = {};
      const userIds: Record<string, number> = {};
      for (const [uid, value] of Object.entries(members)) {
        if (value.length < 2) continue;
        names[value.slice(1)] = value.slice(0, 1);
        userIds[value.slice(1)] = Number(uid);
      }
      return { entry, fields, names, userIds, bots, backlog };
    });
    return { nick, settings: settingsRaw, friends: friendList, friendRequests, networks: networkList, windows, offline };
  }
}
