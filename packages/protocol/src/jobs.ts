/**
 * The BullMQ queue of im-router: job name → payload schema. A job's name is its discriminator
 * (BullMQ carries it beside the data), so payloads have no `type`; each has `v: 1`, and `userId`
 * of the acting user unless it is a scheduled job that acts for nobody.
 */
import { z } from 'zod';
import { ClientMsgId, GatewayInstance, Gid, MessageText, Nick, SessionId, TraceId, UserId, V1, WindowId } from './common';
import { FETCH_LIMIT_MAX } from './requests';
import { type Assert, type Equal } from './internal';
import { type ParseResult, parseWith } from './parse';

export const IM_ROUTER_QUEUE = 'im-router';

export const IM_JOB_NAMES = [
  'REQUEST_FRIEND',
  'FRIEND_VERDICT',
  'REMOVE_FRIEND',
  'BLOCK',
  'UNBLOCK',
  'CHAT',
  'SEND_DIRECT',
  'READ',
  'FETCH_DIRECT',
  'CLOSE_DIRECT',
  'OFFLINE_DELIVERED',
  'SESSION_STARTED',
  'SESSION_ENDED',
  'PRESENCE_CHECK',
  'EXPIRE_MESSAGES',
  'CLEAN_OFFLINE',
] as const;
export type ImJobName = (typeof IM_JOB_NAMES)[number];

const RequestId = z.string().min(1).max(128);
const absent = z.undefined().optional();

/**
 * Where the answer of the client request behind a job goes: the session's request `requestId`
 * (the gateway's handle, the request's `seq`), announced to the gateway that forwarded it.
 * im-router answers it with packages/inbox's `RequestReplies`; that gateway relays it to the socket.
 */
/** Where a job's answer goes; `traceId` (the gateway's, for the request) ties the job's log lines to it. */
export const ReplyTo = z.object({ sessionId: SessionId, requestId: RequestId, gateway: GatewayInstance, traceId: TraceId.optional() });
export type ReplyTo = z.infer<typeof ReplyTo>;

/** The other user of a friend or block job. */
const TargetUser = { userId: UserId, targetUserId: UserId };

export const IM_JOB_SCHEMAS = {
  /** Follows the target's auto-answer policy; by nick when the client named a nick. */
  REQUEST_FRIEND: z.object({
    v: V1,
    userId: UserId,
    target: z.union([z.object({ userId: UserId, nick: absent }), z.object({ nick: Nick, userId: absent })]),
    replyTo: ReplyTo,
  }),
  /** `userId` answers the request that `requesterId` made. */
  FRIEND_VERDICT: z.object({ v: V1, userId: UserId, requesterId: UserId, allow: z.boolean(), replyTo: ReplyTo }),
  REMOVE_FRIEND: z.object({ v: V1, ...TargetUser, replyTo: ReplyTo }),
  BLOCK: z.object({ v: V1, ...TargetUser, replyTo: ReplyTo }),
  UNBLOCK: z.object({ v: V1, ...TargetUser, replyTo: ReplyTo }),
  /** Opens (or finds) the 1on1 window. */
  CHAT: z.object({ v: V1, userId: UserId, targetUserId: UserId, replyTo: ReplyTo }),
  /** A SEND in a 1on1 window; `clientMsgId` makes a retried send store once. */
  SEND_DIRECT: z.object({
    v: V1,
    userId: UserId,
    replyTo: ReplyTo,
    targetUserId: UserId,
    text: MessageText.min(1),
    clientMsgId: ClientMsgId,
  }),
  /** Moves `userId`'s read watermark in the conversation with `peerUserId`. */
  READ: z.object({ v: V1, userId: UserId, peerUserId: UserId, gid: Gid, replyTo: ReplyTo }),
  /** A page of the conversation in the 1on1 window `windowId` (FETCH's fields). */
  FETCH_DIRECT: z.object({
    v: V1,
    userId: UserId,
    windowId: WindowId,
    beforeGid: Gid.optional(),
    afterGid: Gid.optional(),
    limit: z.int().positive().max(FETCH_LIMIT_MAX),
    replyTo: ReplyTo,
  }),
  /** Closes the user's 1on1 window (the conversation and the peer's window stay). */
  CLOSE_DIRECT: z.object({ v: V1, userId: UserId, windowId: WindowId, replyTo: ReplyTo }),
  /**
   * A session of `userId` acknowledged the init burst that carried their offline messages, up to
   * the offline timeline's score `upTo`: those leave the timeline (delivered once).
   */
  OFFLINE_DELIVERED: z.object({ v: V1, userId: UserId, upTo: z.number().nonnegative() }),
  /** Presence: the first session makes the user online, the last one ending makes them offline. */
  SESSION_STARTED: z.object({
    v: V1,
    userId: UserId,
    sessionId: SessionId,
    /** The session's device, for the user's login hash (`im:user:login:<userId>`). */
    device: z.object({ type: z.enum(['web', 'desktop', 'mobile']), ip: z.string().max(64), gateway: GatewayInstance, loginAt: z.int().nonnegative() }).optional(),
  }),
  SESSION_ENDED: z.object({ v: V1, userId: UserId, sessionId: SessionId }),
  /** A session of the user was resumed or lost its socket: is the user still (or again) online? */
  PRESENCE_CHECK: z.object({ v: V1, userId: UserId }),
  /** Scheduled: drops direct messages older than the configured lifetime. */
  EXPIRE_MESSAGES: z.object({ v: V1 }),
  /** Scheduled: trims offline timelines and presence left by crashed sessions. */
  CLEAN_OFFLINE: z.object({ v: V1 }),
} as const satisfies Record<ImJobName, z.ZodObject<{ v: typeof V1 }>>;

