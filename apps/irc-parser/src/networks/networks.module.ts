import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '@parley/runtime';
import { loadNetworks } from './networks';

/** The networks users may use (`Map<name, NetworkDefinition>`), read once at start. */
export const NETWORKS = Symbol('NETWORKS');

@Global()
@Module({
  providers: [{ provide: NETWORKS, useFactory: (config: { IRC_NETWORKS_FILE?: string }) => loadNetworks(config.IRC_NETWORKS_FILE), inject: [APP_CONFIG] }],
  exports: [NETWORKS],
})
export class NetworksModule {}
