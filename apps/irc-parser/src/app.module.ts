import { type DynamicModule, Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { type Logger, RuntimeModule } from '@parley/runtime';
import type { IrcParserConfig } from './config';
import { IrcRequests } from './irc/irc-requests.service';
import { IrcParserHandlers } from './irc/irc.handlers';
import { IrcRepository } from './irc/irc.repository';
import { IrcService } from './irc/irc.service';
import { RetryPoller } from './irc/retry.service';
import { NetworksModule } from './networks/networks.module';

@Module({
  imports: [InboxModule.forProducer()],
  providers: [IrcRepository, IrcService, IrcRequests, RetryPoller],
  exports: [IrcService, IrcRequests],
})
class IrcModule {}

@Module({})
export class AppModule {
  static register(config: IrcParserConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot({ app: 'irc-parser', config, logger }),
        NetworksModule,
        InboxModule.forConsumer({ inbox: 'ircparser', handlers: IrcParserHandlers, imports: [IrcModule] }),
      ],
    };
  }
}
