import { Inject, Injectable } from '@nestjs/common';
import { logPing } from '@parley/inbox';
import type { InboxHandlers, InboxMessageOfType, InboxMessageType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';
import { IrcRequests } from './irc-requests.service';
import { IrcService } from './irc.service';

type M<T extends InboxMessageType<'ircparser'>> = InboxMessageOfType<'ircparser', T>;

/** inbox:ircparser: lines and events from connection-manager, and IRC requests from the gateway (a user's in order). */
@Injectable()
export class IrcParserHandlers implements InboxHandlers<'ircparser'> {
  constructor(
    private readonly irc: IrcService,
    private readonly requests: IrcRequests,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  ping(message: M<'ping'>): Promise<void> {
    return logPing(this.logger, 'ircparser', message);
  }

  connected(message: M<'connected'>): Promise<void> {
    return this.irc.connected(message);
  }

  data(message: M<'data'>): Promise<void> {
    return this.irc.data(message);
  }

  disconnected(message: M<'disconnected'>): Promise<void> {
    return this.irc.disconnected(message);
  }

  noconnection(message: M<'noconnection'>): Promise<void> {
    return this.irc.disconnected(message);
  }

  restarted(): Promise<void> {
    return this.irc.restarted();
  }

  request(message: M<'request'>): Promise<void> {
    return this.requests.handle(message);
  }
}
