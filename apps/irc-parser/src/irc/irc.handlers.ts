import { Inject, Injectable } from '@nestjs/common';
import { answerNotAvailable, logPing, notHandledYet, RequestReplies } from '@parley/inbox';
import type { InboxHandlers, InboxMessageOfType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';

const APP = 'irc-parser';

/** inbox:ircparser: lines and events from connection-manager, and IRC requests from the gateway. */
@Injectable()
export class IrcParserHandlers implements InboxHandlers<'ircparser'> {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly replies: RequestReplies,
  ) {}

  ping(message: InboxMessageOfType<'ircparser', 'ping'>): Promise<void> {
    return logPing(this.logger, 'ircparser', message);
  }

  connected = notHandledYet('connected events are', APP);
  data = notHandledYet('IRC lines are', APP);
  disconnected = notHandledYet('disconnected events are', APP);
  restarted = notHandledYet('restarted events are', APP);
  noconnection = notHandledYet('noconnection events are', APP);
  /** Client requests: answered NOT_AVAILABLE until this app handles them (the path is real end to end). */
  request(message: InboxMessageOfType<'ircparser', 'request'>): Promise<void> {
    const { userId, sessionId, requestId, gateway } = message;
    return answerNotAvailable(this.replies, APP, { userId, sessionId, requestId, gateway }, message.request.id);
  }
}
