import { type DynamicModule, Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { type Logger, RuntimeModule } from '@parley/runtime';
import { LoopbackHandlers } from './rooms/rooms.handlers';
import { RoomsModule } from './rooms/rooms.module';

@Module({})
export class AppModule {
  static register(config: { REDIS_URL: string }, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot({ app: 'loopback-parser', config, logger }), InboxModule.forConsumer({ inbox: 'loopbackparser', handlers: LoopbackHandlers, imports: [RoomsModule] })],
    };
  }
}
