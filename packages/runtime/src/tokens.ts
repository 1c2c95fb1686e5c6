/** Injection tokens of the runtime module. Strings, so they read well in Nest's errors. */
export const APP_CONFIG = 'parley:app-config';
export const LOGGER = 'parley:logger';
export const REDIS = 'parley:redis';
export const METRICS = 'parley:metrics';
export const APP_NAME = 'parley:app-name';
