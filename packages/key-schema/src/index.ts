// `makeKey` stays out on purpose: only this package's builders may brand a string as a Key.
export type { Key, RedisType, StringKey, HashKey, ListKey, SetKey, ZsetKey } from './key';
export { BULLMQ_PREFIX, CLUSTER_HASH_TAG, CLUSTER_MODE, KEY_PREFIX, parseClusterSwitch } from './key';
export * from './encode';
export * from './casemapping';
export * from './mas';
export * from './anope';
export * from './im';
export * from './catalog';
export { crc16, keySlot } from './slot';
