/**
 * Notifications: what backends append to `outbox:<userId>:<sessionId>` and the gateway emits on
 * `ntf` with the session's next `seq`. Backends write `Notification` (no seq); clients receive
 * `SequencedNotification`.
 */
import { z } from 'zod';
import {
  DisplayNick,
  Gid,
  Message,
  NetworkName,
  Role,
  RoomName,
  Settings,
  Timestamp,
  UserId,
  WindowId,
  WindowSettings,
  WindowType,
} from './common';
import { Note, NoteId } from './requests';

/** Everything a client knows about a window; ADD_WINDOW sends all of it, UPDATE_WINDOW a part. */
const WindowFields = z.object({
  network: NetworkName,
  /** Room or channel name, or the peer's nick for a 1on1. */
  name: z.string().min(1).max(200),
  windowType: WindowType,
  topic: z.string(),
  /** The user's own role in the window. */
  role: Role,
  /** The peer of a 1on1 window with a Parley user. */
  userId: UserId.optional(),
  /** Extends protocol.md: messages of the peer after the user's read watermark (direct messages). */
  unread: z.int().nonnegative().optional(),
  /**
   * Extends protocol.md: the user's read watermark in the window (the last READ of any of their
   * sessions); in ADD_WINDOW once the window was read, and in UPDATE_WINDOW to the user's other
   * sessions when it moves, so every device shows the same unread messages.
   */
  readGid: Gid.optional(),
  ...WindowSettings.shape,
});

const AddWindow = z.object({ type: z.literal('ADD_WINDOW'), windowId: WindowId, ...WindowFields.shape });
const UpdateWindow = z.object({ type: z.literal('UPDATE_WINDOW'), windowId: WindowId, ...WindowFields.partial().shape });
const DeleteWindow = z.object({ type: z.literal('DELETE_WINDOW'), windowId: WindowId });

const AddMessage = z.object({ type: z.literal('ADD_MESSAGE'), ...Message.shape, windowId: WindowId });

/** A window's page of messages; `windowId` is given once for the page. */
export const WindowMessages = z.object({ windowId: WindowId, messages: z.array(Message.omit({ windowId: true })) });
const AddMessages = z.object({ type: z.literal('ADD_MESSAGES'), messages: z.array(WindowMessages) });

/** `bot`: extends protocol.md, a service bot assigned to the room (no userId). */
export const Member = z.object({ nick: DisplayNick, userId: UserId.optional(), role: Role, bot: z.literal(true).optional() });
export type Member = z.infer<typeof Member>;

/** `reset: true` replaces the window's member list instead of merging into it. */
const UpdateMembers = z.object({ type: z.literal('UPDATE_MEMBERS'), windowId: WindowId, reset: z.boolean().optional(), members: z.array(Member) });
// A leaving member is named by nick; the role is optional because it no longer matters and a
// `reset` would mean nothing for a removal.
const DeleteMembers = z.object({
  type: z.literal('DELETE_MEMBERS'),
  windowId: WindowId,
  members: z.array(Member.partial({ role: true })),
});

/** The user's settings: all of them in the init burst, the changed ones after a SET. */
const UpdateSettings = z.object({ type: z.literal('UPDATE_SETTINGS'), settings: Settings });

export const Friend = z.object({ userId: UserId, nick: DisplayNick, online: z.boolean(), lastSeen: Timestamp.optional() });
export type Friend = z.infer<typeof Friend>;
/** `reset: true` replaces the friend list (init burst); otherwise the entries are upserts. */
const UpdateFriends = z.object({ type: z.literal('UPDATE_FRIENDS'), reset: z.boolean().optional(), friends: z.array(Friend) });

/** Someone asks the user to be friends; the answer is a FRIEND_VERDICT request. */
const FriendRequest = z.object({ type: z.literal('FRIEND_REQUEST'), userId: UserId, nick: DisplayNick });

export const NetworkState = z.enum(['connected', 'connecting', 'disconnected']);
export type NetworkState = z.infer<typeof NetworkState>;
export const NetworkStatus = z.object({ name: NetworkName, state: NetworkState, currentNick: DisplayNick.optional() });
export type NetworkStatus = z.infer<typeof NetworkStatus>;
const UpdateNetworks = z.object({ type: z.literal('UPDATE_NETWORKS'), networks: z.array(NetworkStatus) });

/** An IRC network users may connect to (what an operator defined; host and password stay server-side). */
export const AvailableNetwork = z.object({ name: NetworkName, description: z.string().max(500).optional(), tls: z.boolean() });
export type AvailableNetwork = z.infer<typeof AvailableNetwork>;
/**
 * Extends protocol.md: every IRC network users may connect to, the whole list (it replaces the
 * one before): in the init burst, and to connected sessions whenever an operator edits the
 * `Network` objects (live, no restart).
 */
const NetworkList = z.object({ type: z.literal('NETWORK_LIST'), networks: z.array(AvailableNetwork) });

/** `userId` has read the window up to and including `gid`. */
const ReadReceipt = z.object({ type: z.literal('READ_RECEIPT'), windowId: WindowId, userId: UserId, gid: Gid });

/** Extends protocol.md: someone asks to join a room with the approval policy (to its owner and
 * operators); the answer is the COMMAND `approve <nick>` or `reject <nick>`. */
const JoinRequest = z.object({ type: z.literal('JOIN_REQUEST'), windowId: WindowId, userId: UserId, nick: DisplayNick });

/** Extends protocol.md: `nick` invited the user into a room with the invite policy; a JOIN accepts. */
const RoomInvite = z.object({ type: z.literal('ROOM_INVITE'), network: NetworkName, name: RoomName, nick: DisplayNick });

/** Extends protocol.md: a note of a window was added or edited in another session of the user. */
const UpdateNote = z.object({ type: z.literal('UPDATE_NOTE'), windowId: WindowId, note: Note });
/** Extends protocol.md: a note of a window was deleted in another session of the user. */
const DeleteNote = z.object({ type: z.literal('DELETE_NOTE'), windowId: WindowId, noteId: NoteId });

/** Ends the init burst: the client has a complete picture. */
const FinishInit = z.object({ type: z.literal('FINISH_INIT') });

export const Notification = z.discriminatedUnion('type', [
  AddWindow,
  UpdateWindow,
  DeleteWindow,
  AddMessage,
  AddMessages,
  UpdateMembers,
  DeleteMembers,
  UpdateSettings,
  UpdateFriends,
  FriendRequest,
  UpdateNetworks,
  NetworkList,
  ReadReceipt,
  JoinRequest,
  RoomInvite,
  UpdateNote,
  DeleteNote,
  FinishInit,
]);
export type Notification = z.infer<typeof Notification>;

export const NOTIFICATION_TYPES = Notification.options.map((o) => o.shape.type.value);
export type NotificationType = Notification['type'];
export type NotificationOf<T extends NotificationType> = Extract<Notification, { type: T }>;

/** The session's notification number: 1, 2, 3, … without gaps. */
export const NotificationSeq = z.int().positive();

/** What `ntf` carries. */
export const SequencedNotification = z.object({ seq: NotificationSeq }).and(Notification);
export type SequencedNotification = z.infer<typeof SequencedNotification>;
