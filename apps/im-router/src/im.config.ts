import { env } from '@parley/runtime';
import { type z } from 'zod';

/** im-router's settings (environment variables; README's configuration table lists them). */
export const IM_CONFIG_SHAPE = {
  HEALTH_PORT: env.port(3204),
  /** Prefix of every IM key (the ouyunc seed's `ouyunc:im:`). */
  IM_KEY_PREFIX: env.imKeyPrefix(),
  IM_WORKER_CONCURRENCY: env.int(16, 1, 512),
  /** A job's lock: an im-router killed mid-job delays that job this long before another instance takes it again. */
  IM_JOB_LOCK_MS: env.int(30_000, 1_000, 600_000),
  /** How long a direct message's client id is remembered (a retry within it is not stored twice). */
  IM_CLIENT_MSG_TTL_S: env.int(86_400, 60, 30 * 86_400),
  /** Messages kept per 1on1 window (its history for the init burst and FETCH). */
  IM_WINDOW_BACKLOG: env.int(1_000, 10, 100_000),
  /** Entries kept per send, receive and failed timeline. */
  IM_TIMELINE_MAX: env.int(10_000, 100, 1_000_000),
  /** Entries kept per offline timeline. */
  IM_OFFLINE_MAX: env.int(1_000, 10, 100_000),
  /** How long a read receipt of a message is kept. */
  IM_RECEIPT_TTL_S: env.int(30 * 86_400, 60, 365 * 86_400),
  /** How long direct messages are kept (timelines, offline entries, 1on1 histories, failed entries). */
  IM_MESSAGE_TTL_S: env.int(90 * 86_400, 1, 10 * 365 * 86_400),
  /** A gateway silent this long (its heartbeat is SESSION_HEARTBEAT_MS) is reaped: its users are shown offline. */
  IM_GATEWAY_DEAD_MS: env.int(180_000, 1_000, 86_400_000),
  /** How often the expiry and cleanup jobs run (each once across all im-router instances). */
  IM_EXPIRY_INTERVAL_MS: env.int(3_600_000, 100, 7 * 86_400_000),
};

export type ImConfig = { [K in keyof typeof IM_CONFIG_SHAPE]: z.infer<(typeof IM_CONFIG_SHAPE)[K]> } & { REDIS_URL: string };
