/**
 * What travels on the gateways' pub/sub channels, between the apps that change what a user sees
 * and the gateways that hold the users' sockets: `notify:gateway:<instance>` (one gateway: wake-ups
 * of the sessions it holds, one message per change however many sessions it reaches, and the
 * answers of the requests it forwarded) and `notify:gateways` (every gateway: `terminate`,
 * `detach`). Pub/sub is only a wake-up: everything it points at is stored first (outbox entries,
 * request answers, ended sessions), so a lost message delays delivery until the next wake or
 * reconnect but loses nothing.
 */
import { z } from 'zod';
import { SessionId, UpperSnake } from './common';
import { RequestResponse } from './requests';

/** The answer of request `requestId` of a session is stored; `answer` is that answer. */
export const AnnouncedAnswer = z.object({ sessionId: SessionId, requestId: z.string().min(1).max(128), answer: RequestResponse });
export type AnnouncedAnswer = z.infer<typeof AnnouncedAnswer>;

export const NotifyMessage = z.union([
  /**
   * What one change means to one gateway: new outbox entries for these sessions (`wake`), and the
   * answers of requests it forwarded (`replies`); at least one of the two.
   */
  z
    .object({ wake: z.array(SessionId).min(1).optional(), replies: z.array(AnnouncedAnswer).min(1).optional() })
    .strict()
    .refine((m) => m.wake !== undefined || m.replies !== undefined, 'expected wake or replies'),
  /** These sessions are over: emit `terminate` and close their sockets. */
  z.object({ terminate: z.object({ sessionIds: z.array(SessionId).min(1), code: UpperSnake, reason: z.string().max(500) }) }),
  /** A socket took this session over: any other socket holding it lets go (without ending it). */
  z.object({ detach: z.object({ sessionId: SessionId, holder: z.string().min(1).max(200) }) }),
]);
export type NotifyMessage = z.infer<typeof NotifyMessage>;
