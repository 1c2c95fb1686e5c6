// The keys of the MAS seed (`../shared/seeds/mas-redis-structures.txt`) and the courier's keys
// around the three backend inboxes. Patterns, types and owners are listed in catalog.ts and README.md.
import { INBOX_NAMES, type InboxName } from '@parley/protocol';
import { type CaseMapping } from './casemapping';
import {
  KeyPartError,
  decodeKeyPart,
  encodeKeyPart,
  idPart,
  ircNamePart,
  networkPart,
  parseId,
  roomNamePart,
  tokenPart,
  type NumericId,
} from './encode';
import { makeKey, tagged, type HashKey, type Key, type ListKey, type RedisType, type SetKey, type StringKey, type ZsetKey } from './key';

const uid = (userId: NumericId): string => idPart(userId, 'userId');
const wid = (windowId: NumericId): string => idPart(windowId, 'windowId');
const sid = (sessionId: string): string => tokenPart(sessionId, 'sessionId');

// Most MAS families are "<namespace>:<userId>", "<namespace>:<userId>:<windowId>" or
// "<namespace>:<room>"; these make their builders so each family is one line below.
const perUser =
  <T extends RedisType>(namespace: string, type: T) =>
  (userId: NumericId): Key<T> =>
    makeKey(type, namespace, uid(userId));
const perWindow =
  <T extends RedisType>(namespace: string, type: T) =>
  (userId: NumericId, windowId: NumericId): Key<T> =>
    makeKey(type, namespace, uid(userId), wid(windowId));
const perSession =
  <T extends RedisType>(namespace: string, type: T) =>
  (userId: NumericId, sessionId: string): Key<T> =>
    makeKey(type, namespace, uid(userId), sid(sessionId));
const perRoom =
  <T extends RedisType>(namespace: string, type: T) =>
  (name: string): Key<T> =>
    makeKey(type, namespace, roomNamePart(name));

// ---- Accounts and sessions (gateway) ------------------------------------------------------------

/** `user:<userId>` — the profile; fields in catalog.ts (`nextwindowid` among them). */
export const user = perUser('user', 'hash');
/** `sessionlist:<userId>` — member sessionId, score last request time. */
export const sessionList = perUser('sessionlist', 'zset');
/** `session:<userId>:<sessionId>` — sendRcvNext, listenRcvNext, timeStamp. */
export const session = perSession('session', 'hash');
/** `outbox:<userId>:<sessionId>` — notifications waiting for the session's socket. */
export const outbox = perSession('outbox', 'list');
/** `session:<userId>:` — what `session(userId, sid)` puts before the session id, for Lua scripts. */
export const sessionKeyPrefix = (userId: NumericId): string => tagged(`session:${uid(userId)}:`);
/** `sessionreplies:<userId>:<sessionId>` — request seq → stored answer, so a repeated request is answered, not redone. */
export const sessionReplies = perSession('sessionreplies', 'hash');
/**
 * `sessionend:<userId>:<sessionId>` — why a session was ended (`{"code","reason"}`), kept a few
 * minutes: a gateway that finds the session gone tells its socket the real code, not EXPIRED.
 */
export const sessionEnd = perSession('sessionend', 'string');
/** `outbox:<userId>:` — what `outbox(userId, sid)` puts before the session id, for Lua scripts. */
export const outboxKeyPrefix = (userId: NumericId): string => tagged(`outbox:${uid(userId)}:`);
/**
 * `notify:gateway:<instance>` — the pub/sub channel of one gateway process (not a key): wake-ups
 * of the sessions whose `gateway` field names it, and the answers of the requests it forwarded.
 * One message per change per gateway, however many of its sessions the change reaches.
 */
export const gatewayChannel = (instance: string): string => `${GATEWAY_CHANNEL_PREFIX}${tokenPart(instance, 'gateway instance')}`;
/** What `gatewayChannel(instance)` puts before the instance, for Lua scripts. */
export const GATEWAY_CHANNEL_PREFIX = 'notify:gateway:';
/** `notify:gateways` — the pub/sub channel every gateway listens on (not a key): sessions ended, sockets taken over. */
export const gatewaysChannel = (): string => 'notify:gateways';
/** `sessionlastrequest` — member `sessionRef(userId, sessionId)`, score last request time. */
export const sessionLastRequest = (): ZsetKey => makeKey('zset', 'sessionlastrequest');
/**
 * `scriptroute` — never written. A Lua script that finds its keys on the way (from prefixes in its
 * ARGV) names this as its only KEYS entry, so that a Redis Cluster client sends it to the node of
 * Parley's slot (in cluster mode every key, this one included, carries the `{parley}` tag).
 */
