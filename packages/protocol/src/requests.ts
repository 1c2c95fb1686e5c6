/**
 * Client requests (socket.io `req`), their results and who handles each of them.
 * On the wire a request is `{ seq, id, ...fields }`; the gateway checks `seq`, then forwards the
 * `RequestBody` (without `seq`) to its owner.
 */
import { z } from 'zod';
import {
  BareChannelName,
  BUILTIN_NETWORK,
  ChannelName,
  ClientMsgId,
  Gid,
  Message,
  MessageText,
  NetworkName,
  Nick,
  RoomName,
  Settings,
  Timestamp,
  UserId,
  WindowId,
  WindowSettings,
  type WindowType,
  keyMirror,
} from './common';
import { type Assert, type Equal } from './internal';

export const REQUEST_IDS = [
  'CREATE',
  'JOIN',
  'CLOSE',
  'SEND',
  'EDIT',
  'FETCH',
  'CHAT',
  'COMMAND',
  'UPDATE_TOPIC',
  'UPDATE_PASSWORD',
  'UPDATE',
  'SET',
  'READ',
  'REQUEST_FRIEND',
  'FRIEND_VERDICT',
  'REMOVE_FRIEND',
  'BLOCK',
  'UNBLOCK',
  'LOGOUT',
  'NOTES',
  'NOTE_ADD',
  'NOTE_EDIT',
  'NOTE_DELETE',
  'URLS',
] as const;
export type RequestId = (typeof REQUEST_IDS)[number];

const RoomPassword = z.string().min(1).max(100);
export const FETCH_LIMIT_MAX = 200;

const CreateRequest = z.object({ id: z.literal('CREATE'), name: RoomName, password: RoomPassword.optional() });

// The name's grammar depends on the network: rooms on the built-in one, channels elsewhere.
const JoinRequest = z
  .object({ id: z.literal('JOIN'), network: NetworkName, name: z.string(), password: RoomPassword.optional() })
  .superRefine((req, ctx) => {
    // On IRC networks a name without its prefix is a # channel (irc-parser adds the #).
    const grammar = req.network === BUILTIN_NETWORK ? RoomName : ChannelName.or(BareChannelName);
    const result = grammar.safeParse(req.name);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: result.error.issues[0]?.message ?? 'invalid name' });
    }
  });

const CloseRequest = z.object({ id: z.literal('CLOSE'), windowId: WindowId });

const SendRequest = z.object({ id: z.literal('SEND'), windowId: WindowId, text: MessageText.min(1), clientMsgId: ClientMsgId });

/** `text: ""` deletes the message. */
const EditRequest = z.object({ id: z.literal('EDIT'), windowId: WindowId, gid: Gid, text: MessageText });

// Neither gid: the newest page. beforeGid pages backwards, afterGid forwards; both is ambiguous.
const FetchRequest = z
  .object({
    id: z.literal('FETCH'),
    windowId: WindowId,
    beforeGid: Gid.optional(),
    afterGid: Gid.optional(),
    limit: z.int().min(1).max(FETCH_LIMIT_MAX),
  })
  .refine((req) => req.beforeGid === undefined || req.afterGid === undefined, {
    path: ['afterGid'],
    message: 'give at most one of beforeGid and afterGid',
  });

// CHAT and REQUEST_FRIEND name their target in one of two ways. The loose object checks each
// field and gives one readable error when the forms are mixed or incomplete; the exclusive union
// behind it gives handlers a type they can narrow with `req.userId !== undefined`.
const absent = z.undefined().optional();

/** A 1on1 window with a Parley user, or an IRC query (`network` is then an IRC network). */
const ChatRequest = z
  .object({ id: z.literal('CHAT'), userId: UserId.optional(), network: NetworkName.optional(), nick: Nick.optional() })
  .refine(
    (req) => (req.userId !== undefined ? req.network === undefined && req.nick === undefined : req.network !== undefined && req.nick !== undefined),
    'give either userId, or network and nick',
  )
  .pipe(
    z.union([
      z.object({ id: z.literal('CHAT'), userId: UserId, network: absent, nick: absent }),
      z.object({ id: z.literal('CHAT'), network: NetworkName, nick: Nick, userId: absent }),
    ]),
  );

/** `command` without the slash (`me`, `topic`, `kick`, …); `params` is the rest of the line. */
const CommandRequest = z.object({
  id: z.literal('COMMAND'),
  windowId: WindowId,
  command: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'expected a command name without the slash'),
  params: MessageText,
});

const UpdateTopicRequest = z.object({ id: z.literal('UPDATE_TOPIC'), windowId: WindowId, topic: z.string().max(1000) });

