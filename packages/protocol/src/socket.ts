/**
 * The socket.io contract (default namespace, path `/socket.io`). The event maps type both the
 * gateway's `Server<ClientToServerEvents, ServerToClientEvents>` and the client package's
 * `Socket<ServerToClientEvents, ClientToServerEvents>`; the payload schemas are still applied on
 * receipt, because a type is a promise, not a check.
 */
import { z } from 'zod';
import { SessionId, UpperSnake, UserId, keyMirror } from './common';
import { type SequencedNotification } from './notifications';
import { type Assert, type Equal } from './internal';
import { type AnyRequestResponse, type ClientRequest } from './requests';

export const SOCKET_EVENTS = {
  INIT: 'init',
  NTF: 'ntf',
  NTFS: 'ntfs',
  ACK: 'ack',
  REQ: 'req',
  TERMINATE: 'terminate',
} as const;
export type SocketEventName = (typeof SOCKET_EVENTS)[keyof typeof SOCKET_EVENTS];

export const MAX_BACKLOG_MSGS = 1000;

export const InitPayload = z.object({
  /** Free text naming the client program, for logs and session lists. */
  clientName: z.string().min(1).max(64),
  /** With `lastSeq`: resume this session. */
  sessionId: SessionId.optional(),
  /** The last notification `seq` the client has seen (0: none). */
  lastSeq: z.int().nonnegative().optional(),
  /** How many messages per window the init burst carries. */
  maxBacklogMsgs: z.int().min(0).max(MAX_BACKLOG_MSGS).optional(),
  /**
   * Extends protocol.md: deliver notifications in batches on `ntfs` (a JSON array of what `ntf`
   * carries, in order) instead of one `ntf` each: one frame per batch, for busy clients.
   */
  batch: z.boolean().optional(),
  /** Extends protocol.md: the kind of device (default `web`); the user's device policy may allow one session per kind. */
  deviceType: z.enum(['web', 'desktop', 'mobile']).optional(),
  /**
   * Extends protocol.md: with a new session, the session this client had before (a reloaded
   * page): it is ended at once if no socket holds it, instead of idling toward the session cap.
   */
  replaces: SessionId.optional(),
});
export type InitPayload = z.infer<typeof InitPayload>;

/** TOO_MANY_CONNECTIONS: a SaaS app's user, and the app has its maximum of live sessions. */
export const INIT_ERROR_CODES = keyMirror('BAD_REQUEST', 'UNAUTHORIZED', 'ALREADY_INITIALIZED', 'INTERNAL', 'TOO_MANY_CONNECTIONS');

export const InitAck = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('OK'),
    sessionId: SessionId,
    userId: UserId,
    resumed: z.boolean(),
    /**
     * Extends protocol.md: the login token is rotated on every new session of a socket that
     * authenticated with `auth.token`; this is the new one (the old one stops working shortly).
     * A cookie-authenticated socket gets its new token as a cookie instead, never here.
     */
    token: z.string().min(20).max(200).optional(),
  }),
  // Any UPPER_SNAKE code, so an older client survives a new one; INIT_ERROR_CODES are the known ones.
  z.object({ status: z.literal('ERROR'), code: UpperSnake }),
]);
export type InitAck = z.infer<typeof InitAck>;

/** Every notification up to and including `seq` has arrived. */
export const AckPayload = z.object({ seq: z.int().positive() });
export type AckPayload = z.infer<typeof AckPayload>;

/**
 * Why a session ends. Extends protocol.md with RESYNC (the client stopped acknowledging and its
 * outbox was cut: start a new session), PASSWORD_CHANGED, and REMOTE_LOGIN (a new login on the
 * same kind of device, under the user's one-per-kind device policy), REPLACED (the page that had
 * the session was reloaded and its new session took over; sent only if a socket still listened).
 */
export const TERMINATE_CODES = keyMirror('LOGOUT', 'EXPIRED', 'TOO_MANY_SESSIONS', 'ACCOUNT_REMOVED', 'RESYNC', 'PASSWORD_CHANGED', 'REMOTE_LOGIN', 'REPLACED');
export type TerminateCode = keyof typeof TERMINATE_CODES;

export const TerminatePayload = z.object({ code: UpperSnake, reason: z.string() });
export type TerminatePayload = z.infer<typeof TerminatePayload>;

export interface ServerToClientEvents {
  ntf: (notification: SequencedNotification) => void;
  /** With `batch: true` at init: the text of a JSON array of sequenced notifications, in order. */
  ntfs: (batch: string) => void;
  terminate: (payload: TerminatePayload) => void;
}

export interface ClientToServerEvents {
  init: (payload: InitPayload, ack: (result: InitAck) => void) => void;
  ack: (payload: AckPayload) => void;
  req: (request: ClientRequest, ack: (response: AnyRequestResponse) => void) => void;
}

// The maps must use exactly the constants' names: a renamed constant fails compilation here.
type _EventNamesMatch = Assert<Equal<keyof ServerToClientEvents | keyof ClientToServerEvents, SocketEventName>>;
