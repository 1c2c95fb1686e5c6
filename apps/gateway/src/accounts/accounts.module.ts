import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { AuthGuard } from './auth.guard';
import { ProfileController } from './profile.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { Mailer } from '../mail/mailer';
import { SessionStoreModule } from '../sessions/session-store.module';

@Module({
  imports: [SessionStoreModule],
  controllers: [AccountsController, ProfileController],
  providers: [AccountsRepository, AccountsService, Mailer, AuthGuard],
  exports: [AccountsService, AccountsRepository, AuthGuard],
})
export class AccountsModule {}