/** `password: null` removes the password. */
const UpdatePasswordRequest = z.object({ id: z.literal('UPDATE_PASSWORD'), windowId: WindowId, password: RoomPassword.nullable() });

/** Only the settings given change. */
const UpdateRequest = z.object({ id: z.literal('UPDATE'), windowId: WindowId, ...WindowSettings.partial().shape });

const SetRequest = z.object({ id: z.literal('SET'), settings: Settings });

const ReadRequest = z.object({ id: z.literal('READ'), windowId: WindowId, gid: Gid });

/** Extends protocol.md: a friend can also be asked for by Parley nick. */
const RequestFriendRequest = z
  .object({ id: z.literal('REQUEST_FRIEND'), userId: UserId.optional(), nick: Nick.optional() })
  .refine((req) => (req.userId === undefined) !== (req.nick === undefined), 'give either userId or nick')
  .pipe(
    z.union([
      z.object({ id: z.literal('REQUEST_FRIEND'), userId: UserId, nick: absent }),
      z.object({ id: z.literal('REQUEST_FRIEND'), nick: Nick, userId: absent }),
    ]),
  );

const FriendVerdictRequest = z.object({ id: z.literal('FRIEND_VERDICT'), userId: UserId, allow: z.boolean() });
const RemoveFriendRequest = z.object({ id: z.literal('REMOVE_FRIEND'), userId: UserId });
const BlockRequest = z.object({ id: z.literal('BLOCK'), userId: UserId });
const UnblockRequest = z.object({ id: z.literal('UNBLOCK'), userId: UserId });
const LogoutRequest = z.object({ id: z.literal('LOGOUT'), allSessions: z.boolean().optional() });

// Extends protocol.md: per-window notes of the user (MAS's notelist/note), versioned so that an
// edit based on an old version is refused with CONFLICT, and the URLs seen in a window.
export const NoteId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected a note id');
export const NOTE_TEXT_MAX = 4000;
const NoteText = z.string().min(1).max(NOTE_TEXT_MAX);
const NoteVersion = z.int().positive();
const NotesRequest = z.object({ id: z.literal('NOTES'), windowId: WindowId });
const NoteAddRequest = z.object({ id: z.literal('NOTE_ADD'), windowId: WindowId, text: NoteText });
const NoteEditRequest = z.object({ id: z.literal('NOTE_EDIT'), windowId: WindowId, noteId: NoteId, ver: NoteVersion, text: NoteText });
const NoteDeleteRequest = z.object({ id: z.literal('NOTE_DELETE'), windowId: WindowId, noteId: NoteId, ver: NoteVersion });
export const URLS_MAX = 100;
const UrlsRequest = z.object({ id: z.literal('URLS'), windowId: WindowId, limit: z.int().min(1).max(URLS_MAX).optional() });

/** A request as forwarded to its owner (no `seq`: that is the gateway's business). */
export const RequestBody = z.discriminatedUnion('id', [
  CreateRequest,
  JoinRequest,
  CloseRequest,
  SendRequest,
  EditRequest,
  FetchRequest,
  ChatRequest,
  CommandRequest,
  UpdateTopicRequest,
  UpdatePasswordRequest,
  UpdateRequest,
  SetRequest,
  ReadRequest,
  RequestFriendRequest,
  FriendVerdictRequest,
  RemoveFriendRequest,
  BlockRequest,
  UnblockRequest,
  LogoutRequest,
  NotesRequest,
  NoteAddRequest,
  NoteEditRequest,
  NoteDeleteRequest,
  UrlsRequest,
]);
export type RequestBody = z.infer<typeof RequestBody>;
// REQUEST_IDS and the union must list the same ids.
type _IdsMatch = Assert<Equal<RequestBody['id'], RequestId>>;
export type RequestOf<I extends RequestId> = Extract<RequestBody, { id: I }>;

/** The request sequence number of the session: 1, 2, 3, … */
export const RequestSeq = z.int().positive();

/** A request as the client emits it on `req`. */
export const ClientRequest = z.object({ seq: RequestSeq }).and(RequestBody);
export type ClientRequest = z.infer<typeof ClientRequest>;

// ---- results and responses ----

