import { Inject, Injectable } from '@nestjs/common';
import { answerNotAvailable, logPing, notHandledYet, RequestReplies } from '@parley/inbox';
import type { InboxHandlers, InboxMessageOfType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';

const APP = 'loopback-parser';

/** inbox:loopbackparser: rooms of the built-in network. Room commands arrive with issue 4. */
@Injectable()
export class LoopbackHandlers implements InboxHandlers<'loopbackparser'> {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly replies: RequestReplies,
  ) {}

  ping(message: InboxMessageOfType<'loopbackparser', 'ping'>): Promise<void> {
    return logPing(this.logger, 'loopbackparser', message);
  }

  /** Client requests: answered NOT_AVAILABLE until this app handles them (the path is real end to end). */
  request(message: InboxMessageOfType<'loopbackparser', 'request'>): Promise<void> {
    const { userId, sessionId, requestId } = message;
    return answerNotAvailable(this.replies, APP, { userId, sessionId, requestId }, message.request.id);
  }
  webhook = notHandledYet('room webhook posts are', APP);
}
