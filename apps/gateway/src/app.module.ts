import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { InboxModule } from '@parley/inbox';
import { type Logger, RuntimeModule } from '@parley/runtime';
import { AccountsModule } from './accounts/accounts.module';
import { SaasModule } from './saas/saas.module';
import { ApiErrorFilter } from './http/api-error.filter';
import { HttpSettings } from './http/http-settings';
import { SessionsModule } from './sessions/sessions.module';
import { WebClient } from './web/web-client';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static register(config: { REDIS_URL: string }, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot({ app: 'gateway', config, logger }), InboxModule.forProducer(), AccountsModule, SessionsModule, WebhooksModule, SaasModule],
      providers: [{ provide: APP_FILTER, useClass: ApiErrorFilter }, HttpSettings, WebClient],
    };
  }
}
