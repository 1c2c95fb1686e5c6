/**
 * The object types of Parley's services, declared once: the services load the ones they use, and
 * the admin CLI knows them all.
 */
import type { ObjectTypeSpec } from './types';

/** An IRC network users may connect to (irc-parser). */
export const NETWORK: ObjectTypeSpec = {
  name: 'Network',
  fields: {
    name: { unique: true, required: true },
    host: { required: true },
    port: { kind: 'int', required: true },
    tls: { kind: 'bool' },
    password: {},
    description: {},
  },
};

/**
 * A service bot of the built-in network (made by operators: `npm run admin -- create BotInfo …`),
 * assigned to rooms by their owners (`/bot assign`). Its nick is unique ignoring case, and no
 * account may register it.
 */
export const BOT_INFO: ObjectTypeSpec = {
  name: 'BotInfo',
  fields: { nick: { unique: true, caseless: true, required: true }, user: {}, host: {}, realname: {}, created: { kind: 'int' } },
};

/** An extra nick reserved by an account on the built-in network (`account`: its user id). */
export const NICK_ALIAS: ObjectTypeSpec = {
  name: 'NickAlias',
  fields: { nick: { unique: true, required: true }, account: { indexed: true, required: true }, created: { kind: 'int' } },
};

/** Auto-op / auto-voice in a room for an account or a nick mask (`level`: op or voice). */
export const CHAN_ACCESS: ObjectTypeSpec = {
  name: 'ChanAccess',
  fields: { room: { indexed: true, required: true }, mask: { indexed: true, required: true }, level: { required: true }, creator: {}, created: { kind: 'int' } },
};

/** Users matching a mask are refused or removed on join. */
export const AUTO_KICK: ObjectTypeSpec = {
  name: 'AutoKick',
  fields: { room: { indexed: true, required: true }, mask: { indexed: true, required: true }, reason: {}, creator: {}, created: { kind: 'int' } },
};

export const PARLEY_TYPES: readonly ObjectTypeSpec[] = [NETWORK, BOT_INFO, NICK_ALIAS, CHAN_ACCESS, AUTO_KICK];