export const WindowResult = z.object({ windowId: WindowId });
/** Who may join a room of the built-in network. */
export const JoinPolicy = z.enum(['open', 'password', 'invite', 'approval']);
export type JoinPolicy = z.infer<typeof JoinPolicy>;
/** A ban of a room: a user (by the nick they had) or a nick mask; who set it and when. */
export const RoomBan = z.object({ kind: z.enum(['user', 'mask']), name: z.string(), by: UserId.optional(), at: Timestamp.optional() });
export type RoomBan = z.infer<typeof RoomBan>;
export const SendResult = z.object({ gid: Gid, ts: Timestamp });
export const FetchResult = z.object({ messages: z.array(Message) });
const EmptyResult = z.object({});
export const Note = z.object({ noteId: NoteId, ver: NoteVersion, nick: z.string(), ts: Timestamp, text: z.string() });
export type Note = z.infer<typeof Note>;

/** The result fields of a successful answer, per request id. */
export const REQUEST_RESULTS = {
  CREATE: WindowResult,
  JOIN: WindowResult,
  CLOSE: EmptyResult,
  SEND: SendResult,
  EDIT: EmptyResult,
  FETCH: FetchResult,
  CHAT: WindowResult,
  /**
   * `apikey` answers the room's new API key (shown once: a repeat of the request gets no key);
   * `bans` (owner and operators of a room) answers its bans and its join policy; `akick list` its
   * auto-kick masks.
   */
  COMMAND: z.object({
    apiKey: z.string().min(20).max(200).optional(),
    bans: z.array(RoomBan).optional(),
    policy: JoinPolicy.optional(),
    /** `akick list`: the room's auto-kick masks. */
    autoKicks: z.array(z.object({ mask: z.string(), reason: z.string() })).optional(),
    /** `alias list`: the nicks the user has reserved besides their own (lower-cased). */
    aliases: z.array(z.string()).optional(),
    /** `access list`: who is made operator or voiced on joining. */
    access: z.array(z.object({ mask: z.string(), level: z.enum(['op', 'voice']) })).optional(),
    /** `bot list`: the network's service bots, and whether each is assigned to this room. */
    bots: z.array(z.object({ nick: z.string(), realname: z.string(), assigned: z.boolean() })).optional(),
    /** `bot say` / `bot act`: the gid the bot's message got. */
    gid: Gid.optional(),
  }),
  UPDATE_TOPIC: EmptyResult,
  UPDATE_PASSWORD: EmptyResult,
  UPDATE: EmptyResult,
  SET: EmptyResult,
  READ: EmptyResult,
  /** Extends protocol.md: `REQUESTED` (waits for the other's verdict) or `FRIENDS` (accepted at once by their policy). */
  REQUEST_FRIEND: z.object({ state: z.enum(['REQUESTED', 'FRIENDS']) }),
  FRIEND_VERDICT: EmptyResult,
  REMOVE_FRIEND: EmptyResult,
  BLOCK: EmptyResult,
  UNBLOCK: EmptyResult,
  LOGOUT: EmptyResult,
  NOTES: z.object({ notes: z.array(Note) }),
  NOTE_ADD: z.object({ noteId: NoteId, ver: NoteVersion }),
  NOTE_EDIT: z.object({ ver: NoteVersion }),
  NOTE_DELETE: EmptyResult,
  URLS: z.object({ urls: z.array(z.string()) }),
} as const satisfies Record<RequestId, z.ZodObject>;
// zod infers `z.object({})` as Record<string, never>, with which `{ status: 'OK' }` could never be
// an answer; a result without fields is `object`.
type ResultFields<T> = T extends unknown ? (string extends keyof T ? object : T) : never;
export type RequestResult<I extends RequestId> = ResultFields<z.infer<(typeof REQUEST_RESULTS)[I]>>;

export const REQUEST_ERROR_CODES = keyMirror(
  'BAD_SEQ',
  /** A `req` before a successful `init`. */
  'NO_SESSION',
  'BAD_REQUEST',
  'UNKNOWN_REQUEST',
  'NOT_AVAILABLE',
  'NOT_FOUND',
  'ERROR_EXISTS',
  'INCORRECT_PASSWORD',
  'ALREADY_JOINED',
  'BANNED',
  'FORBIDDEN',
  'TIMEOUT',
  /** A note edit or delete based on a version that is no longer the note's. */
  'CONFLICT',
  'INTERNAL',
);
export type RequestErrorCode = keyof typeof REQUEST_ERROR_CODES;

// An enum, not any UPPER_SNAKE string: every backend writes answers that the gateway relays, and
// a code nobody declared here is a bug to catch at the gateway, not something to show a user.
export const RequestErrorResponse = z.object({
  status: z.literal('ERROR'),
  code: z.enum(REQUEST_ERROR_CODES),
  message: z.string(),
});
export type RequestErrorResponse = z.infer<typeof RequestErrorResponse>;

