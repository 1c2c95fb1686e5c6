import { Module } from '@nestjs/common';
import { AppsRepository } from '../saas/apps.repository';
import { ImQueue } from './im-queue';
import { GATEWAY_INSTANCE, gatewayInstanceProvider } from './instance';
import { SessionsRepository } from './sessions.repository';

/** The sessions' Redis side on its own, so accounts can end sessions without depending on sockets. */
@Module({ providers: [SessionsRepository, ImQueue, AppsRepository, gatewayInstanceProvider], exports: [SessionsRepository, ImQueue, AppsRepository, GATEWAY_INSTANCE] })
export class SessionStoreModule {}
