/**
 * Pure helpers of the message view: links cut out of text (rendered as elements, never as HTML),
 * nick colours, times and day separators, and runs of join/part/quit lines condensed into one.
 */
import type { Message } from '@parley/protocol';

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// http(s) and www. links; trailing punctuation that usually ends a sentence is left out.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'")\]}>]+$/;

/** Splits text into plain parts and links. Only http(s) links are made: no javascript:, no data:. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let url = match[0];
    const trailing = TRAILING.exec(url);
    // Keep a closing parenthesis that belongs to the link (wiki-style URLs).
    if (trailing) {
      let cut = trailing[0];
      if (cut.startsWith(')') && url.includes('(')) cut = cut.slice(1);
      url = url.slice(0, url.length - cut.length);
    }
    // Cutting the punctuation may leave only the prefix ("www..." → "www"): that is no link.
    if (!/^(?:https?:\/\/|www\.)./i.test(url)) continue;
    const start = match.index;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    const href = /^www\./i.test(url) ? `https://${url}` : url;
    out.push({ kind: 'link', text: url, href });
    last = start + url.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

export const NICK_COLOURS = 16;

/** A stable colour class number for a nick (case-insensitive), 0..15. */
export function nickColour(nick: string): number {
  let h = 0;
  for (const ch of nick.toLowerCase()) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return h % NICK_COLOURS;
}

const two = (n: number) => String(n).padStart(2, '0');

/** HH:MM in the browser's time zone. */
export function formatTime(ts: number): string {
  const d = new Date(ts);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A key that differs between local days. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** "Today", "Yesterday" or the date, for a day separator. */
export function dayLabel(ts: number, now = Date.now()): string {
  const key = dayKey(ts);
  if (key === dayKey(now)) return 'Today';
  if (key === dayKey(now - 86_400_000)) return 'Yesterday';
  return new Date(ts).toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

const PRESENCE = new Set<Message['cat']>(['join', 'part', 'quit']);

/** One row of the message view. */
export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'marker'; key: string }
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'presence'; key: string; messages: Message[]; summary: string };

function presenceSummary(run: Message[]): string {
  const by: Record<string, string[]> = { join: [], part: [], quit: [] };
  for (const m of run) {
    const list = by[m.cat]!;
    if (m.nick && !list.includes(m.nick)) list.push(m.nick);
  }
  const verb = { join: 'joined', part: 'left', quit: 'quit' } as const;
  const parts = (Object.keys(verb) as (keyof typeof verb)[])
    .filter((k) => by[k]!.length > 0)
    .map((k) => {
      const nicks = by[k]!;
      const shown = nicks.length > 3 ? `${nicks.slice(0, 3).join(', ')} and ${nicks.length - 3} more` : nicks.join(', ');
      return `${shown} ${verb[k]}`;
    });
  return parts.join(' · ') || `${run.length} joins and parts`;
}

/**
 * The rows of a window's messages: a day separator where the local day changes, the "new
 * messages" marker before the first message after `seenGid`, and runs of two or more
 * join/part/quit lines condensed into one row.
 */
export function buildRows(messages: readonly Message[], seenGid: number | undefined, now = Date.now()): Row[] {
  const rows: Row[] = [];
  let day = '';
  let run: Message[] = [];
  let marked = seenGid === undefined;
  const flush = () => {
    if (run.length === 1) rows.push({ kind: 'message', key: `m${run[0]!.gid}`, message: run[0]! });
    else if (run.length > 1) rows.push({ kind: 'presence', key: `p${run[0]!.gid}`, messages: run, summary: presenceSummary(run) });
    run = [];
  };
  for (const m of messages) {
    const key = dayKey(m.ts);
    const needsMarker = !marked && m.gid > seenGid!;
    if (key !== day || needsMarker) flush();
    if (key !== day) {
      day = key;
      // Keyed by the first message too: clocks of several servers may disagree around midnight.
      rows.push({ kind: 'day', key: `d${key}-${m.gid}`, label: dayLabel(m.ts, now) });
    }
    if (needsMarker) {
      marked = true;
      rows.push({ kind: 'marker', key: 'new' });
    }
    if (PRESENCE.has(m.cat)) run.push(m);
    else {
      flush();
      rows.push({ kind: 'message', key: `m${m.gid}`, message: m });
    }
  }
  flush();
  return rows;
}

/** Whether text mentions a nick as a word (case-insensitive). */
export function mentions(text: string, nick: string | undefined): boolean {
  if (!nick) return false;
  const escaped = nick.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_\\-\\[\\]\\\\^{}|\`])${escaped}($|[^A-Za-z0-9_\\-\\[\\]\\\\^{}|\`])`, 'i').test(text);
}
