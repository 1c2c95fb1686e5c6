// Every key family as data: what README.md's table shows and what catalog.spec.ts holds against the
// builders and the seeds. `example` is written out by hand (not computed) so that the spec, which
// calls each builder, compares two independent spellings.
import { type RedisType } from './key';

export type Seed = 'mas' | 'anope' | 'ouyunc' | 'parley';

/** Who writes a family ('conversation owner': the app that owns the window's conversation). */
export type Owner =
  | 'gateway'
  | 'loopback-parser'
  | 'irc-parser'
  | 'connection-manager'
  | 'im-router'
  | 'object-store'
  | 'inbox'
  | 'every backend'
  | 'conversation owner';

export interface KeyFamily {
  readonly family: string;
  readonly pattern: string;
  readonly type: RedisType;
  readonly seed: Seed;
  readonly owner: Owner;
  /** Hash fields, or the shape of members where that is the contract. */
  readonly fields?: readonly string[];
  /** The exact key the builder gives for the sample arguments used in catalog.spec.ts. */
  readonly example: string;
  /** Set when another family holds this fact: the pattern of that canonical family. */
  readonly canonical?: string;
  readonly notes?: string;
}

export const USER_FIELDS = [
  'name', 'email', 'inUse', 'lastlogin', 'passwd', 'salt', 'nick', 'token', 'cookie', 'cookie_expires',
  'lastip', 'ads', 'maxwindows', 'openidurl', 'registrationtime', 'nextwindowid',
] as const;
export const SESSION_FIELDS = ['sendRcvNext', 'listenRcvNext', 'timeStamp', 'reinit', 'initPending', 'tokenHash', 'clientName', 'gateway'] as const;
export const WINDOW_FIELDS = [
  'name', 'type', 'targetUserId', 'sounds', 'password', 'titleAlert', 'visible', 'topic', 'userMode', 'network', 'readGid',
] as const;
export const NETWORK_FIELDS = ['state', 'currentnick', 'retryCount', 'isupport', 'caps', 'conn', 'lastline', 'closed', 'sasl', 'away', 'wseq', 'resent'] as const;
export const NOTE_FIELDS = ['ver', 'nick', 'timestamp', 'msg'] as const;
export const GROUP_FIELDS = ['owner', 'password', 'apikey', 'name', 'topic', 'policy', 'nextgid', 'created'] as const;

const backendInbox = (name: string, consumer: Owner, producers: string): KeyFamily => ({
  family: `inbox:${name}`, pattern: `inbox:${name}`, type: 'list', seed: 'mas', owner: 'inbox', example: `inbox:${name}`,
  notes: `Envelopes for ${consumer}, LPUSHed by ${producers}; moved atomically to the consumer's processing list.`,
});

const courier = (family: string, suffix: string, type: RedisType, notes: string): KeyFamily => ({
  family, pattern: `{inbox:<inboxName>}:${suffix}`, type, seed: 'parley', owner: 'inbox',
  example: `{inbox:ircparser}:${suffix.replace('<consumerId>', 'ircparser-1@host.a')}`,
  notes: `${notes} Hash tag: same cluster slot as \`inbox:<inboxName>\`.`,
});

