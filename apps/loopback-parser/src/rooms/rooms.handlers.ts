import { Inject, Injectable } from '@nestjs/common';
import { logPing, notHandledYet } from '@parley/inbox';
import type { InboxHandlers, InboxMessageOfType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';

const APP = 'loopback-parser';

/** inbox:loopbackparser: rooms of the built-in network. Room commands arrive with issue 4. */
@Injectable()
export class LoopbackHandlers implements InboxHandlers<'loopbackparser'> {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  ping(message: InboxMessageOfType<'loopbackparser', 'ping'>): Promise<void> {
    return logPing(this.logger, 'loopbackparser', message);
  }

  request = notHandledYet('room requests are', APP);
  webhook = notHandledYet('room webhook posts are', APP);
}
