/**
 * The few protocol constants the client needs at run time. Importing them from @parley/protocol
 * would pull every zod schema of the protocol into the browser bundle (they are built at module
 * load, so no bundler can drop them); `test/constants.spec.ts` checks that they are the protocol's.
 */
export const BUILTIN_NETWORK = 'parley';
export const MAX_BACKLOG_MSGS = 1000;
export const FETCH_LIMIT_MAX = 200;
export const MESSAGE_TEXT_MAX = 4000;
