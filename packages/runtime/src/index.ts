export * from './config';
export * from './logger';
export * from './readiness';
export * from './runtime.module';
export * from './bootstrap';
export * from './tokens';
export * from './time';
export { createRedisConnection, duplicateConnection, execOrThrow, pingRedis, redacted, type RedisConnection } from './redis.repository';
