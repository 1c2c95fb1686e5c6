import { Inject, Injectable } from '@nestjs/common';
import { logPing, notHandledYet } from '@parley/inbox';
import type { InboxHandlers, InboxMessageOfType } from '@parley/protocol';
import { type Logger, LOGGER } from '@parley/runtime';

const APP = 'connection-manager';

/** inbox:connectionmanager: connect, write and disconnect IRC sockets. Sockets arrive with issue 5. */
@Injectable()
export class ConnectionHandlers implements InboxHandlers<'connectionmanager'> {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  ping(message: InboxMessageOfType<'connectionmanager', 'ping'>): Promise<void> {
    return logPing(this.logger, 'connectionmanager', message);
  }

  connect = notHandledYet('connect commands are', APP);
  write = notHandledYet('write commands are', APP);
  disconnect = notHandledYet('disconnect commands are', APP);
}
