import { type DynamicModule, Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { type Logger, RuntimeModule } from '@parley/runtime';
import type { ImConfig } from './im.config';
import { ImHandlers } from './im/im.handlers';
import { ImRepository } from './im/im.repository';
import { ImWorker } from './im/im.worker';

@Module({})
export class AppModule {
  static register(config: ImConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      // The producer module brings RequestReplies and Notifier (im-router consumes no inbox).
      imports: [RuntimeModule.forRoot({ app: 'im-router', config, logger }), InboxModule.forProducer()],
      providers: [ImRepository, ImHandlers, ImWorker],
    };
  }
}
