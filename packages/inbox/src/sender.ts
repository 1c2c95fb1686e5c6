import type { RedisConnection as Redis } from '@parley/runtime';
import { inbox, type InboxName } from '@parley/key-schema';
import type { InboxMessage } from '@parley/protocol';

/**
 * The producing side of the courier: one LPUSH per call, however many messages. LPUSH puts its
 * arguments on the head one after the other and consumers pop the tail, so messages are handled
 * in the order given.
 */
export class InboxSender {
  constructor(private readonly redis: Redis) {}

  async send<N extends InboxName>(name: N, messages: InboxMessage<N> | readonly InboxMessage<N>[]): Promise<void> {
    const list = Array.isArray(messages) ? (messages as readonly InboxMessage<N>[]) : [messages as InboxMessage<N>];
    if (list.length === 0) return;
    // sentAt: when it was sent, unless the producer said (the consumer reports the oldest's age).
    const sentAt = Date.now();
    await this.redis.lpush(inbox(name), ...list.map((m) => JSON.stringify(m.sentAt === undefined ? { ...m, sentAt } : m)));
  }
}