// The names list and the schema map must agree both ways.
type _NamesMatch = Assert<Equal<keyof typeof IM_JOB_SCHEMAS, ImJobName>>;

export type ImJobPayload<N extends ImJobName> = z.infer<(typeof IM_JOB_SCHEMAS)[N]>;

/** A job as a handler sees it: the name discriminates the data. */
export type ImJob = { [N in ImJobName]: { name: N; data: ImJobPayload<N> } }[ImJobName];

/** One async handler per job name: a processor that misses a job does not compile. */
export type ImJobHandlers = { [N in ImJobName]: (data: ImJobPayload<N>) => Promise<void> };

function isImJobName(name: string): name is ImJobName {
  return (IM_JOB_NAMES as readonly string[]).includes(name);
}

/** Checks a job taken from the queue; the error is meant for the job's failure reason. */
export function parseImJob(name: string, data: unknown): ParseResult<ImJob> {
  if (!isImJobName(name)) return { ok: false, error: `unknown job name ${JSON.stringify(name)}` };
  const parsed = parseWith(IM_JOB_SCHEMAS[name], data);
  if (!parsed.ok) return { ok: false, error: `${name}: ${parsed.error}` };
  // The schema was chosen by `name`, so the pair is consistent; TypeScript cannot see that.
  return { ok: true, value: { name, data: parsed.value } as ImJob };
}

/** Calls the handler of `job.name`. */
export function dispatchImJob(handlers: ImJobHandlers, job: ImJob): Promise<void> {
  // Same correlation TypeScript cannot follow as in parseImJob; ImJobHandlers guarantees it.
  const handler = handlers[job.name] as (data: ImJob['data']) => Promise<void>;
  // Called on the handler object: class methods use `this`.
  return handler.call(handlers, job.data);
}

// ---- the gateway's own queue ----

/** BullMQ queue of the gateway's scheduled work; a job scheduler runs each once across gateways. */
export const GATEWAY_QUEUE = 'gateway';
export const GATEWAY_JOB_NAMES = ['EXPIRE_SESSIONS'] as const;
export type GatewayJobName = (typeof GATEWAY_JOB_NAMES)[number];
