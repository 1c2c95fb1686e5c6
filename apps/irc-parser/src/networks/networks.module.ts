import { Global, Module } from '@nestjs/common';
import { LiveNetworks } from './networks.repository';

/**
 * The networks users may use (`Map<name, NetworkDefinition>`): the object store's `Network`
 * objects, seeded from IRC_NETWORKS_FILE on first start and followed live afterwards.
 */
export const NETWORKS = Symbol('NETWORKS');

@Global()
@Module({
  providers: [LiveNetworks, { provide: NETWORKS, useFactory: (live: LiveNetworks) => live.map, inject: [LiveNetworks] }],
  exports: [NETWORKS],
})
export class NetworksModule {}
