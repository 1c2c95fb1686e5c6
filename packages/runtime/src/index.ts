export * from './config';
export * from './logger';
export * from './readiness';
export * from './runtime.module';
export * from './bootstrap';
export * from './tokens';
export { createRedisConnection, pingRedis, redacted } from './redis.repository';
/** The Redis connection type, for code that hands the connection on (BullMQ) without using it. */
export type { default as RedisConnection } from 'ioredis';
