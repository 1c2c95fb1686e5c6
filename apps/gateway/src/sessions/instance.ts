import { randomBytes } from 'node:crypto';

/**
 * This gateway process among all of them (`<pid>-<random hex>`): sessions whose socket it holds
 * carry it in their `gateway` field, and its pub/sub channel `notify:gateway:<instance>` carries
 * their wake-ups and the answers of the requests it forwarded. One per application instance.
 */
export const GATEWAY_INSTANCE = Symbol('GATEWAY_INSTANCE');

export const gatewayInstanceProvider = {
  provide: GATEWAY_INSTANCE,
  useFactory: (): string => `${process.pid}-${randomBytes(4).toString('hex')}`,
};
