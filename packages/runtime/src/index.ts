export * from './config';
export * from './logger';
export * from './readiness';
export * from './runtime.module';
export * from './bootstrap';
export * from './tokens';
export * from './time';
export { clusterSeeds, createRedisConnection, databaseOf, describeConnection, duplicateConnection, execOrThrow, nodeForKey, nodeName, nodesOf, pingRedis, redacted, type RedisConnection } from './redis.repository';