/** The exact answer schema of one request id. */
export function requestResponseSchema<I extends RequestId>(id: I) {
  const ok = REQUEST_RESULTS[id].extend({ status: z.literal('OK') });
  return z.discriminatedUnion('status', [ok, RequestErrorResponse]);
}
export type RequestResponseOf<I extends RequestId> = ({ status: 'OK' } & RequestResult<I>) | RequestErrorResponse;

/** Any request's answer; `requestResponseSchema(id)` checks the result fields too. */
export const RequestResponse = z.discriminatedUnion('status', [z.looseObject({ status: z.literal('OK') }), RequestErrorResponse]);
/** What the `req` ack carries, for any request id. */
export type AnyRequestResponse = RequestResponseOf<RequestId>;

// ---- routing ----

export type RequestOwner = 'gateway' | 'loopbackparser' | 'ircparser' | 'im-router';

/**
 * The requests whose owner depends on the network (of the window, or given in the body for
 * JOIN and CHAT); `REQUEST_OWNER` holds their owner on the built-in network. Route them with
 * `requestOwner()`.
 */
export const NETWORK_ROUTED_REQUESTS = [
  'JOIN',
  'CLOSE',
  'SEND',
  'EDIT',
  'FETCH',
  'COMMAND',
  'UPDATE_TOPIC',
  'UPDATE_PASSWORD',
  'READ',
  'CHAT',
] as const satisfies readonly RequestId[];

export const REQUEST_OWNER: Record<RequestId, RequestOwner> = {
  CREATE: 'loopbackparser',
  JOIN: 'loopbackparser',
  CLOSE: 'loopbackparser',
  SEND: 'loopbackparser',
  EDIT: 'loopbackparser',
  FETCH: 'loopbackparser',
  CHAT: 'im-router',
  COMMAND: 'loopbackparser',
  UPDATE_TOPIC: 'loopbackparser',
  UPDATE_PASSWORD: 'loopbackparser',
  UPDATE: 'gateway',
  SET: 'gateway',
  READ: 'loopbackparser',
  REQUEST_FRIEND: 'im-router',
  FRIEND_VERDICT: 'im-router',
  REMOVE_FRIEND: 'im-router',
  BLOCK: 'im-router',
  UNBLOCK: 'im-router',
  LOGOUT: 'gateway',
  NOTES: 'loopbackparser',
  NOTE_ADD: 'loopbackparser',
  NOTE_EDIT: 'loopbackparser',
  NOTE_DELETE: 'loopbackparser',
  URLS: 'loopbackparser',
};

/**
 * Who handles `body`.
 * - JOIN and CHAT carry their network; the other window-scoped requests need `networkOfWindow`
 *   (an Error is thrown without it: that is a gateway bug, not a client error).
 * - A direct message with a Parley user is im-router's: CHAT by userId, CHAT by nick on the
 *   built-in network (the gateway resolves the nick first: the CHAT job takes a user id), and
 *   SEND / READ in a built-in `1on1` window (`windowType`), which become SEND_DIRECT / READ jobs.
 * - Any other window of the built-in network is loopbackparser's; any other network is ircparser's.
 */
export function requestOwner(body: RequestBody, networkOfWindow?: string, windowType?: WindowType): RequestOwner {
  const byWindow = (directMessageJob: boolean): RequestOwner => {
    if (networkOfWindow === undefined) throw new Error(`requestOwner: ${body.id} needs the network of its window`);
    if (networkOfWindow !== BUILTIN_NETWORK) return 'ircparser';
    return directMessageJob && windowType === '1on1' ? 'im-router' : 'loopbackparser';
  };
  switch (body.id) {
    case 'CREATE':
    case 'UPDATE':
    case 'SET':
    case 'LOGOUT':
    case 'REQUEST_FRIEND':
    case 'FRIEND_VERDICT':
    case 'REMOVE_FRIEND':
    case 'BLOCK':
    case 'UNBLOCK':
    case 'NOTES':
    case 'NOTE_ADD':
    case 'NOTE_EDIT':
    case 'NOTE_DELETE':
    case 'URLS':
      return REQUEST_OWNER[body.id];
    case 'CHAT':
      return body.userId !== undefined || body.network === BUILTIN_NETWORK ? 'im-router' : 'ircparser';
    case 'JOIN':
      return body.network === BUILTIN_NETWORK ? 'loopbackparser' : 'ircparser';
    case 'SEND':
    case 'READ':
    case 'FETCH':
    case 'CLOSE':
      return byWindow(true);
    case 'EDIT':
    case 'COMMAND':
    case 'UPDATE_TOPIC':
    case 'UPDATE_PASSWORD':
      return byWindow(false);
  }
}