export const scriptRoute = (): StringKey => makeKey('string', 'scriptroute');
/** `networklistannounced` — SHA-256 of the last IRC network list (NETWORK_LIST) every session was sent. */
export const networkListAnnounced = (): StringKey => makeKey('string', 'networklistannounced');
/** `index:user` — lookup of a user id by e-mail or nick; fields from `userIndexField`. */
export const userIndex = (): HashKey => makeKey('hash', 'index', 'user');
/** `user:` — what `user(id)` puts before the id, for a Lua script that creates the id itself. */
export const userKeyPrefix = (): string => tagged('user:');
/** `users` — every user id. */
export const users = (): SetKey => makeKey('set', 'users');
/** `nextavailableuserId` — INCR counter of user ids (the seed's spelling, capital I included). */
export const nextAvailableUserId = (): StringKey => makeKey('string', 'nextavailableuserId');
/** `passwordresettoken:<token>` — the user id, with an expiry. */
export const passwordResetToken = (token: string): StringKey =>
  makeKey('string', 'passwordresettoken', tokenPart(token, 'token'));
// ---- Parley's own account keys (the seed keeps one `token` per user; Parley has many, hashed)

/** `authtoken:<sha256 of the token>` — a login token's record (`userId`, `created`), with an expiry. */
export const authToken = (tokenHash: string): HashKey => makeKey('hash', 'authtoken', tokenPart(tokenHash, 'tokenHash'));
/** `gateways` — gateway instance → its last heartbeat (ms): a gateway that stops beating is reaped by im-router. */
export const gatewayHeartbeats = (): ZsetKey => makeKey('zset', 'gateways');
/** `appnonce:<appKey>:<nonce>` — a signed app login's nonce, kept while its timestamp is acceptable: a replay is refused. */
export const appNonce = (appKey: string, nonce: string): StringKey => makeKey('string', 'appnonce', tokenPart(appKey, 'appKey'), tokenPart(nonce, 'nonce'));
/** `authtoken:` — what `authToken(hash)` puts before the hash, for Lua scripts. */
export const authTokenPrefix = (): string => tagged('authtoken:');
/** `authtokens:<userId>` — the user's token hashes scored by expiry (ms), for "log out everywhere". */
export const userAuthTokens = perUser('authtokens', 'zset');
/** `ratelimit:<scope>:<subject>` — a counter of attempts in the current window, with an expiry. */
export const rateLimit = (scope: string, subject: string): StringKey =>
  makeKey('string', 'ratelimit', tokenPart(scope, 'scope'), encodeKeyPart(subject, 'subject'));

/** `settings:<userId>` — one field per client setting. */
export const settings = perUser('settings', 'hash');
/** `friends:<userId>` — friend user ids, kept in step with the IM contact hash by im-router. */
export const friends = perUser('friends', 'set');
/** `inbox:<userId>` — the seed's [TBD] per-user inbox. */
export const userInbox = perUser('inbox', 'list');

/** Field of `user:<userId>` holding the next window id (HINCRBY); there is no key of its own. */
export const NEXT_WINDOW_ID_FIELD = 'nextwindowid';

/** Member of `sessionlastrequest`. */
export const sessionRef = (userId: NumericId, sessionId: string): string => `${uid(userId)}:${sid(sessionId)}`;

export function parseSessionRef(member: string): { userId: number; sessionId: string } {
  const at = member.indexOf(':');
  if (at < 0) throw new KeyPartError('sessionRef', 'must be <userId>:<sessionId>');
  return { userId: parseId(member.slice(0, at), 'userId'), sessionId: sid(member.slice(at + 1)) };
}

// E-mail addresses and nicks share `index:user`; the prefixes keep a nick from ever answering for
// an e-mail address (or the other way round). Both compare case-insensitively at login.
const indexField = (kind: string, value: string): string => {
  if (typeof value !== 'string' || value === '') throw new KeyPartError(kind, 'must be a non-empty string');
  return `${kind}:${value.toLowerCase()}`;
};
/** Fields of `index:user` (values are user ids). */
export const userIndexField = {
  email: (email: string): string => indexField('email', email),
  nick: (nick: string): string => indexField('nick', nick),
} as const;

// ---- Windows ------------------------------------------------------------------------------------

/** `windowlist:<userId>` — members from `windowListEntry`. */
export const windowList = perUser('windowlist', 'set');
/** `window:<userId>:<windowId>` — the window's settings and state. */
export const window = perWindow('window', 'hash');
/** `windowmsgs:<userId>:<windowId>` — backlog, oldest on the right. */
export const windowMsgs = perWindow('windowmsgs', 'list');
/** `names:<userId>:<windowId>` — nick → role ('@', '+', 'u'). */
export const names = perWindow('names', 'hash');
/** `notelist:<userId>:<windowId>` — note uuids (the seed's TBD "use windowId", done). */
export const noteList = perWindow('notelist', 'set');
/** `urls:<userId>:<windowId>` — URLs seen in the window (the seed's TBD "use windowId", done). */
export const urls = perWindow('urls', 'list');
/** `note:<uuid>` — ver, nick, timestamp, msg. */
export const note = (uuid: string): HashKey => makeKey('hash', 'note', tokenPart(uuid, 'uuid'));
/** `networks:<userId>:<network>` — state, currentnick, retryCount of the user's connection. */
export const networks = (userId: NumericId, network: string): HashKey =>
  makeKey('hash', 'networks', uid(userId), networkPart(network));
