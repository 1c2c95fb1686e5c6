import { Module } from '@nestjs/common';
import { SessionsRepository } from './sessions.repository';

/** The sessions' Redis side on its own, so accounts can end sessions without depending on sockets. */
@Module({ providers: [SessionsRepository], exports: [SessionsRepository] })
export class SessionStoreModule {}
