/**
 * What a line typed into the input means: plain text to send, or a slash command. Pure, so it is
 * table-tested; the app turns each result into requests.
 */
import { BUILTIN_NETWORK } from './constants';

export interface InputContext {
  windowId: number;
  network: string;
  windowType: 'group' | '1on1';
}

export type InputAction =
  | { kind: 'send'; text: string }
  | { kind: 'join'; network: string; name: string; password?: string }
  | { kind: 'create'; name: string; password?: string }
  | { kind: 'close' }
  | { kind: 'topic'; topic: string }
  | { kind: 'chat'; network: string; nick: string; text?: string }
  | { kind: 'friend'; nick: string }
  | { kind: 'command'; command: string; params: string }
  | { kind: 'help' }
  | { kind: 'clear' }
  | { kind: 'error'; message: string };

/** The /help list: every command the client knows, and what the networks take. */
export const HELP: readonly { usage: string; what: string }[] = [
  { usage: '/help', what: 'this list' },
  { usage: '/join <#room or channel> [password]', what: "join on this window's network" },
  { usage: '/create <#room> [password]', what: 'create a room on Parley' },
  { usage: '/part, /close', what: 'leave this room or channel, close this conversation' },
  { usage: '/me <text>', what: 'say what you do' },
  { usage: '/topic <text>', what: 'set the topic' },
  { usage: '/msg <nick> <text>', what: 'a direct message (Parley) or a private message (IRC)' },
  { usage: '/query <nick>', what: 'open a conversation with someone' },
  { usage: '/friend <nick>', what: 'ask someone on Parley to be friends' },
  { usage: '/op /deop /voice /devoice <nick>', what: 'roles (room operators)' },
  { usage: '/kick <nick> [reason], /ban /unban <nick or mask>', what: 'moderation (room operators)' },
  { usage: '/invite <nick>, /policy open|password|invite|approval, /apikey', what: 'room access (owners)' },
  { usage: '/akick add <mask> [reason], /akick del <mask>, /akick list', what: 'refuse matching nicks on join (room operators)' },
  { usage: '/access add <mask> op|voice, /access del <mask>, /access list', what: 'auto-op and auto-voice on join (room owners)' },
  { usage: '/alias add <nick>, /alias del <nick>, /alias list', what: 'extra nicks of your account that nobody else can take' },
  { usage: '/bot list, /bot assign|unassign <bot>, /bot say|act <bot> <text>', what: "the room's service bots (owners assign, operators speak through them)" },
  { usage: '/nick /whois /mode /away /notice /ctcp /quote …', what: 'IRC commands, passed to the network' },
  { usage: '/clear', what: "clear this window's view (history stays)" },
  { usage: '//text', what: 'send a line that starts with /' },
];

const NAME = /^\S+$/;

/** Parses one line of the input in the context of the current window. */
export function parseInput(line: string, ctx: InputContext): InputAction {
  if (!line.startsWith('/') || line.startsWith('//')) {
    const text = line.startsWith('//') ? line.slice(1) : line;
    return text.trim() ? { kind: 'send', text } : { kind: 'error', message: 'nothing to send' };
  }
  const space = line.search(/\s/);
  const command = (space === -1 ? line.slice(1) : line.slice(1, space)).toLowerCase();
  const params = space === -1 ? '' : line.slice(space + 1).trim();
  const [first = '', ...rest] = params.split(/\s+/).filter(Boolean);
  const builtin = ctx.network === BUILTIN_NETWORK;
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(command)) return { kind: 'error', message: `not a command: /${command}` };
  switch (command) {
    case 'help':
      return { kind: 'help' };
    case 'clear':
      return { kind: 'clear' };
    case 'join':
    case 'j':
      if (!first) return { kind: 'error', message: '/join needs a room or channel name' };
      return { kind: 'join', network: ctx.network, name: builtin && !first.startsWith('#') ? `#${first}` : first, ...(rest[0] ? { password: rest[0] } : {}) };
    case 'create':
      if (!first) return { kind: 'error', message: '/create needs a room name' };
      return { kind: 'create', name: first.startsWith('#') ? first : `#${first}`, ...(rest[0] ? { password: rest[0] } : {}) };
    case 'part':
    case 'leave':
    case 'close':
      // An IRC /part with a reason is the network's; without one it closes this window.
      return !builtin && command === 'part' && params ? { kind: 'command', command, params } : { kind: 'close' };
    case 'topic':
      return { kind: 'topic', topic: params };
    case 'query':
      if (!first || !NAME.test(first)) return { kind: 'error', message: '/query needs a nick' };
      return { kind: 'chat', network: ctx.network, nick: first };
    case 'msg':
      if (!first || rest.length === 0) return { kind: 'error', message: '/msg needs a nick and a text' };
      // On IRC /msg may name a channel too, and the network stores it where it belongs.
      if (!builtin) return { kind: 'command', command, params };
      return { kind: 'chat', network: ctx.network, nick: first, text: params.slice(params.indexOf(first) + first.length).trim() };
    case 'friend':
      if (!first) return { kind: 'error', message: '/friend needs a nick' };
      return { kind: 'friend', nick: first };
    case 'me':
      if (!params) return { kind: 'error', message: '/me needs a text' };
      return { kind: 'command', command, params };
    default:
      return { kind: 'command', command, params };
  }
}
