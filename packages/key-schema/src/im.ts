// The keys of the ouyunc IM seed (`../shared/seeds/ouyunc-im-redis-keys.md`), under a configurable
// prefix that stands where the seed has `ouyunc:im:`. Group ids are Parley room names.
import { KeyPartError, idPart, roomNamePart, tokenPart, type NumericId } from './encode';
import { makeKey, type HashKey, type Key, type RedisType, type SetKey, type StringKey, type ZsetKey } from './key';

export const DEFAULT_IM_PREFIX = 'im:';
const PREFIX = /^[A-Za-z0-9_.-]{1,32}:$/;

/** Whose receive timeline: a user's, or a room's. */
export type ReceiveTarget = { readonly userId: NumericId } | { readonly room: string };

const uid = (userId: NumericId, part = 'userId'): string => idPart(userId, part);
const room = (groupId: string): string => roomNamePart(groupId, 'groupId');

/** Builders of every IM key under `prefix` (which must end with ':'). */
export function imKeys(prefix: string = DEFAULT_IM_PREFIX) {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new KeyPartError('prefix', "must be 1-32 of A-Z a-z 0-9 _ . - followed by ':'");
  }
  const namespace = prefix.slice(0, -1);
  const key = <T extends RedisType>(type: T, ...parts: readonly string[]): Key<T> => makeKey(type, namespace, ...parts);

  return Object.freeze({
    prefix,
    /** `<p>user:<userId>` — the seed's ImUser value. Not written: the profile is MAS `user:<userId>`. */
    user: (userId: NumericId): StringKey => key('string', 'user', uid(userId)),
    /** `<p>user:login:<userId>` — device id → login info: the one home of a user's devices. */
    userLogin: (userId: NumericId): HashKey => key('hash', 'user', 'login', uid(userId)),
    /** `<p>user:group:<groupId>` — the seed's ImGroup value. Not written: see MAS `group:<room>`. */
    userGroup: (groupId: string): StringKey => key('string', 'user', 'group', room(groupId)),
    /** `<p>user:group:<groupId>:members` — not used for membership: see MAS `groupmembers:<room>`. */
    userGroupMembers: (groupId: string): HashKey => key('hash', 'user', 'group', room(groupId), 'members'),
    /** `<p>user:contact:friend:<userId>` — friend id → friendship details. */
    contactFriend: (userId: NumericId): HashKey => key('hash', 'user', 'contact', 'friend', uid(userId)),
    /** `<p>black-list:group:<groupId>` — user id → block entry. */
    blackListGroup: (groupId: string): HashKey => key('hash', 'black-list', 'group', room(groupId)),
    /** `<p>black-list:user:<userId>` — blocked user id → block entry. */
    blackListUser: (userId: NumericId): HashKey => key('hash', 'black-list', 'user', uid(userId)),
    /** `<p>message:friend-request:<userId>` — request packets scored by time. */
    friendRequest: (userId: NumericId): ZsetKey => key('zset', 'message', 'friend-request', uid(userId)),
    /** `<p>message:group-request:<groupId>` — request packets scored by time. */
    groupRequest: (groupId: string): ZsetKey => key('zset', 'message', 'group-request', room(groupId)),
    /** `<p>message:send:<userId>` — the user's send timeline. */
    messageSend: (userId: NumericId): ZsetKey => key('zset', 'message', 'send', uid(userId)),
    /**
     * `<p>message:receive:<userId>` or `<p>message:receive:group:<groupId>`. The seed puts user and
     * group ids in one slot because its ids come from one generator; a room may be called "7", so
     * rooms get their own sub-namespace rather than share user 7's timeline.
     */
    messageReceive: (target: ReceiveTarget): ZsetKey =>
      'room' in target
        ? key('zset', 'message', 'receive', 'group', room(target.room))
        : key('zset', 'message', 'receive', uid(target.userId)),
    /** `<p>message:offline:<userId>` — kept until a device of the user syncs. */
    messageOffline: (userId: NumericId): ZsetKey => key('zset', 'message', 'offline', uid(userId)),
    /** `<p>message:fail:from:<from>:to:<to>` — packets that could not be delivered. */
    messageFail: (from: NumericId, to: NumericId): ZsetKey =>
      key('zset', 'message', 'fail', 'from', uid(from, 'from'), 'to', uid(to, 'to')),
    /** `<p>message:read-receipt:<messageId>` — reader id → receipt. */
    readReceipt: (messageId: string): HashKey => key('hash', 'message', 'read-receipt', tokenPart(messageId, 'messageId')),
    /** `<p>cluster:server:offline` — server id → what it left behind. */
    clusterServerOffline: (): HashKey => key('hash', 'cluster', 'server', 'offline'),
    // Parley's additions (the seed has no conversation of its own: its timelines are per user).
    /**
     * `<p>conversation:<low>:<high>` — one direct-message conversation between two users (the
     * smaller id first): `seq`, the last message's number, and `w:<userId>`, each side's window.
     */
    conversation: (a: NumericId, b: NumericId): HashKey => {
      const [low, high] = [Number(uid(a, 'a')), Number(uid(b, 'b'))].sort((x, y) => x - y);
      return key('hash', 'conversation', String(low), String(high));
    },
    /** `<p>clientmsg:<userId>:<peer>.<clientMsgId>` — the answer of a direct message already stored (expires). */
    clientMsg: (userId: NumericId, clientMsgId: string): StringKey => key('string', 'clientmsg', uid(userId), tokenPart(clientMsgId, 'clientMsgId')),
    /** `<p>offline-floor` — user id → the highest offline score a session has acknowledged: later entries score above it. */
    offlineFloor: (): HashKey => key('hash', 'offline-floor'),
    /** `<p>dm-users` — the users with direct-message timelines: what the expiry job walks. */
    dmUsers: (): SetKey => key('set', 'dm-users'),
    /** `<p>presence` — user id → `online`, or the time (ms) their last session ended. */
    presence: (): HashKey => key('hash', 'presence'),
    /** `<p>app:<appKey>` — the app's details. */
    app: (appKey: string): StringKey => key('string', 'app', tokenPart(appKey, 'appKey')),
    /** `<p>app:<appKey>:connection` — login id → connection of the app's users. */
    appConnection: (appKey: string): HashKey => key('hash', 'app', tokenPart(appKey, 'appKey'), 'connection'),
  });
}

export type ImKeys = ReturnType<typeof imKeys>;
