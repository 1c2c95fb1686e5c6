import { Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { AccountsModule } from '../accounts/accounts.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';

@Module({
  imports: [AccountsModule, InboxModule.forProducer()],
  controllers: [WebhooksController],
  providers: [WebhooksRepository],
})
export class WebhooksModule {}
