import { Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { AccountsModule } from '../accounts/accounts.module';
import { RequestsService } from '../requests/requests.service';
import { Delivery } from './delivery';
import { SessionExpiry } from './expiry.job';
import { GatewayMetrics } from './metrics';
import { NetworkList } from './network-list.repository';
import { SessionStoreModule } from './session-store.module';
import { SessionsService } from './sessions.service';
import { SocketServer } from './socket.server';

/** socket.io sessions: init and resume, outbox delivery, requests, expiry. */
@Module({
  imports: [AccountsModule, SessionStoreModule, InboxModule.forProducer()],
  providers: [GatewayMetrics, Delivery, NetworkList, SessionsService, RequestsService, SessionExpiry, SocketServer],
})
export class SessionsModule {}
