import { inboxConfigShape } from '@parley/inbox';
import { baseConfigShape, env } from '@parley/runtime';
import { roomsConfigShape } from './rooms/rooms.config';

/** loopback-parser's own environment (on top of the runtime's base settings). */
export const configShape = {
  HEALTH_PORT: env.port(3203),
  ...inboxConfigShape,
  ...roomsConfigShape,
};

/**
 * loopback-parser's whole environment: the runtime's base settings and its own. The one schema of
 * its configuration: main.ts starts with it, and `npm run check:config` checks deployments against it.
 */
export const appConfigShape = { ...baseConfigShape, ...configShape };
