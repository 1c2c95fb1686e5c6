import { type DynamicModule, Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { type Logger, RuntimeModule } from '@parley/runtime';
import { ImHandlers } from './jobs/im.handlers';
import { ImWorker } from './jobs/im.worker';

@Module({})
export class AppModule {
  static register(config: { REDIS_URL: string; IM_WORKER_CONCURRENCY: number }, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      // The producer module brings RequestReplies and Notifier (im-router consumes no inbox).
      imports: [RuntimeModule.forRoot({ app: 'im-router', config, logger }), InboxModule.forProducer()],
      providers: [ImHandlers, ImWorker],
    };
  }
}