export const KEY_FAMILIES: readonly KeyFamily[] = [
  // ---- MAS: accounts and sessions
  { family: 'user', pattern: 'user:<userId>', type: 'hash', seed: 'mas', owner: 'gateway', fields: USER_FIELDS, example: 'user:42',
    notes: '`passwd` is an argon2id encoded hash that carries its salt, so `salt` is never written. `nextwindowid` is a field (HINCRBY), not a key.' },
  { family: 'sessionlist', pattern: 'sessionlist:<userId>', type: 'zset', seed: 'mas', owner: 'gateway', example: 'sessionlist:42',
    notes: 'Member sessionId, score last request time.' },
  { family: 'session', pattern: 'session:<userId>:<sessionId>', type: 'hash', seed: 'mas', owner: 'gateway', fields: SESSION_FIELDS, example: 'session:42:s3ss10n' },
  { family: 'sessionreplies', pattern: 'sessionreplies:<userId>:<sessionId>', type: 'hash', seed: 'parley', owner: 'gateway', fields: ['<requestId>'], example: 'sessionreplies:42:s3ss10n',
    notes: 'Request seq → its answer (JSON), or `P<ms>` while it is being handled. The gateway claims; the owner of the request answers.' },
  { family: 'sessionend', pattern: 'sessionend:<userId>:<sessionId>', type: 'string', seed: 'parley', owner: 'gateway', example: 'sessionend:42:s3ss10n',
    notes: 'Why the session was ended (JSON `{code, reason}`), written with the session\'s removal and expiring after a few minutes: a gateway that reads the session as gone tells its socket this code.' },
  { family: 'sessionlastrequest', pattern: 'sessionlastrequest', type: 'zset', seed: 'mas', owner: 'gateway', example: 'sessionlastrequest',
    notes: 'Member `<userId>:<sessionId>` (`sessionRef`), score last request time.' },
  { family: 'networklistannounced', pattern: 'networklistannounced', type: 'string', seed: 'parley', owner: 'gateway', example: 'networklistannounced',
    notes: 'SHA-256 of the IRC network list last sent to every session (NETWORK_LIST): the first gateway to swap it in (SET … GET) announces a change, once.' },
  { family: 'scriptroute', pattern: 'scriptroute', type: 'string', seed: 'parley', owner: 'every backend', example: 'scriptroute',
    notes: 'Never written: the only KEYS entry of a Lua script that finds its keys from prefixes, so that a Redis Cluster client routes it to the node of Parley\'s slot.' },
  { family: 'outbox', pattern: 'outbox:<userId>:<sessionId>', type: 'list', seed: 'mas', owner: 'every backend', example: 'outbox:42:s3ss10n',
    notes: 'Every backend appends notifications; the gateway delivers and trims.' },
  { family: 'index:user', pattern: 'index:user', type: 'hash', seed: 'mas', owner: 'gateway', fields: ['email:<lowercased email>', 'nick:<lowercased nick>'], example: 'index:user',
    notes: 'Values are user ids. Field prefixes are a deliberate deviation from the seed (see below).' },
  { family: 'users', pattern: 'users', type: 'set', seed: 'mas', owner: 'gateway', example: 'users', notes: 'Every user id.' },
  { family: 'nextavailableuserId', pattern: 'nextavailableuserId', type: 'string', seed: 'mas', owner: 'gateway', example: 'nextavailableuserId',
    notes: 'INCR counter; the seed\'s spelling, capital I included.' },
  { family: 'passwordresettoken', pattern: 'passwordresettoken:<token>', type: 'string', seed: 'mas', owner: 'gateway', example: 'passwordresettoken:r3setT0ken',
    notes: 'Value is the user id; set with an expiry.' },
  { family: 'gateways', pattern: 'gateways', type: 'zset', seed: 'parley', owner: 'gateway', fields: ['<instance>: last heartbeat ms'], example: 'gateways',
    notes: 'Every running gateway beats here (SESSION_HEARTBEAT_MS); one that stops is recorded in `im:cluster:server:offline` by im-router\'s reaper and its users shown offline.' },
  { family: 'appnonce', pattern: 'appnonce:<appKey>:<nonce>', type: 'string', seed: 'parley', owner: 'gateway', example: 'appnonce:demo-app:n0nce-1',
    notes: 'The nonce of a signed app login (`POST /api/v1/apps/:appKey/login`), kept while its timestamp would be accepted: the same request again is refused.' },
  { family: 'authtoken', pattern: 'authtoken:<tokenHash>', type: 'hash', seed: 'parley', owner: 'gateway', fields: ['userId', 'created'], example: 'authtoken:9f86d081',
    notes: 'A login token, stored only as the SHA-256 of the token; expires. Replaces the seed\'s single `token`/`cookie` fields of `user:<userId>`.' },
  { family: 'authtokens', pattern: 'authtokens:<userId>', type: 'zset', seed: 'parley', owner: 'gateway', fields: ['<tokenHash>: expiry ms'], example: 'authtokens:42',
    notes: 'The user\'s live token hashes, for logging out everywhere.' },
  { family: 'ratelimit', pattern: 'ratelimit:<scope>:<subject>', type: 'string', seed: 'parley', owner: 'gateway', example: 'ratelimit:login-ip:127.0.0.1',
    notes: 'Attempts in the current window (INCR, expiry = the window). Subject percent-encoded.' },
  { family: 'settings', pattern: 'settings:<userId>', type: 'hash', seed: 'mas', owner: 'gateway', fields: ['<setting name>'], example: 'settings:42' },
  { family: 'friends', pattern: 'friends:<userId>', type: 'set', seed: 'mas', owner: 'im-router', example: 'friends:42',
    canonical: 'im:user:contact:friend:<userId>', notes: 'Friend user ids, written in the same atomic step as the IM contact hash.' },
  { family: 'userinbox', pattern: 'inbox:<userId>', type: 'list', seed: 'mas', owner: 'every backend', example: 'inbox:42',
    notes: 'The seed\'s [TBD] per-user inbox (`msg:<windowId>`, `names:<windowId>`). Cannot meet `inbox:<inboxName>`: ids are digits.' },
  // ---- MAS: windows
  { family: 'windowlist', pattern: 'windowlist:<userId>', type: 'set', seed: 'mas', owner: 'conversation owner', fields: ['<windowId>:<network>:<name>:<type>'], example: 'windowlist:42',
    notes: 'Members from `windowListEntry`: name folded with the network\'s case mapping, then encoded; type `group` or `1on1`.' },
  { family: 'networks', pattern: 'networks:<userId>:<network>', type: 'hash', seed: 'mas', owner: 'irc-parser', fields: NETWORK_FIELDS, example: 'networks:42:libera',
    notes: '`state` is connected, connecting or disconnected. Network names are folded to lower case. Parley\'s fields: `isupport` (the ISUPPORT tokens kept, JSON), `caps` (capabilities enabled), `conn` (connection-manager\'s id of the socket), `lastline` (`<conn>:<seq>` of the last line whose messages are stored), `closed` (1: closed by the user, no reconnect), `sasl` (the user\'s SASL credentials, AES-256-GCM under IRC_SECRET_KEY), `away` (1: closed because the user was away too long; reconnects at their next session), `wseq` (the last number given to a message in `ircoutbox`), `resent` (the `conn` after whose registration the outbox was last sent again).' },
  { family: 'ircretry', pattern: 'ircretry', type: 'zset', seed: 'parley', owner: 'irc-parser', example: 'ircretry',
    notes: 'Reconnects waiting for their back-off: member `<userId>:<network>`, score the time it is due (ms). Taken by ZREM, so one instance reconnects each; kept in Redis, so a restart of irc-parser keeps its timers.' },
  { family: 'ircoutbox', pattern: 'ircoutbox:<userId>:<network>', type: 'zset', seed: 'parley', owner: 'irc-parser', fields: ['<wseq> <ts> <line>: wseq'], example: 'ircoutbox:42:libera',
    notes: 'The user\'s messages to the network that connection-manager has not yet confirmed handled by the server (`sent`: a PING written after them came back). What is left after a reconnect is sent again once registered, unless older than IRC_RESEND_MAX_AGE_MS. Capped.' },
  { family: 'ircclientmsg', pattern: 'ircclientmsg:<userId>:<windowId>:<clientMsgId>', type: 'hash', seed: 'parley', owner: 'irc-parser', fields: ['gids', 'ts', 'w<i>'], example: 'ircclientmsg:42:7:c-1',
    notes: 'What an IRC SEND with that client id in that window got (`gids` JSON, `ts`) and which of its writes were queued for connection-manager (`w<i>`: the wseq of write i), kept 24 h: a SEND handled again after a crash or retried from a new session is stored and sent once.' },
  { family: 'window', pattern: 'window:<userId>:<windowId>', type: 'hash', seed: 'mas', owner: 'conversation owner', fields: WINDOW_FIELDS, example: 'window:42:7' },
  { family: 'windowmsgs', pattern: 'windowmsgs:<userId>:<windowId>', type: 'list', seed: 'mas', owner: 'irc-parser', example: 'windowmsgs:42:7',
    notes: 'Backlog, oldest message on the right.' },
  { family: 'names', pattern: 'names:<userId>:<windowId>', type: 'hash', seed: 'mas', owner: 'irc-parser', fields: ['<nick>'], example: 'names:42:7',
    notes: 'Value is the role: `@`, `+` or `u`. Room windows\' names are written by loopback-parser.' },
  { family: 'notelist', pattern: 'notelist:<userId>:<windowId>', type: 'set', seed: 'mas', owner: 'loopback-parser', example: 'notelist:42:7',
    notes: 'Note uuids. The seed\'s TBD "use windowId" is done: no network or channel name in the key.' },
  { family: 'note', pattern: 'note:<uuid>', type: 'hash', seed: 'mas', owner: 'loopback-parser', fields: NOTE_FIELDS, example: 'note:2f1c7e9a-5b3d-4c8e-9f01-a2b3c4d5e6f7' },
  { family: 'urls', pattern: 'urls:<userId>:<windowId>', type: 'list', seed: 'mas', owner: 'loopback-parser', example: 'urls:42:7',
    notes: 'The seed\'s TBD "use windowId" is done, as for notelist.' },
  // ---- MAS: rooms of the built-in network
  { family: 'group', pattern: 'group:<room>', type: 'hash', seed: 'mas', owner: 'loopback-parser', fields: GROUP_FIELDS, example: 'group:tea%20room',
    notes: 'The one home of a room\'s metadata. Room names fold with rfc1459, then are encoded.' },
  { family: 'groupmembers', pattern: 'groupmembers:<room>', type: 'set', seed: 'mas', owner: 'loopback-parser', example: 'groupmembers:tea%20room',
    notes: 'Member user ids: the one home of room membership.' },
  { family: 'groupbacklog', pattern: 'groupbacklog:<room>', type: 'list', seed: 'mas', owner: 'loopback-parser', example: 'groupbacklog:tea%20room' },
  { family: 'grouproles', pattern: 'grouproles:<room>', type: 'hash', seed: 'parley', owner: 'loopback-parser', fields: ['<userId>'], example: 'grouproles:tea%20room',
    notes: 'Member → role and nick (`*alice`, `@bob`, `+carol`, `udave`): the room\'s member list, written with `groupmembers`.' },
  { family: 'groupwindows', pattern: 'groupwindows:<room>', type: 'hash', seed: 'parley', owner: 'loopback-parser', fields: ['<userId>'], example: 'groupwindows:tea%20room',
    notes: 'Member → the windowId of the room in that member\'s window list (fan-out needs it per member).' },
  { family: 'groupclientmsg', pattern: 'groupclientmsg:<room>:<userId>:<clientMsgId>', type: 'string', seed: 'parley', owner: 'loopback-parser', example: 'groupclientmsg:tea%20room:42:c-1',
    notes: 'The gid a client message id got (24 h): a SEND retried from a new connection is stored once.' },
  { family: 'groupbots', pattern: 'groupbots:<room>', type: 'hash', seed: 'parley', owner: 'loopback-parser', fields: ['<botId>'], example: 'groupbots:tea%20room',
    notes: 'Service bots assigned to the room: BotInfo id → its nick (kept in step with `hash:BotInfo:<id>` when an operator edits the bot). Removed with the room.' },
  { family: 'botrooms', pattern: 'botrooms:<botId>', type: 'set', seed: 'parley', owner: 'loopback-parser', example: 'botrooms:3',
    notes: 'The rooms a bot is assigned to: an edit or removal of the BotInfo reaches each of them.' },
  { family: 'assignedbots', pattern: 'assignedbots', type: 'set', seed: 'parley', owner: 'loopback-parser', example: 'assignedbots',
    notes: 'BotInfo ids with a `botrooms` set: at start every loopback-parser checks them against the object store (a bot deleted while none ran leaves its rooms).' },
  // ---- MAS: backend inboxes, and Parley's keys around them
  backendInbox('loopbackparser', 'loopback-parser', 'the gateway'),
  backendInbox('ircparser', 'irc-parser', 'the gateway and connection-manager'),
  backendInbox('connectionmanager', 'connection-manager', 'irc-parser'),
  { family: 'inbox:dead', pattern: 'inbox:<inboxName>:dead', type: 'list', seed: 'parley', owner: 'inbox', example: 'inbox:ircparser:dead',
    notes: 'Dead letters with their reason. No hash tag: not in the slot of `inbox:<inboxName>` on Redis Cluster.' },
  { family: 'inbox:stats', pattern: 'inbox:<inboxName>:stats', type: 'hash', seed: 'parley', owner: 'inbox', fields: ['dead'], example: 'inbox:ircparser:stats',
    notes: '`dead` counts dead letters. No hash tag, as for `inbox:<inboxName>:dead`.' },
  courier('inbox:processing', 'processing:<consumerId>', 'list', 'The batch a consumer is handling.'),
  courier('inbox:handoff', 'handoff:<consumerId>', 'list', 'Envelopes handed to one consumer.'),
  courier('inbox:owners', 'owners', 'hash', 'Partition (userId) → `<consumerId>|<unacked messages>`: who holds that user now.'),
  courier('inbox:consumers', 'consumers', 'zset', 'Registered consumer ids, scored by their registration deadline (ms).'),
  courier('inbox:takes', 'takes', 'hash', 'Consumer → sequence number of its last take: a take resent after a lost reply is answered again, not redone.'),
  // ---- Anope: the object store
  { family: 'id', pattern: 'id:<Type>', type: 'string', seed: 'anope', owner: 'object-store', example: 'id:NickCore', notes: 'INCR counter of object ids.' },
  { family: 'ids', pattern: 'ids:<Type>', type: 'set', seed: 'anope', owner: 'object-store', example: 'ids:NickCore', notes: 'Every object id of the type.' },
  { family: 'hash', pattern: 'hash:<Type>:<id>', type: 'hash', seed: 'anope', owner: 'object-store', fields: ['<object fields>'], example: 'hash:NickCore:3',
    notes: 'The object. `parseObjectHashKey` recognises these names in keyspace events.' },
  { family: 'idx', pattern: 'idx:<Type>:<id>', type: 'set', seed: 'parley', owner: 'object-store', example: 'idx:NickCore:3',
    notes: 'The `value:` keys the object is in: lets the store repair the index after an edit made outside it, from Redis alone.' },
  { family: 'value', pattern: 'value:<Type>:<field>:<value>', type: 'set', seed: 'anope', owner: 'object-store', example: 'value:NickCore:email:adam%40anope.org',
    notes: 'Ids of objects whose field holds the value. The value is encoded (Anope writes it raw); empty values are not indexed.' },
  // ---- ouyunc IM (default prefix `im:`)
  { family: 'im:user', pattern: 'im:user:<userId>', type: 'string', seed: 'ouyunc', owner: 'im-router', example: 'im:user:42',
    canonical: 'user:<userId>', notes: 'The seed\'s ImUser. Not written.' },
  { family: 'im:user:login', pattern: 'im:user:login:<userId>', type: 'hash', seed: 'ouyunc', owner: 'im-router', fields: ['<deviceId>'], example: 'im:user:login:42',
    notes: 'Login info per device: the one home of a user\'s devices.' },
  { family: 'im:user:group', pattern: 'im:user:group:<room>', type: 'string', seed: 'ouyunc', owner: 'im-router', example: 'im:user:group:tea%20room',
    canonical: 'group:<room>', notes: 'The seed\'s ImGroup. Not used for room metadata.' },
  { family: 'im:user:group:members', pattern: 'im:user:group:<room>:members', type: 'hash', seed: 'ouyunc', owner: 'im-router', fields: ['<userId>'], example: 'im:user:group:tea%20room:members',
    canonical: 'groupmembers:<room>', notes: 'Not used for membership.' },
  { family: 'im:user:contact:friend', pattern: 'im:user:contact:friend:<userId>', type: 'hash', seed: 'ouyunc', owner: 'im-router', fields: ['<friend userId>'], example: 'im:user:contact:friend:42',
    notes: 'Friendship details; `friends:<userId>` is kept in step in the same atomic step.' },
  { family: 'im:black-list:group', pattern: 'im:black-list:group:<room>', type: 'hash', seed: 'ouyunc', owner: 'loopback-parser', fields: ['user:<userId>', 'mask:<nick mask>'], example: 'im:black-list:group:tea%20room',
    notes: 'Bans of a room of the built-in network, by user and by nick mask; the value is JSON (`by`, `at`).' },
  { family: 'im:black-list:user', pattern: 'im:black-list:user:<userId>', type: 'hash', seed: 'ouyunc', owner: 'im-router', fields: ['<blocked userId>'], example: 'im:black-list:user:42' },
  { family: 'im:message:friend-request', pattern: 'im:message:friend-request:<userId>', type: 'zset', seed: 'ouyunc', owner: 'im-router', example: 'im:message:friend-request:42',
    notes: 'Request packets scored by time (the seed names the id `from`).' },
  { family: 'im:message:group-request', pattern: 'im:message:group-request:<room>', type: 'zset', seed: 'ouyunc', owner: 'loopback-parser', example: 'im:message:group-request:tea%20room',
    notes: 'Join requests to a room with the approval policy: member the asking user id, scored by time.' },
  { family: 'im:message:send', pattern: 'im:message:send:<userId>', type: 'zset', seed: 'ouyunc', owner: 'im-router', example: 'im:message:send:42',
    notes: 'Send timeline: packets scored by time.' },
  { family: 'im:message:receive', pattern: 'im:message:receive:<userId>', type: 'zset', seed: 'ouyunc', owner: 'im-router', example: 'im:message:receive:42',
    notes: 'Receive timeline of a user.' },
  { family: 'im:message:receive:group', pattern: 'im:message:receive:group:<room>', type: 'zset', seed: 'ouyunc', owner: 'im-router', example: 'im:message:receive:group:tea%20room',
    notes: 'Receive timeline of a room: a sub-namespace of its own, else a room called "42" would share user 42\'s.' },
  { family: 'im:message:offline', pattern: 'im:message:offline:<userId>', type: 'zset', seed: 'ouyunc', owner: 'im-router', example: 'im:message:offline:42',
    notes: 'Kept until a device of the user syncs.' },
  { family: 'im:message:fail', pattern: 'im:message:fail:from:<from>:to:<to>', type: 'zset', seed: 'ouyunc', owner: 'im-router', example: 'im:message:fail:from:42:to:43',
    notes: 'Packets that could not be delivered; both ends are user ids.' },
  { family: 'im:message:read-receipt', pattern: 'im:message:read-receipt:<messageId>', type: 'hash', seed: 'ouyunc', owner: 'im-router', fields: ['<reader userId>'], example: 'im:message:read-receipt:m-1001' },
  { family: 'im:cluster:server:offline', pattern: 'im:cluster:server:offline', type: 'hash', seed: 'ouyunc', owner: 'im-router', fields: ['<serverId>'], example: 'im:cluster:server:offline' },
  { family: 'im:app', pattern: 'im:app:<appKey>', type: 'string', seed: 'ouyunc', owner: 'im-router', example: 'im:app:demo-app', notes: 'The SaaS app\'s details.' },
  { family: 'im:app:connection', pattern: 'im:app:<appKey>:connection', type: 'hash', seed: 'ouyunc', owner: 'gateway', fields: ['<login id>'], example: 'im:app:demo-app:connection',
    notes: 'Live sessions of the app\'s users (session id → device): written by the gateway, which owns sessions, so the maximum is checked and taken in one step.' },
  { family: 'im:conversation', pattern: 'im:conversation:<low userId>:<high userId>', type: 'hash', seed: 'parley', owner: 'im-router', fields: ['seq', 'w:<userId>'],
    example: 'im:conversation:42:43', notes: 'One direct-message conversation: `seq`, the number of its last message (gids of both windows), and each side\'s 1on1 window.' },
  { family: 'im:clientmsg', pattern: 'im:clientmsg:<userId>:<clientMsgId>', type: 'string', seed: 'parley', owner: 'im-router', example: 'im:clientmsg:42:abc-1',
    notes: 'The answer (`"gid":…,"ts":…`) of a direct message already stored under that client id: a retry is not stored twice. Expires.' },
  { family: 'im:dm-users', pattern: 'im:dm-users', type: 'set', seed: 'parley', owner: 'im-router', example: 'im:dm-users',
    notes: 'The users with direct-message timelines: the expiry job walks them instead of scanning the key space (which a cluster cannot do in one step).' },
  { family: 'im:offline-floor', pattern: 'im:offline-floor', type: 'hash', seed: 'parley', owner: 'im-router', fields: ['<userId>'], example: 'im:offline-floor',
    notes: 'The highest offline-timeline score a session of the user acknowledged: entries stored later score above it (and above the newest), so removing what was delivered by score never takes one the burst did not carry.' },
  { family: 'im:presence', pattern: 'im:presence', type: 'hash', seed: 'parley', owner: 'im-router', fields: ['<userId>'], example: 'im:presence',
    notes: '`online`, or when (ms) the user\'s last session ended: friends are told once per change.' },
];
