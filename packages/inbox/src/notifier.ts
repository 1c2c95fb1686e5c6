import type { RedisConnection as Redis } from '@parley/runtime';
import { GATEWAY_CHANNEL_PREFIX, outboxKeyPrefix, sessionKeyPrefix, sessionList } from '@parley/key-schema';
import type { Notification } from '@parley/protocol';
import { scripts } from './lua-script';

/** Entries an outbox may hold before it is cut and the session marked for a full re-init. */
export const DEFAULT_OUTBOX_MAX = 10_000;

/**
 * How every backend tells a user something: notifications appended to the outboxes of the user's
 * live sessions with their sequence numbers, in one atomic step (notify.lua), and a wake-up on
 * `notify:gateway:<instance>` for each gateway holding one of the sockets. The gateway delivers
 * and trims.
 */
export class Notifier {
  constructor(
    private readonly redis: Redis,
    private readonly outboxMax = DEFAULT_OUTBOX_MAX,
  ) {}

  /** To every session of the user, but `exceptSessionId` (the session whose own action it echoes). */
  notifyUser(userId: number, notifications: readonly Notification[], exceptSessionId = ''): Promise<string[]> {
    return this.run(userId, notifications, '', exceptSessionId);
  }

  /** To one session (an init burst, a request's own answer). */
  notifySession(userId: number, sessionId: string, notifications: readonly Notification[]): Promise<string[]> {
    return this.run(userId, notifications, sessionId, '');
  }

  private async run(userId: number, notifications: readonly Notification[], only: string, except: string): Promise<string[]> {
    if (notifications.length === 0) return [];
    const json = notifications.map((n) => {
      const s = JSON.stringify(n);
      // notify.lua splices `"seq":N,` after the opening brace.
      if (!s.startsWith('{"')) throw new Error(`a notification must be a non-empty object, got ${s.slice(0, 40)}`);
      return s;
    });
    return (await scripts.notify.run(
      this.redis,
      [sessionList(userId)],
      [sessionKeyPrefix(userId), outboxKeyPrefix(userId), GATEWAY_CHANNEL_PREFIX, this.outboxMax, only, except, ...json],
    )) as string[];
  }
}