/** `ircretry` — member `<userId>:<network>`, score when its reconnect is due (ms): irc-parser's back-off timers. */
export const ircRetry = (): ZsetKey => makeKey('zset', 'ircretry');
/**
 * `ircoutbox:<userId>:<network>` — the user's messages to the network not yet confirmed handled by
 * the server: member `<wseq> <ts> <line>`, score `wseq`. Sent again after a reconnect.
 */
export const ircOutbox = (userId: NumericId, network: string): ZsetKey =>
  makeKey('zset', 'ircoutbox', uid(userId), networkPart(network));
/**
 * `ircclientmsg:<userId>:<windowId>:<clientMsgId>` — what an IRC SEND with that client id in that
 * window got (`gids`, `ts`) and which of its writes were queued (`w<i>`), kept 24 h: a SEND handled
 * again (its inbox batch redelivered after a crash, or retried from a new session) is stored and
 * sent once.
 */
export const ircClientMsg = (userId: NumericId, windowId: NumericId, clientMsgId: string): HashKey =>
  makeKey('hash', 'ircclientmsg', uid(userId), wid(windowId), tokenPart(clientMsgId, 'clientMsgId'));

export type WindowType = 'group' | '1on1';
export const WINDOW_TYPES: readonly WindowType[] = ['group', '1on1'];

export interface WindowListEntry {
  readonly windowId: NumericId;
  readonly network: string;
  readonly name: string;
  readonly type: WindowType;
}

/** A parsed `windowlist` member. `name` comes back folded, as it was stored. */
export interface ParsedWindowListEntry extends WindowListEntry {
  readonly windowId: number;
}

/**
 * Member of `windowlist:<userId>`: `<windowId>:<network>:<name>:<type>`. The name is folded with
 * the network's case mapping (rfc1459 for the built-in network and when the server said nothing)
 * so that `#Chan` and `#chan` are one window, then encoded so it cannot contain ':'.
 */
export function windowListEntry(entry: WindowListEntry, mapping: CaseMapping = 'rfc1459'): string {
  return [wid(entry.windowId), networkPart(entry.network), ircNamePart(entry.name, mapping), windowType(entry.type)].join(':');
}

/**
 * What follows the windowId in a `windowlist` member (`:<network>:<name>:<type>`), for a Lua script
 * that makes the window id itself: `windowId + suffix` is `windowListEntry(...)`.
 */
export function windowListEntrySuffix(entry: Omit<WindowListEntry, 'windowId'>, mapping: CaseMapping = 'rfc1459'): string {
  return `:${networkPart(entry.network)}:${ircNamePart(entry.name, mapping)}:${windowType(entry.type)}`;
}

export function parseWindowListEntry(member: string): ParsedWindowListEntry {
  const parts = typeof member === 'string' ? member.split(':') : [];
  const [windowId, network, name, type] = parts;
  if (parts.length !== 4 || windowId === undefined || network === undefined || name === undefined || type === undefined) {
    throw new KeyPartError('windowListEntry', 'must be <windowId>:<network>:<name>:<type>');
  }
  if (networkPart(network) !== network) throw new KeyPartError('network', 'is not in lower case');
  return { windowId: parseId(windowId, 'windowId'), network, name: decodeKeyPart(name), type: windowType(type) };
}

function windowType(type: string): WindowType {
  const known = WINDOW_TYPES.find((t) => t === type);
  if (known === undefined) throw new KeyPartError('type', "must be 'group' or '1on1'");
  return known;
}

// ---- Rooms of the built-in network (loopback-parser) --------------------------------------------

/** `group:<room>` — owner, password, apikey. The one home of a room's metadata. */
export const group = perRoom('group', 'hash');
/** `groupmembers:<room>` — member user ids. The one home of room membership. */
export const groupMembers = perRoom('groupmembers', 'set');
/** `groupbacklog:<room>` — the room's messages. */
export const groupBacklog = perRoom('groupbacklog', 'list');
/** `grouproles:<room>` — member user id → role and nick (`@bob`). */
export const groupRoles = perRoom('grouproles', 'hash');
/** `groupwindows:<room>` — member user id → the room's windowId for that member. */
export const groupWindows = perRoom('groupwindows', 'hash');
/** `groupclientmsg:<room>:<userId>:<clientMsgId>` — the gid that client message got. */
export const groupClientMsg = (name: string, userId: NumericId, clientMsgId: string): StringKey =>
  makeKey('string', 'groupclientmsg', roomNamePart(name), uid(userId), tokenPart(clientMsgId, 'clientMsgId'));
