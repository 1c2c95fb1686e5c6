import { Inject, Injectable } from '@nestjs/common';
import { logPing, notHandledYet } from '@parley/inbox';
import type { InboxHandlers, InboxMessageOfType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';

const APP = 'irc-parser';

/** inbox:ircparser: lines and events from connection-manager, and IRC requests from the gateway. */
@Injectable()
export class IrcParserHandlers implements InboxHandlers<'ircparser'> {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  ping(message: InboxMessageOfType<'ircparser', 'ping'>): Promise<void> {
    return logPing(this.logger, 'ircparser', message);
  }

  connected = notHandledYet('connected events are', APP);
  data = notHandledYet('IRC lines are', APP);
  disconnected = notHandledYet('disconnected events are', APP);
  restarted = notHandledYet('restarted events are', APP);
  noconnection = notHandledYet('noconnection events are', APP);
  request = notHandledYet('IRC requests are', APP);
}
