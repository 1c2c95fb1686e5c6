import { env } from '@parley/runtime';
import { z } from 'zod';

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
  /** Where the gateway keeps files (e-mail written without SMTP). */
  DATA_DIR: z.string().min(1).default('.data'),
};