/** `groupbots:<room>` — the service bots assigned to the room: BotInfo id → the bot's nick. */
export const groupBots = perRoom('groupbots', 'hash');
/** `botrooms:<botId>` — the rooms a service bot (BotInfo id) is assigned to. */
export const botRooms = (botId: NumericId): SetKey => makeKey('set', 'botrooms', uid(botId));
/** `assignedbots` — the BotInfo ids assigned to some room (each with a `botrooms:<botId>`). */
export const assignedBots = (): SetKey => makeKey('set', 'assignedbots');

/**
 * What a per-user key is before the user id (and, for per-session keys, before `:<sessionId>`),
 * for Lua scripts that reach the sessions of users they find on the way (a room's fan-out).
 * `prefix + userId` is the builder's key; catalog.spec.ts holds them to that.
 */
export const USER_KEY_PREFIXES = Object.freeze({
  sessionList: tagged('sessionlist:'),
  session: tagged('session:'),
  outbox: tagged('outbox:'),
  gatewayChannel: GATEWAY_CHANNEL_PREFIX,
  window: tagged('window:'),
  windowList: tagged('windowlist:'),
  urls: tagged('urls:'),
  noteList: tagged('notelist:'),
  note: tagged('note:'),
  user: tagged('user:'),
  windowMsgs: tagged('windowmsgs:'),
  friends: tagged('friends:'),
  settings: tagged('settings:'),
  separator: ':',
});

// ---- Backend inboxes and the courier ------------------------------------------------------------

// Inbox names are a contract of the protocol package; the key schema only builds keys from them.
export { INBOX_NAMES, type InboxName };

/** Field of `inbox:<name>:stats` counting dead letters. */
export const INBOX_DEAD_FIELD = 'dead';

function inboxName(name: InboxName): string {
  if (!(INBOX_NAMES as readonly string[]).includes(name)) {
    throw new KeyPartError('inbox', `must be one of ${INBOX_NAMES.join(', ')}`);
  }
  return name;
}

/** `inbox:<name>` — producers LPUSH envelopes here. */
export const inbox = (name: InboxName): ListKey => makeKey('list', 'inbox', inboxName(name));
/** `inbox:<name>:dead` — envelopes that could not be parsed or handled, with the reason. */
export const inboxDead = (name: InboxName): ListKey => makeKey('list', 'inbox', inboxName(name), 'dead');
/** `inbox:<name>:stats` — counters; `INBOX_DEAD_FIELD` counts dead letters. */
export const inboxStats = (name: InboxName): HashKey => makeKey('hash', 'inbox', inboxName(name), 'stats');

// The courier's own keys carry the hash tag `{inbox:<name>}`: Redis Cluster then hashes only
// "inbox:<name>", which is also the whole of the untagged `inbox:<name>`, so all of them share its
// slot and one Lua script may touch them together.
const hashTag = (name: InboxName): string => `{inbox:${inboxName(name)}}`;

/** `{inbox:<name>}:` — for Lua scripts that build `prefix .. 'handoff:' .. consumerId`. */
export const inboxKeyPrefix = (name: InboxName): string => tagged(`${hashTag(name)}:`);

const perConsumer =
  <T extends RedisType>(sub: string, type: T) =>
  (name: InboxName, consumerId: string): Key<T> =>
    makeKey(type, hashTag(name), sub, tokenPart(consumerId, 'consumerId'));
const perInbox =
  <T extends RedisType>(sub: string, type: T) =>
  (name: InboxName): Key<T> =>
    makeKey(type, hashTag(name), sub);

// What the courier keeps in each of these is packages/inbox's business; only the names live here.
/** `{inbox:<name>}:processing:<consumerId>` — the batch a consumer is handling. */
export const inboxProcessing = perConsumer('processing', 'list');
/** `{inbox:<name>}:handoff:<consumerId>` — envelopes handed to one consumer. */
export const inboxHandoff = perConsumer('handoff', 'list');
/** `{inbox:<name>}:owners` — who owns what. */
export const inboxOwners = perInbox('owners', 'hash');
/** `{inbox:<name>}:consumers` — live consumer ids, scored by time. */
export const inboxConsumers = perInbox('consumers', 'zset');
/** `{inbox:<name>}:takes` — consumer → sequence number of its last take, so a resent take is answered, not redone. */
export const inboxTakes = perInbox('takes', 'hash');
