import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { AuthGuard } from './auth.guard';
import { ProfileController } from './profile.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { Mailer } from '../mail/mailer';

@Module({
  controllers: [AccountsController, ProfileController],
  providers: [AccountsRepository, AccountsService, Mailer, AuthGuard],
  exports: [AccountsService, AuthGuard],
})
export class AccountsModule {}
