/**
 * Envelopes of the backend inboxes (`inbox:<name>` Redis lists, moved by packages/inbox).
 * One discriminated union per inbox, every member versioned with `v: 1`.
 *
 * Ordering contract: the courier partitions by the top-level `userId`, so every envelope that
 * concerns a user carries it. Envelopes without one (`ping`, `restarted`, `webhook`) concern no
 * single user and may be handled by any partition.
 */
import { z } from 'zod';
import { DisplayNick, GatewayInstance, MessageText, NetworkName, Nick, RoomName, SessionId, Timestamp, TraceId, UserId, V1 } from './common';
import { RequestBody } from './requests';

// ---- IRC lines ----

/** RFC 1459's 512 bytes per line, less the CR LF that connection-manager appends. */
export const IRC_LINE_MAX_BYTES = 510;
/** An incoming line may carry IRCv3 message tags (up to 8191 bytes) before its 512 bytes. */
export const IRC_LINE_IN_MAX_CHARS = 8191 + 512;

/** UTF-8 length without Buffer or TextEncoder, so the package also runs in a browser bundle. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    // A lone surrogate counts as 3 bytes: the encoder writes U+FFFD for it.
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

const hasLineBreak = (s: string) => s.includes('\r') || s.includes('\n');
const hasNul = (s: string) => s.includes('\0');

// CR or LF inside a value would end the IRC line early and let the rest run as a second command
// on the user's connection: every text that reaches a socket is checked here, not only at the
// point where it was typed.
/** Text that connection-manager may put into an IRC line. */
export const IrcSafeText = z
  .string()
  .refine((s) => !hasLineBreak(s) && !hasNul(s), 'must not contain CR, LF or NUL');

/** One outgoing IRC line, without its CR LF. */
export const IrcLineOut = IrcSafeText.min(1).refine(
  (s) => utf8ByteLength(s) <= IRC_LINE_MAX_BYTES,
  `must be at most ${IRC_LINE_MAX_BYTES} bytes in UTF-8`,
);

/** One line as read from the server, split at CR/LF. NUL is irc-parser's to deal with. */
export const IrcLineIn = z
  .string()
  .min(1)
  .max(IRC_LINE_IN_MAX_CHARS)
  .refine((s) => !hasLineBreak(s), 'must not contain CR or LF');

// ---- envelope parts ----

/**
 * The fields every envelope has. `traceId` ties the log lines of one flow across processes (the
 * gateway gives each client request one); `sentAt` (ms since the epoch, set by the producer) lets
 * a consumer report how long the oldest message has waited.
 */
function envelope<const T extends string>(type: T) {
  return { v: V1, type: z.literal(type), traceId: TraceId.optional(), sentAt: Timestamp.optional() };
}

/** A diagnostic message every inbox accepts: a consumer logs it, proving the path end to end. */
const Ping = z.object({ ...envelope('ping'), id: z.string().min(1).max(128) });

/** A client request forwarded by the gateway to its owner. */
const ForwardedRequest = z.object({
  ...envelope('request'),
  userId: UserId,
  sessionId: SessionId,
  /** The gateway's handle for the pending answer (for example `<sessionId>:<seq>`); opaque here. */
  requestId: z.string().min(1).max(128),
  /** The gateway that forwarded it: the answer is announced on its channel. */
  gateway: GatewayInstance,
  request: RequestBody,
});

const Port = z.int().min(1).max(65535);
/** connection-manager's id of one socket. */
const ConnId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of A-Z a-z 0-9 _ . -');

// ---- inbox:connectionmanager (from irc-parser) ----

export const ConnectionManagerMessage = z.discriminatedUnion('type', [
  z.object({
    ...envelope('connect'),
    userId: UserId,
    network: NetworkName,
    host: z.string().regex(/^[^\s/]{1,253}$/, 'expected a host name or address'),
    port: Port,
    tls: z.boolean(),
    nick: Nick,
    /** The USER name; connection-manager falls back to its own default. */
    username: z.string().regex(/^[^\s@:]{1,32}$/, 'expected 1-32 characters without spaces, @ or :').optional(),
    realname: IrcSafeText.max(200).optional(),
    /** The server password (PASS), not the user's account password. */
    password: IrcSafeText.min(1).max(400).optional(),
  }),
  /**
   * Lines for the user's socket. With `wseq` (the user's own messages, kept in irc-parser's outbox
   * until then) connection-manager answers `sent` once the server has handled them (a PING after them came back).
   */
  z.object({ ...envelope('write'), userId: UserId, network: NetworkName, lines: z.array(IrcLineOut).min(1).max(50), wseq: z.int().positive().optional() }),
  z.object({ ...envelope('disconnect'), userId: UserId, network: NetworkName, reason: IrcSafeText.max(400).optional() }),
  Ping,
]);

// ---- inbox:ircparser (from connection-manager and the gateway) ----

