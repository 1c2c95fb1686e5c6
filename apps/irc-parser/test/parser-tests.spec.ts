import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { maskMatches, parseLine, serializeLine, splitMask } from '../src/irc/lines';

// The ircdocs parser-tests (public domain, see parser-tests/README.md) that concern clients, run
// through Parley's IRC line handling as tables.
const load = <T>(file: string): T => parse(readFileSync(join(__dirname, 'parser-tests', file), 'utf8')) as T;

interface Atoms {
  tags?: Record<string, string | null>;
  source?: string;
  verb: string;
  params?: string[];
}

describe('msg-split: lines as the server sends them, in their parts', () => {
  const { tests } = load<{ tests: { input: string; atoms: Atoms }[] }>('msg-split.yaml');
  it.each(tests.map((t) => [t.input, t.atoms] as const))('%j', (input, atoms) => {
    const line = parseLine(input)!;
    // Commands are case-insensitive; Parley dispatches on them in upper case.
    expect(line.command).toBe(atoms.verb.toUpperCase());
    expect(line.params).toEqual(atoms.params ?? []);
    expect(line.prefix || undefined).toBe(atoms.source);
    expect(line.tags).toEqual(Object.fromEntries(Object.entries(atoms.tags ?? {}).map(([k, v]) => [k, v ?? ''])));
  });
});

describe('msg-join: lines built from their parts', () => {
  const { tests } = load<{ tests: { desc: string; atoms: Atoms; matches: string[] }[] }>('msg-join.yaml');
  it.each(tests.map((t) => [t.desc, t.atoms, t.matches] as const))('%s', (_desc, atoms, matches) => {
    const tags = atoms.tags && Object.fromEntries(Object.entries(atoms.tags).map(([k, v]) => [k, v ?? '']));
    const built = serializeLine({ tags, source: atoms.source, command: atoms.verb, params: atoms.params });
    // Tag order is free: compare a built line's tags as a set.
    const canonical = (l: string) => (l.startsWith('@') ? `@${l.slice(1, l.indexOf(' ')).split(';').sort().join(';')}${l.slice(l.indexOf(' '))}` : l);
    expect(matches.map(canonical)).toContain(canonical(built));
  });
});

describe('userhost-split: nick!user@host', () => {
  const { tests } = load<{ tests: { source: string; atoms: { nick?: string; user?: string; host?: string } }[] }>('userhost-split.yaml');
  it.each(tests.map((t) => [t.source, t.atoms] as const))('%j', (source, atoms) => {
    const got = splitMask(source);
    expect({ nick: got.nick || undefined, user: got.user || undefined, host: got.host || undefined }).toEqual({ nick: atoms.nick, user: atoms.user, host: atoms.host });
  });
});

describe('mask-match: ban masks', () => {
  const { tests } = load<{ tests: { mask: string; matches: string[]; fails: string[] }[] }>('mask-match.yaml');
  it.each(tests.map((t) => [t.mask, t.matches, t.fails] as const))('%j', (mask, matches, fails) => {
    for (const m of matches) expect([m, maskMatches(mask, m)]).toEqual([m, true]);
    for (const f of fails) expect([f, maskMatches(mask, f)]).toEqual([f, false]);
  });
});
