export * from './config';
export * from './logger';
export * from './readiness';
export * from './runtime.module';
export * from './bootstrap';
export * from './tokens';
export * from './time';
export { createRedisConnection, duplicateConnection, pingRedis, redacted, type RedisConnection } from './redis.repository';
