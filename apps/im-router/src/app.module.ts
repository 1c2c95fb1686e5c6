import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger, RuntimeModule } from '@parley/runtime';
import { ImHandlers } from './jobs/im.handlers';
import { ImWorker } from './jobs/im.worker';

@Module({})
export class AppModule {
  static register(config: { REDIS_URL: string; IM_WORKER_CONCURRENCY: number }, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot({ app: 'im-router', config, logger })],
      providers: [ImHandlers, ImWorker],
    };
  }
}
