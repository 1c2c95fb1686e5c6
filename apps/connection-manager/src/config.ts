import { inboxConfigShape } from '@parley/inbox';
import { baseConfigShape, env } from '@parley/runtime';
import { z } from 'zod';

export const configShape = {
  HEALTH_PORT: env.port(3201),
  ...inboxConfigShape,
  /** Lines a connection may send at once before the rate applies (flood control). */
  IRC_FLOOD_BURST: env.int(5, 1, 100),
  /** Then one line per this many ms. */
  IRC_FLOOD_INTERVAL_MS: env.int(1_000, 0, 60_000),
  /** At most one new connection per network per this many ms. */
  IRC_CONNECT_INTERVAL_MS: env.int(1_000, 0, 600_000),
  IRC_CONNECT_TIMEOUT_MS: env.int(30_000, 1_000, 600_000),
  /** Nothing heard from a server for this long: PING it. */
  IRC_IDLE_PING_MS: env.int(120_000, 1_000, 3_600_000),
  /** Nothing heard for this long: the link is dead (disconnected, irc-parser backs off and reconnects). */
  IRC_IDLE_TIMEOUT_MS: env.int(300_000, 2_000, 7_200_000),
  /** What every connection's QUIT says when this process stops. */
  IRC_QUIT_REASON: z.string().min(1).max(300).regex(/^[^\r\n\0]*$/).default('Parley is restarting; back in a moment'),
  /** The real name of users who set none. */
  IRC_DEFAULT_REALNAME: z.string().min(1).max(200).regex(/^[^\r\n\0]*$/).default('Parley user'),
  /** RFC 1413 identd port; 0 (the default) runs none. */
  IDENTD_PORT: env.int(0, 0, 65535),
};

/**
 * connection-manager's whole environment: the runtime's base settings and its own, as runApp
 * parses them at start. The one schema of its configuration: `npm run check:config` checks
 * deployments against it.
 */
export const appConfigShape = { ...baseConfigShape, ...configShape };

export type ConnectionManagerConfig = z.infer<z.ZodObject<typeof baseConfigShape & typeof configShape>>;
