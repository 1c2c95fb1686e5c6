import type { RedisConnection as Redis } from '@parley/runtime';
import { gatewayChannel, sessionReplies, USER_KEY_PREFIXES } from '@parley/key-schema';
import type { AnyRequestResponse, RequestErrorCode } from '@parley/protocol';
import { scripts } from './lua-script';
import { DEFAULT_OUTBOX_MAX } from './notifier';

/** What `sessionreplies` holds while a request is being handled: `P` and the claim time (ms). */
export const PENDING_PREFIX = 'P';

/** A claimed request's state as stored: waiting (since `claimedAt`) or answered. */
export type StoredReply = { pending: true; claimedAt: number } | { pending: false; answer: AnyRequestResponse };

export function parseStoredReply(value: string): StoredReply {
  if (value.startsWith(PENDING_PREFIX)) return { pending: true, claimedAt: Number(value.slice(PENDING_PREFIX.length)) || 0 };
  return { pending: false, answer: JSON.parse(value) as AnyRequestResponse };
}

/** Where a request's answer goes: one request of one session, and the gateway that forwarded it. */
export interface ReplyAddress {
  userId: number;
  sessionId: string;
  requestId: string;
  /** The forwarding gateway's instance: the answer is announced on its channel. */
  gateway: string;
}

/**
 * What a backend's Lua script gets as `A.R` (lib/request.lua): where it stores the answer of the
 * request and which gateway it announces it to.
 */
export function scriptReplyTarget(to: ReplyAddress): { replies: string; requestId: string; channel: string; sessionId: string } {
  return { replies: sessionReplies(to.userId, to.sessionId), requestId: to.requestId, channel: gatewayChannel(to.gateway), sessionId: to.sessionId };
}

/** What a backend's Lua script gets as `A.P`: the key prefixes of users' keys, and the outbox bound. */
export const SCRIPT_KEY_PREFIXES = { ...USER_KEY_PREFIXES, max: DEFAULT_OUTBOX_MAX };

/**
 * How the owner of a client request answers it. The gateway claimed the request's seq (a pending
 * entry in `sessionreplies`) before handing it over; `answer` stores the answer there once and
 * tells the forwarding gateway, which acks the socket. A request delivered twice (a backend killed mid-batch)
 * finds its answer stored: `isPending` is false, and the owner does not redo it.
 */
export class RequestReplies {
  constructor(private readonly redis: Redis) {}

  /** Stores the answer; false when the request was not waiting (answered already, or its session ended). */
  async answer(to: ReplyAddress, answer: AnyRequestResponse): Promise<boolean> {
    const stored = await scripts.answer.run(
      this.redis,
      [sessionReplies(to.userId, to.sessionId)],
      [to.requestId, JSON.stringify(answer), gatewayChannel(to.gateway), to.sessionId],
    );
    return stored === 1;
  }

  /** Answers with an error. */
  fail(to: ReplyAddress, code: RequestErrorCode, message: string): Promise<boolean> {
    return this.answer(to, { status: 'ERROR', code, message });
  }

  /** True while the request waits for its answer: its owner should (still) handle it. */
  async isPending(to: ReplyAddress): Promise<boolean> {
    const value = await this.redis.hget(sessionReplies(to.userId, to.sessionId), to.requestId);
    return value !== null && value.startsWith(PENDING_PREFIX);
  }
}

/**
 * The `request` handler of a backend that does not handle client requests yet: each gets the
 * answer `NOT_AVAILABLE` (once: a redelivered request finds its answer stored).
 */
export async function answerNotAvailable(replies: RequestReplies, app: string, to: ReplyAddress, requestName: string): Promise<void> {
  await replies.fail(to, 'NOT_AVAILABLE', `${requestName} is not available yet: ${app} does not handle it in this version`);
}
