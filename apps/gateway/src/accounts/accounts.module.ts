import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { Mailer } from '../mail/mailer';

@Module({
  controllers: [AccountsController],
  providers: [AccountsRepository, AccountsService, Mailer],
  exports: [AccountsService],
})
export class AccountsModule {}
