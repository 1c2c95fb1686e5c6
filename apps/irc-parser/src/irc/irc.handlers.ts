import { Inject, Injectable } from '@nestjs/common';
import { type GroupHandler, logPing } from '@parley/inbox';
import { dispatchInboxMessage, type InboxHandlers, type InboxMessage, type InboxMessageOfType, type InboxMessageType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';
import { IrcRequests } from './irc-requests.service';
import { IrcService } from './irc.service';

type M<T extends InboxMessageType<'ircparser'>> = InboxMessageOfType<'ircparser', T>;

/** inbox:ircparser: lines and events from connection-manager, and IRC requests from the gateway (a user's in order). */
@Injectable()
export class IrcParserHandlers implements InboxHandlers<'ircparser'>, GroupHandler<InboxMessage<'ircparser'>> {
  constructor(
    private readonly irc: IrcService,
    private readonly requests: IrcRequests,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** One user's share of a batch, in order: runs of lines go to dataMany together, anything else one by one. */
  async handleGroup(messages: InboxMessage<'ircparser'>[]): Promise<void> {
    for (let i = 0; i < messages.length; ) {
      const run: M<'data'>[] = [];
      for (let m = messages[i]; m?.type === 'data'; m = messages[++i]) run.push(m);
      if (run.length > 0) await this.irc.dataMany(run);
      else await dispatchInboxMessage<'ircparser'>(this, messages[i++]!);
    }
  }

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

  sent(message: M<'sent'>): Promise<void> {
    return this.irc.sent(message);
  }

  noconnection(message: M<'noconnection'>): Promise<void> {
    return this.irc.disconnected(message);
  }

  active(message: M<'active'>): Promise<void> {
    return this.irc.active(message.userId);
  }

  restarted(): Promise<void> {
    return this.irc.restarted();
  }

  lost(message: M<'lost'>): Promise<void> {
    return this.irc.lost(message.userId);
  }

  request(message: M<'request'>): Promise<void> {
    return this.requests.handle(message);
  }
}