export const IrcParserMessage = z.discriminatedUnion('type', [
  z.object({
    ...envelope('connected'),
    userId: UserId,
    network: NetworkName,
    /** connection-manager's id of this socket (its lines carry it). */
    conn: ConnId.optional(),
    localPort: Port.optional(),
    remoteHost: z.string().max(253).optional(),
  }),
  /** One line; `conn` and `seq` (1, 2, … per socket) let irc-parser store its messages once even if it handles the line twice. */
  z.object({ ...envelope('data'), userId: UserId, network: NetworkName, conn: ConnId.optional(), seq: z.int().positive().optional(), line: IrcLineIn }),
  z.object({ ...envelope('disconnected'), userId: UserId, network: NetworkName, reason: z.string().max(1000) }),
  /**
   * connection-manager started afresh: every socket it held is gone. Sent by versions that ran
   * alone; with several instances, `lost` says whose sockets went (a restart would reconnect all).
   */
  z.object({ ...envelope('restarted'), instance: z.string().max(128).optional() }),
  /**
   * Every IRC connection of this user is gone: the connection-manager that held them died and
   * another took the user over (the courier's sticky partitions). irc-parser reconnects after back-off.
   */
  z.object({ ...envelope('lost'), userId: UserId }),
  /** From the gateway: a new session of the user started; networks closed while they were away reconnect. */
  z.object({ ...envelope('active'), userId: UserId }),
  /** The server has handled the lines of the `write` with this `wseq` (and every earlier one): a PING written after them came back. */
  z.object({ ...envelope('sent'), userId: UserId, network: NetworkName, wseq: z.int().positive() }),
  /** Answer to a `write` or `disconnect` for a connection that does not exist. */
  z.object({ ...envelope('noconnection'), userId: UserId, network: NetworkName }),
  ForwardedRequest,
  Ping,
]);

// ---- inbox:loopbackparser (from the gateway) ----

export const LoopbackParserMessage = z.discriminatedUnion('type', [
  ForwardedRequest,
  /** A post with the room's API key; the room, not a user, is its ordering key. */
  z.object({ ...envelope('webhook'), group: RoomName, text: MessageText.min(1), bot: DisplayNick.optional(), action: z.boolean().optional() }),
  Ping,
]);

// ---- catalogue ----

/** Inbox names as in the seed; the Redis key `inbox:<name>` is built by packages/key-schema. */
export const INBOX_NAMES = ['loopbackparser', 'ircparser', 'connectionmanager'] as const;
export type InboxName = (typeof INBOX_NAMES)[number];

export const INBOX_SCHEMAS = {
  loopbackparser: LoopbackParserMessage,
  ircparser: IrcParserMessage,
  connectionmanager: ConnectionManagerMessage,
} as const satisfies Record<InboxName, z.ZodType>;

export type InboxMessage<N extends InboxName> = z.infer<(typeof INBOX_SCHEMAS)[N]>;
export type InboxMessageType<N extends InboxName> = InboxMessage<N>['type'];
export type InboxMessageOfType<N extends InboxName, T extends InboxMessageType<N>> = Extract<InboxMessage<N>, { type: T }>;

function typesOf<const O extends readonly { shape: { type: { value: string } } }[]>(options: O): O[number]['shape']['type']['value'][] {
  return options.map((o) => o.shape.type.value);
}

/** The message types of each inbox, read from the schemas so the two cannot disagree. */
export const INBOX_MESSAGE_TYPES: { readonly [N in InboxName]: readonly InboxMessageType<N>[] } = {
  loopbackparser: typesOf(LoopbackParserMessage.options),
  ircparser: typesOf(IrcParserMessage.options),
  connectionmanager: typesOf(ConnectionManagerMessage.options),
};

/** One handler per message type: a consumer that misses a type does not compile. */
export type InboxHandlers<N extends InboxName> = {
  [T in InboxMessageType<N>]: (msg: InboxMessageOfType<N, T>) => Promise<void>;
};

/** Calls the handler of `msg.type`. */
export function dispatchInboxMessage<N extends InboxName>(handlers: InboxHandlers<N>, msg: InboxMessage<N>): Promise<void> {
  // TypeScript cannot correlate `handlers[msg.type]` with `msg`; InboxHandlers guarantees it.
  const handler = handlers[msg.type as InboxMessageType<N>] as (m: InboxMessage<N>) => Promise<void>;
  // Called on the handler object: class methods use `this`.
  return handler.call(handlers, msg);
}

/**
 * The types of `expected` without a function in `handlers`. For handler tables assembled at run
 * time (decorators, DI): an app calls it at start and refuses to start when it is not empty.
 */
export function missingHandlers(expected: readonly string[], handlers: object): string[] {
  return expected.filter((type) => typeof (handlers as Record<string, unknown>)[type] !== 'function');
}
