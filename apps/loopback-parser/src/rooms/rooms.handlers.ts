import { Inject, Injectable } from '@nestjs/common';
import { logPing } from '@parley/inbox';
import type { InboxHandlers, InboxMessageOfType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';
import { RoomsService } from './rooms.service';

/** inbox:loopbackparser: rooms of the built-in network. */
@Injectable()
export class LoopbackHandlers implements InboxHandlers<'loopbackparser'> {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly rooms: RoomsService,
  ) {}

  ping(message: InboxMessageOfType<'loopbackparser', 'ping'>): Promise<void> {
    return logPing(this.logger, 'loopbackparser', message);
  }

  /** Client requests on rooms: each answered once, with the room changed and its members told. */
  request(message: InboxMessageOfType<'loopbackparser', 'request'>): Promise<void> {
    return this.rooms.handle(message);
  }
  /** A post with the room's API key, checked by the gateway. */
  webhook(message: InboxMessageOfType<'loopbackparser', 'webhook'>): Promise<void> {
    return this.rooms.webhook(message.group, message.text);
  }
}
