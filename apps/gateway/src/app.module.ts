import { type DynamicModule, Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { type Logger, RuntimeModule } from '@parley/runtime';
import { WebController } from './web/web.controller';

@Module({})
export class AppModule {
  static register(config: { REDIS_URL: string }, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot({ app: 'gateway', config, logger }), InboxModule.forProducer()],
      controllers: [WebController],
    };
  }
}
