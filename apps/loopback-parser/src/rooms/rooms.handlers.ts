import { Inject, Injectable } from '@nestjs/common';
import { logPing } from '@parley/inbox';
import type { GroupHandler } from '@parley/inbox';
import { dispatchInboxMessage, type InboxHandlers, type InboxMessage, type InboxMessageOfType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';
import { RoomsService } from './rooms.service';

/** inbox:loopbackparser: rooms of the built-in network. */
@Injectable()
export class LoopbackHandlers implements InboxHandlers<'loopbackparser'>, GroupHandler<InboxMessage<'loopbackparser'>> {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly rooms: RoomsService,
  ) {}

  ping(message: InboxMessageOfType<'loopbackparser', 'ping'>): Promise<void> {
    return logPing(this.logger, 'loopbackparser', message);
  }

  /**
   * One user's share of a batch, in order: runs of SENDs are pipelined (their scripts issued back
   * to back, then awaited together: the connection keeps their order), anything else one at a time.
   */
  async handleGroup(messages: InboxMessage<'loopbackparser'>[]): Promise<void> {
    for (let i = 0; i < messages.length; ) {
      const run: InboxMessageOfType<'loopbackparser', 'request'>[] = [];
      for (let m = messages[i]; m?.type === 'request' && m.request.id === 'SEND'; m = messages[++i]) run.push(m);
      if (run.length > 0) await this.rooms.sendMany(run);
      else await dispatchInboxMessage<'loopbackparser'>(this, messages[i++]!);
    }
  }

  /** Client requests on rooms: each answered once, with the room changed and its members told. */
  request(message: InboxMessageOfType<'loopbackparser', 'request'>): Promise<void> {
    return this.rooms.handle(message);
  }
  /** A post with the room's API key, checked by the gateway. */
  webhook(message: InboxMessageOfType<'loopbackparser', 'webhook'>): Promise<void> {
    return this.rooms.webhook(message.group, message.text, message.bot, message.action);
  }
}
