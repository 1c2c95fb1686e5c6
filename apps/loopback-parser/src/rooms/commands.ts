/**
 * Room slash commands (COMMAND requests: `command` without the slash, `params` the rest), parsed
 * without Redis. Table-tested in commands.spec.ts.
 */
import { JoinPolicy, MESSAGE_TEXT_MAX } from '@parley/protocol';

export type ModerationAction = 'op' | 'deop' | 'voice' | 'devoice' | 'owner' | 'kick' | 'ban' | 'unban' | 'invite' | 'approve' | 'reject';

export type RoomCommand =
  | { kind: 'me'; text: string }
  | { kind: 'topic'; text: string }
  | { kind: 'policy'; policy: JoinPolicy }
  | { kind: 'apikey' }
  | { kind: 'bans' }
  | { kind: 'akick'; op: 'add' | 'del' | 'list'; mask?: string; reason: string }
  | { kind: 'access'; op: 'add' | 'del' | 'list'; mask?: string; level?: 'op' | 'voice' }
  | { kind: 'alias'; op: 'add' | 'del' | 'list'; nick?: string }
  | { kind: 'bot'; op: 'list' }
  | { kind: 'bot'; op: 'assign' | 'unassign'; nick: string }
  | { kind: 'bot'; op: 'say' | 'act'; nick: string; text: string }
  | { kind: 'moderate'; action: ModerationAction; nick?: string; mask?: string; reason: string }
  | { kind: 'error'; message: string };

/** As UPDATE_TOPIC allows. */
const TOPIC_MAX = 1000;
const MODERATION: readonly ModerationAction[] = ['op', 'deop', 'voice', 'devoice', 'owner', 'kick', 'ban', 'unban', 'invite', 'approve', 'reject'];
const POLICIES: readonly JoinPolicy[] = JoinPolicy.options;
/** Actions that take a nick mask instead of a nick. */
const MASKABLE: readonly ModerationAction[] = ['ban', 'unban'];
/** A nick of the built-in network (a user's, an alias, a service bot's). */
export const NICK = /^[A-Za-z_[\]\\`^{}|][A-Za-z0-9_[\]\\`^{}|-]{0,31}$/;
const MASK = /^[A-Za-z0-9_[\]\\`^{}|*?-]{1,64}$/;

export function parseCommand(command: string, params: string): RoomCommand {
  const name = command.toLowerCase();
  const text = params.trim();
  if (name === 'me') return text ? { kind: 'me', text } : { kind: 'error', message: '/me needs some text' };
  if (name === 'topic') return text.length <= TOPIC_MAX ? { kind: 'topic', text } : { kind: 'error', message: `a topic is at most ${TOPIC_MAX} characters` };
  if (name === 'apikey') return { kind: 'apikey' };
  if (name === 'bans') return { kind: 'bans' };
  if (name === 'alias') {
    const [op = '', nick = ''] = text.split(/\s+/);
    if (op === 'list') return { kind: 'alias', op };
    if (op !== 'add' && op !== 'del') return { kind: 'error', message: '/alias takes add <nick>, del <nick> or list' };
    if (!NICK.test(nick) || nick.length > 15 || /^app_/i.test(nick)) return { kind: 'error', message: `/alias ${op} needs a nick (up to 15 letters, digits and []\\\`_^{|}-)` };
    return { kind: 'alias', op, nick: nick.toLowerCase() };
  }
  if (name === 'bot') {
    const [op = '', nick = ''] = text.split(/\s+/);
    if (op === 'list') return { kind: 'bot', op };
    if (op !== 'assign' && op !== 'unassign' && op !== 'say' && op !== 'act') return { kind: 'error', message: '/bot takes list, assign <bot>, unassign <bot>, say <bot> <text> or act <bot> <text>' };
    if (!NICK.test(nick)) return { kind: 'error', message: `/bot ${op} needs the nick of a bot` };
    if (op === 'assign' || op === 'unassign') return { kind: 'bot', op, nick };
    const said = text.replace(/^\S+\s+\S+/, '').trim();
    if (!said) return { kind: 'error', message: `/bot ${op} ${nick} needs some text` };
    if (said.length > MESSAGE_TEXT_MAX) return { kind: 'error', message: `a message is at most ${MESSAGE_TEXT_MAX} characters` };
    return { kind: 'bot', op, nick, text: said };
  }
  if (name === 'access') {
    const [op = '', mask = '', level = ''] = text.split(/\s+/);
    if (op === 'list') return { kind: 'access', op };
    if (op !== 'add' && op !== 'del') return { kind: 'error', message: '/access takes add <mask> op|voice, del <mask> or list' };
    if (!MASK.test(mask)) return { kind: 'error', message: `/access ${op} needs a nick or nick mask (letters, digits, * and ?)` };
    if (op === 'del') return { kind: 'access', op, mask: mask.toLowerCase() };
    if (level !== 'op' && level !== 'voice') return { kind: 'error', message: '/access add <mask> takes op or voice' };
    return { kind: 'access', op, mask: mask.toLowerCase(), level };
  }
  if (name === 'akick') {
    const [op = '', mask = '', ...why] = text.split(/\s+/);
    if (op === 'list') return { kind: 'akick', op, reason: '' };
    if (op !== 'add' && op !== 'del') return { kind: 'error', message: '/akick takes add <mask> [reason], del <mask> or list' };
    if (!MASK.test(mask)) return { kind: 'error', message: `/akick ${op} needs a nick mask (letters, digits, * and ?)` };
    return { kind: 'akick', op, mask: mask.toLowerCase(), reason: why.join(' ') };
  }
  if (name === 'policy') {
    const policy = POLICIES.find((p) => p === text.toLowerCase());
    return policy ? { kind: 'policy', policy } : { kind: 'error', message: `/policy takes one of ${POLICIES.join(', ')}` };
  }
  const action = MODERATION.find((a) => a === name);
  if (!action) return { kind: 'error', message: `unknown command /${command}` };
  const [who = '', ...rest] = text.split(/\s+/);
  const reason = rest.join(' ');
  if (who.includes('*') || who.includes('?')) {
    if (!MASKABLE.includes(action)) return { kind: 'error', message: `/${action} takes a nick, not a mask` };
    return MASK.test(who) ? { kind: 'moderate', action, mask: who.toLowerCase(), reason } : { kind: 'error', message: `not a nick mask: ${who}` };
  }
  if (!NICK.test(who)) return { kind: 'error', message: `/${action} needs a nick` };
  return { kind: 'moderate', action, nick: who, reason };
}
