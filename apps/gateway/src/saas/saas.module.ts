import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { SessionStoreModule } from '../sessions/session-store.module';
import { AppsController } from './apps.controller';
import { AppsService } from './apps.service';

/** SaaS apps: their users' signed logins (the connections are counted where sessions start). */
@Module({ imports: [AccountsModule, SessionStoreModule], controllers: [AppsController], providers: [AppsService] })
export class SaasModule {}
