import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Server } from 'node:net';
import { logPing, type TakeoverHandler } from '@parley/inbox';
import type { InboxHandlers, InboxMessageOfType } from '@parley/protocol';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import { ConnectionsService } from './connections.service';
import { startIdentd } from './identd';

export interface IdentdConfig {
  /** 0: no identd. */
  IDENTD_PORT: number;
  HTTP_HOST: string;
}

/**
 * inbox:connectionmanager: connect, write and disconnect IRC sockets. Each returns at once: a
 * socket that takes long to come up never holds up the inbox.
 */
@Injectable()
export class ConnectionHandlers implements InboxHandlers<'connectionmanager'>, TakeoverHandler, OnApplicationBootstrap, OnApplicationShutdown {
  private identd: Server | undefined;

  constructor(
    private readonly connections: ConnectionsService,
    @Inject(APP_CONFIG) private readonly config: IdentdConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.IDENTD_PORT === 0) return;
    this.identd = await startIdentd(this.config.IDENTD_PORT, this.config.HTTP_HOST, (local, remote) => this.connections.byPorts(local, remote)?.username);
    this.logger.info({ port: this.config.IDENTD_PORT }, 'identd listening');
  }

  onApplicationShutdown(): void {
    this.identd?.close();
  }

  /** Users of a connection-manager that died, now this one's: irc-parser is told their sockets went. */
  usersTakenOver(userIds: number[]): Promise<void> {
    this.connections.lost(userIds);
    return Promise.resolve();
  }

  ping(message: InboxMessageOfType<'connectionmanager', 'ping'>): Promise<void> {
    return logPing(this.logger, 'connectionmanager', message);
  }

  connect(message: InboxMessageOfType<'connectionmanager', 'connect'>): Promise<void> {
    this.connections.connect(message);
    return Promise.resolve();
  }

  write(message: InboxMessageOfType<'connectionmanager', 'write'>): Promise<void> {
    this.connections.write(message);
    return Promise.resolve();
  }

  disconnect(message: InboxMessageOfType<'connectionmanager', 'disconnect'>): Promise<void> {
    this.connections.disconnect(message);
    return Promise.resolve();
  }
}
