import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { baseConfigShape, env } from '@parley/runtime';
import { z } from 'zod';

/**
 * The web client's build in this checkout, `apps/web/dist`: next to the gateway's own folder (the
 * nearest one above `from` holding a package.json, i.e. `apps/gateway` whether this file runs
 * compiled from `dist/` or from `src/` under Jest). Only read at runtime; nothing is imported.
 */
export function defaultWebDir(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return resolve(dir, '..', 'web', 'dist');
    if (dirname(dir) === dir) return resolve(from, '..', '..', 'web', 'dist');
  }
}

/** The gateway's own environment (on top of the runtime's base settings). */
export const gatewayConfigShape = {
  GATEWAY_PORT: env.port(3200),
  /** How long a login token lives. */
  TOKEN_TTL_MS: env.int(30 * 24 * 3600 * 1000, 60_000),
  LOGIN_LIMIT_WINDOW_MS: env.int(15 * 60 * 1000, 1_000),
  LOGIN_LIMIT_PER_IP: env.int(30, 1),
  LOGIN_LIMIT_PER_ACCOUNT: env.int(10, 1),
  /** How long a password-reset link works (once). */
  RESET_TOKEN_TTL_MS: env.int(24 * 3600 * 1000, 60_000),
  RESET_LIMIT_WINDOW_MS: env.int(3600 * 1000, 1_000),
  RESET_LIMIT_PER_IP: env.int(10, 1),
  RESET_LIMIT_PER_ACCOUNT: env.int(3, 1),
  /** The address users reach Parley at, for links in e-mail. */
  PUBLIC_URL: z.url().default('http://localhost:3200'),
  /** smtp:// or smtps:// URL of a mail server; unset: e-mail is written to files under DATA_DIR/mail. */
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'expected an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('Parley <parley@localhost>'),
  /**
   * Express's `trust proxy` (true, a hop count, or addresses/subnets): set it behind a TLS proxy so
   * the cookie gets Secure and rate limits see the client's address. Unset: X-Forwarded-* ignored.
   */
  TRUST_PROXY: z.string().min(1).optional(),
  /** Parallel sessions per user; a new one past this ends the oldest (TOO_MANY_SESSIONS). */
  SESSION_MAX_PER_USER: env.int(8, 1, 1000),
  /** A session with no connected socket for this long is removed (outbox and all). */
  SESSION_IDLE_TTL_MS: env.int(6 * 3600 * 1000, 1_000),
  /** How often the expiry job runs (once across all gateways). */
  SESSION_EXPIRY_INTERVAL_MS: env.int(60_000, 100),
  /** How often a gateway marks the sessions of its connected sockets as active. */
  SESSION_HEARTBEAT_MS: env.int(60_000, 100),
  /** How long a request waits for its backend before the client is told TIMEOUT (it still runs once). */
  REQUEST_TIMEOUT_MS: env.int(10_000, 100),
  /** Answers kept per session for repeated requests. */
  REQUEST_REPLIES_KEPT: env.int(256, 1, 100_000),
  /** Notifications sent to a socket and not yet acknowledged, at most (then delivery waits for an ack). */
  OUTBOX_WINDOW: env.int(2_000, 10, 100_000),
  /** How long a login token still works after a new session replaced it with a fresh one. */
  TOKEN_ROTATION_GRACE_MS: env.int(60_000, 0),
  /** The largest socket.io message a client may send. */
  SOCKET_MAX_PAYLOAD_BYTES: env.int(64 * 1024, 1024, 16 * 1024 * 1024),
  /** Posts per minute a room's webhook accepts (`POST /api/v1/groups/:name/messages`). */
  WEBHOOK_LIMIT_PER_MIN: env.int(60, 1),
  /** A SaaS app's signed login must carry a timestamp this close to the server's clock (its nonce is kept twice as long). */
  APP_LOGIN_SKEW_MS: env.int(300_000, 1_000, 3_600_000),
  /** Where im-router keeps the IM keys (the gateway reads offline messages and friend requests for the init burst). */
  IM_KEY_PREFIX: env.imKeyPrefix(),
  /** Where the gateway keeps files (e-mail written without SMTP). */
  DATA_DIR: z.string().min(1).default('.data'),
  /** The web client's production build (index.html, assets/), served at `/`; relative paths are from the working directory. */
  WEB_DIR: z
    .string()
    .min(1)
    .transform((dir) => resolve(dir))
    .default(defaultWebDir()),
};

/**
 * The gateway's whole environment: the runtime's base settings and its own. The one schema of its
 * configuration: main.ts starts with it, and `npm run check:config` checks deployments against it.
 */
export const appConfigShape = { ...baseConfigShape, ...gatewayConfigShape };
