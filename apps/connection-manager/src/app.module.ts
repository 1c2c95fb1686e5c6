import { type DynamicModule, Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { type Logger, RuntimeModule } from '@parley/runtime';
import { ConnectionHandlers } from './connections/connections.handlers';
import { ConnectionsService } from './connections/connections.service';
import type { ConnectionManagerConfig } from './config';

@Module({ imports: [InboxModule.forProducer()], providers: [ConnectionsService], exports: [ConnectionsService] })
class ConnectionsModule {}

@Module({})
export class AppModule {
  static register(config: ConnectionManagerConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot({ app: 'connection-manager', config, logger }),
        // Sticky: a user's messages go to the instance that took them (it holds their sockets).
        InboxModule.forConsumer({ inbox: 'connectionmanager', handlers: ConnectionHandlers, imports: [ConnectionsModule], sticky: true }),
      ],
    };
  }
}
