/**
 * IRC lines: parsing and building through irc-framework, and the few rules Parley adds (CTCP,
 * prefixes, case mapping, text split on UTF-8 boundaries under the byte limit, masks).
 */
import { foldCase, type CaseMapping } from '@parley/key-schema';
import type { Role } from '@parley/protocol';
import { Helpers, ircLineParser } from 'irc-framework';
import { lineBreak } from 'irc-framework/src/linebreak';

export interface ParsedLine {
  tags: Record<string, string>;
  prefix: string;
  nick: string;
  ident: string;
  hostname: string;
  command: string;
  params: string[];
}

/** A line as the server sent it (tags, prefix, command, parameters); undefined for one that is not IRC. */
export function parseLine(line: string): ParsedLine | undefined {
  const m = ircLineParser(line) as (Omit<ParsedLine, 'tags'> & { tags: Record<string, string> | undefined }) | undefined;
  if (!m || !m.command) return undefined;
  return { tags: { ...(m.tags ?? {}) }, prefix: m.prefix ?? '', nick: m.nick ?? '', ident: m.ident ?? '', hostname: m.hostname ?? '', command: m.command.toUpperCase(), params: m.params ?? [] };
}

/**
 * A line from its parts. The last parameter gets its `:` when it needs one — empty, with a space,
 * or starting with `:` (irc-framework's own serialiser leaves an empty one bare, which loses it).
 */
export function serializeLine(m: { tags?: Record<string, string>; source?: string; command: string; params?: readonly string[] }): string {
  const parts: string[] = [];
  const tags = Object.entries(m.tags ?? {})
    .map(([k, v]) => (v === '' ? k : `${k}=${escapeTagValue(v)}`))
    .join(';');
  if (tags) parts.push(`@${tags}`);
  if (m.source) parts.push(`:${m.source}`);
  parts.push(m.command);
  const params = m.params ?? [];
  params.forEach((p, i) => parts.push(i === params.length - 1 && (p === '' || p.includes(' ') || p.startsWith(':')) ? `:${p}` : p));
  return parts.join(' ');
}

/** IRCv3 message-tags escaping; a tag without a value is written bare (`key`, not `key=`). */
function escapeTagValue(value: string): string {
  return value.replace(/[\\; \r\n]/g, (c) => ({ '\\': '\\\\', ';': '\\:', ' ': '\\s', '\r': '\\r', '\n': '\\n' })[c]!);
}

/** A line from a command and its parameters. */
export const buildLine = (command: string, ...params: string[]): string => serializeLine({ command, params });

/** `nick!user@host` in its parts. */
export function splitMask(mask: string): { nick: string; user: string; host: string } {
  const m = Helpers.parseMask(mask) as { nick: string; user: string; host: string };
  return { nick: m.nick, user: m.user, host: m.host };
}

/** Does `mask` (with `*` and `?`) match `name`, compared under the case mapping? */
export function maskMatches(mask: string, name: string, mapping: CaseMapping = 'rfc1459'): boolean {
  const pattern = foldCase(mask, mapping).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 's').test(foldCase(name, mapping));
}

/** A CTCP message (`\x01VERB args\x01`), or undefined for plain text. */
export function parseCtcp(text: string): { verb: string; args: string } | undefined {
  if (!text.startsWith('\x01')) return undefined;
  const body = text.slice(1, text.endsWith('\x01') ? -1 : undefined);
  const space = body.indexOf(' ');
  return space < 0 ? { verb: body.toUpperCase(), args: '' } : { verb: body.slice(0, space).toUpperCase(), args: body.slice(space + 1) };
}

export const ctcp = (verb: string, args = ''): string => `\x01${verb}${args ? ` ${args}` : ''}\x01`;

/**
 * Splits a text into pieces that each fit one line after `overhead` bytes (command, target, and
 * the prefix the server adds when it relays it), on UTF-8 boundaries, preferring spaces. Line
 * breaks and NUL in the text become spaces: a text is one message, and nothing in it can end the
 * IRC line and start a command of its own.
 */
export function splitText(text: string, overhead: number): string[] {
  const budget = Math.max(32, 510 - overhead);
  const flat = text.replace(/[\r\n\0]+/g, ' ').trim();
  return flat ? [...lineBreak(flat, { bytes: budget, allowBreakingWords: true, allowBreakingGraphemes: true })] : [];
}

/** The ISUPPORT tokens Parley keeps. */
export interface Isupport {
  /** Mode letters and their prefixes, highest first: `(ov)@+`. */
  PREFIX?: string;
  CASEMAPPING?: string;
  CHANTYPES?: string;
  NETWORK?: string;
}

/** Mode letter → prefix symbol, from PREFIX (the RFC default when absent). */
export function prefixModes(isupport: Isupport): { modes: string; symbols: string } {
  const m = /^\(([^)]*)\)(.*)$/.exec(isupport.PREFIX ?? '(ov)@+');
  return m && m[1]!.length === m[2]!.length ? { modes: m[1]!, symbols: m[2]! } : { modes: 'ov', symbols: '@+' };
}

/** Parley's role for a prefix symbol: founders and admins own, ops and half-ops moderate, voice speaks. */
export function roleOfSymbol(symbol: string): Role {
  if (symbol === '~') return '*';
  if (symbol === '&' || symbol === '@' || symbol === '%') return '@';
  if (symbol === '+') return '+';
  return 'u';
}

/** A NAMES entry (`@+bob`, multi-prefix) as nick and its highest role. */
export function parseNamesEntry(entry: string, symbols: string): { nick: string; role: Role } {
  let i = 0;
  while (i < entry.length && symbols.includes(entry[i]!)) i++;
  const nick = entry.slice(i).split('!')[0]!;
  return { nick, role: i > 0 ? roleOfSymbol(entry[0]!) : 'u' };
}

/** Is this target a channel (by the server's CHANTYPES)? */
export function isChannel(target: string, isupport: Isupport): boolean {
  return target.length > 0 && (isupport.CHANTYPES ?? '#&!+').includes(target[0]!);
}
