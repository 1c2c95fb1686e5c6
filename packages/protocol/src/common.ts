/**
 * Field schemas shared by every message family (HTTP, socket.io, inboxes, jobs).
 * A field that means the same thing everywhere is declared once here, so a rule such as
 * "what is a legal nick" cannot drift between the gateway and a backend.
 */
import { z } from 'zod';

/** Builds `{ A: 'A', B: 'B' }` from a list, so a set of code constants is written once. */
export function keyMirror<const T extends readonly string[]>(...names: T): { readonly [K in T[number]]: K } {
  const out: Record<string, string> = {};
  for (const name of names) out[name] = name;
  return Object.freeze(out) as { readonly [K in T[number]]: K };
}

/** The one envelope version in use; see the README's versioning rule before adding a second. */
export const V1 = z.literal(1);

// z.int() is already bounded to the safe-integer range, so ids survive JSON and Redis round trips.
export const UserId = z.int().positive();
export type UserId = z.infer<typeof UserId>;

/** Windows are numbered per user (`nextwindowid` in the user hash). */
export const WindowId = z.int().positive();
export type WindowId = z.infer<typeof WindowId>;

/** A stored message's id: grows within its window, so clients page history by it. */
export const Gid = z.int().positive();
export type Gid = z.infer<typeof Gid>;

/** Milliseconds since the Unix epoch. */
export const Timestamp = z.int().nonnegative();
export type Timestamp = z.infer<typeof Timestamp>;

// A session id becomes part of Redis keys (`session:<userId>:<sessionId>`): the charset keeps
// ':' and anything else that could reach into another key out.
export const SessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8-64 characters of A-Z a-z 0-9 _ -');
export type SessionId = z.infer<typeof SessionId>;

/** One gateway process (`<pid>-<random hex>`): its pub/sub channel carries the answers of the requests it forwarded. */
export const GatewayInstance = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of A-Z a-z 0-9 _ . -');
export type GatewayInstance = z.infer<typeof GatewayInstance>;

// Network names are key parts too (`networks:<userId>:<network>`), and appear in windowlist
// entries separated by ':'; hence no ':' and a short ASCII charset.
export const NetworkName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'expected 1-32 characters of A-Z a-z 0-9 _ . -, not starting with _ . -');
export type NetworkName = z.infer<typeof NetworkName>;

/** The network of Parley's own rooms and direct messages. */
export const BUILTIN_NETWORK = 'parley';

/**
 * An IRC-legal nick (RFC 2812 letters, digits and specials). Used where a nick is *sent*
 * (registration, CHAT, the connect envelope); nicks *reported* by IRC servers are only
 * loosely checked (`DisplayNick`) because servers differ in what they allow.
 */
export const Nick = z
  .string()
  .regex(
    /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/,
    'expected 1-30 characters of letters, digits and []\\`_^{|}-, not starting with a digit or -',
  );
export type Nick = z.infer<typeof Nick>;

/** A nick as shown to clients: whatever the server said, bounded and without whitespace. */
export const DisplayNick = z.string().regex(/^\S{1,64}$/u, 'expected 1-64 non-space characters');

/**
 * A room of the built-in network. Room names are Redis key parts (encoded by key-schema anyway);
 * the characters that mean something in keys or patterns (`:`, `*`, `?`, brackets, braces) are
 * refused outright, so no name even looks like it could reach into another key.
 */
export const RoomName = z
  .string()
  .regex(/^#[^\s,:*?[\]{}\p{Cc}]{1,49}$/u, "expected '#' and 1-49 characters without spaces, commas, colons, * ? [ ] { } or control characters");
export type RoomName = z.infer<typeof RoomName>;

/** An IRC channel name (RFC 2812 chanstring, with the length IRC servers tolerate). */
export const ChannelName = z
  .string()
  // eslint-disable-next-line no-control-regex -- these are exactly the bytes IRC forbids in a channel name
  .regex(/^[#&!+][^ ,\x07\r\n\x00]{0,199}$/, 'expected one of # & ! + and up to 199 characters without space, comma, BEL, CR, LF, NUL');
export type ChannelName = z.infer<typeof ChannelName>;
/** A channel name typed without its prefix (`tea` for `#tea`). */
export const BareChannelName = z
  .string()
  // eslint-disable-next-line no-control-regex -- these are exactly the bytes IRC forbids in a channel name
  .regex(/^[^#&!+ ,\x07\r\n\x00][^ ,\x07\r\n\x00]{0,198}$/, 'expected a channel name');

export const MESSAGE_TEXT_MAX = 4000;
export const MessageText = z.string().max(MESSAGE_TEXT_MAX);

/** Chosen by the client per send, so a retried SEND is stored once. */
export const ClientMsgId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 characters of A-Z a-z 0-9 _ -');

export const WindowType = z.enum(['group', '1on1']);
export type WindowType = z.infer<typeof WindowType>;

export const MessageCategory = z.enum(['msg', 'action', 'notice', 'info', 'join', 'part', 'quit', 'kick', 'server', 'error', 'banner']);
export type MessageCategory = z.infer<typeof MessageCategory>;

/** '*' owner, '@' op, '+' voice, 'u' user — the values of the `names:*` hash. */
export const Role = z.enum(['*', '@', '+', 'u']);
export type Role = z.infer<typeof Role>;

/** Window settings a user toggles per window; echoed to the user's other sessions. */
export const WindowSettings = z.object({
  visible: z.boolean(),
  sounds: z.boolean(),
  titleAlert: z.boolean(),
});
export type WindowSettings = z.infer<typeof WindowSettings>;

/** A user setting name: also a field of the `settings:<userId>` hash. */
export const SettingName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'expected 1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter');
export const SettingValue = z.union([z.string().max(1000), z.number(), z.boolean()]);
export const Settings = z.record(SettingName, SettingValue);
export type Settings = z.infer<typeof Settings>;

/**
 * A stored message as clients see it (ADD_MESSAGE, ADD_MESSAGES, FETCH results).
 * `windowId` is optional because it is implied where messages come grouped by window;
 * `nick` may be empty or a server name for server/info/banner lines; `userId` is set when the
 * author is a Parley user.
 */
export const Message = z.object({
  windowId: WindowId.optional(),
  gid: Gid,
  ts: Timestamp,
  cat: MessageCategory,
  body: z.string(),
  nick: z.string().max(255),
  userId: UserId.optional(),
  /** Extends protocol.md: the message was edited (an empty body: deleted). An ADD_MESSAGE with a
   * gid the client has replaces that message. */
  edited: z.boolean().optional(),
  /** Extends protocol.md: said by a service bot of the room (`nick` is the bot's; no userId). */
  bot: z.literal(true).optional(),
});
export type Message = z.infer<typeof Message>;

/**
 * A message as backlog lists hold it (`groupbacklog:<room>`, `windowmsgs:<userId>:<windowId>`,
 * newest on the left): JSON of a `Message` without `windowId`, which the list's key implies.
 */
export const StoredMessage = Message.omit({ windowId: true });
export type StoredMessage = z.infer<typeof StoredMessage>;

/** Ties log lines of one message across processes; free-form, bounded. */
export const TraceId = z.string().min(1).max(128);

/** Error and terminate codes on the wire are UPPER_SNAKE. */
export const UpperSnake = z.string().regex(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/, 'expected an UPPER_SNAKE code');
