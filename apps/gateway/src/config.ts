import { env } from '@parley/runtime';

/** The gateway's own environment (on top of the runtime's base settings). */
export const gatewayConfigShape = {
  GATEWAY_PORT: env.port(3200),
  /** How long a login token lives. */
  TOKEN_TTL_MS: env.int(30 * 24 * 3600 * 1000, 60_000),
  LOGIN_LIMIT_WINDOW_MS: env.int(15 * 60 * 1000, 1_000),
  LOGIN_LIMIT_PER_IP: env.int(30, 1),
  LOGIN_LIMIT_PER_ACCOUNT: env.int(10, 1),
};
