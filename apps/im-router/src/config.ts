import { baseConfigShape } from '@parley/runtime';
import { IM_CONFIG_SHAPE } from './im.config';

/**
 * im-router's whole environment: the runtime's base settings and its own (IM_CONFIG_SHAPE). The one
 * schema of its configuration: main.ts starts with it, and `npm run check:config` checks
 * deployments against it.
 */
export const appConfigShape = { ...baseConfigShape, ...IM_CONFIG_SHAPE };
