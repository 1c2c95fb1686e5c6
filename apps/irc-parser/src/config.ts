import { inboxConfigShape } from '@parley/inbox';
import { baseConfigShape, env } from '@parley/runtime';
import { z } from 'zod';

export const configShape = {
  HEALTH_PORT: env.port(3202),
  ...inboxConfigShape,
  /** JSON file of the IRC networks users may use (infra/irc-networks.example.json); unset: none. */
  IRC_NETWORKS_FILE: env.optionalString(),
  /** Reconnect back-off, `<attempts>x<ms>` steps, the last repeating: 30 s for 1-3, 3 min for 4-7, then 1 h. */
  IRC_RETRY_DELAYS: z.string().regex(/^\d+x\d+(,\d+x\d+)*$/, 'expected <attempts>x<ms>[,<attempts>x<ms>…]').default('3x30000,4x180000,1x3600000'),
  IRC_RETRY_POLL_MS: env.int(1_000, 50, 60_000),
  /** Messages an IRC window keeps. */
  IRC_WINDOW_BACKLOG_MAX: env.int(1_000, 10, 100_000),
  /** Users without an active session for this many days are disconnected until their next session (0: never). */
  IRC_AWAY_DISCONNECT_DAYS: env.int(0, 0, 3650),
  IRC_AWAY_SWEEP_MS: env.int(3_600_000, 1_000, 86_400_000),
  /** A message of the user that never reached the IRC socket (its connection was lost first) is sent again after the reconnect if younger than this (ms); older ones are reported, not sent. */
  IRC_RESEND_MAX_AGE_MS: env.int(300_000, 0, 86_400_000),
  /** 32 bytes (64 hex characters or base64) that seal users' SASL credentials at rest (AES-256-GCM); unset: /sasl is refused. */
  IRC_SECRET_KEY: env.optionalString(),
  IRC_CTCP_VERSION: z
    .string()
    .min(1)
    .max(200)
    .refine((s) => !/[\r\n\0]/.test(s) && !s.includes(String.fromCharCode(1)), 'must not contain CR, LF, NUL or the CTCP delimiter')
    .default('Parley (self-hosted chat)'),
};

/**
 * irc-parser's whole environment: the runtime's base settings and its own, as runApp
 * parses them at start. The one schema of its configuration: `npm run check:config` checks
 * deployments against it.
 */
export const appConfigShape = { ...baseConfigShape, ...configShape };

export type IrcParserConfig = z.infer<z.ZodObject<typeof baseConfigShape & typeof configShape>>;
