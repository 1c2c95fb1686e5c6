import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as anope from './anope';
import { KEY_FAMILIES, type Seed } from './catalog';
import { imKeys } from './im';
import * as mas from './mas';
import { builtFamilies } from '../test/built';

const BUILT = builtFamilies(mas, anope, imKeys);


// The key families the three seed files name, as the catalog calls them.
const SEED_FAMILIES: readonly (readonly [Seed, string])[] = [
  ...[
    'user', 'sessionlist', 'session', 'sessionlastrequest', 'outbox', 'index:user', 'users', 'friends', 'settings',
    'windowlist', 'networks', 'window', 'windowmsgs', 'group', 'groupmembers', 'groupbacklog', 'names',
    'userinbox' /* the seed's [TBD] inbox:<userId> */, 'notelist', 'note', 'urls', 'nextavailableuserId',
    'passwordresettoken', 'inbox:loopbackparser', 'inbox:ircparser', 'inbox:connectionmanager',
  ].map((family) => ['mas', family] as const),
  ...['id', 'ids', 'hash', 'value'].map((family) => ['anope', family] as const),
  ...[
    'user', 'user:login', 'user:group', 'user:group:members', 'user:contact:friend', 'black-list:group', 'black-list:user',
    'message:friend-request', 'message:group-request', 'message:send', 'message:receive', 'message:offline',
    'message:fail', 'message:read-receipt', 'cluster:server:offline', 'app', 'app:connection',
  ].map((family) => ['ouyunc', `im:${family}`] as const),
];

describe('KEY_FAMILIES', () => {
  it('lists each family once', () => {
    const names = KEY_FAMILIES.map((f) => f.family);
    expect(new Set(names).size).toBe(names.length);
    const patterns = KEY_FAMILIES.map((f) => f.pattern);
    expect(new Set(patterns).size).toBe(patterns.length);
  });

  it('has a builder call in this spec for every family, and no other', () => {
    expect(KEY_FAMILIES.map((f) => f.family).sort()).toEqual(Object.keys(BUILT).sort());
  });

  it.each(KEY_FAMILIES.map((f) => [f.family, f] as const))('%s: example and type are what the builder gives', (family, entry) => {
    const built = BUILT[family]!;
    expect(built.build()).toBe(entry.example);
    expect(built.type).toBe(entry.type);
  });

  it('has distinct examples', () => {
    const examples = KEY_FAMILIES.map((f) => f.example);
    expect(new Set(examples).size).toBe(examples.length);
  });

  it.each(SEED_FAMILIES)('covers the %s seed family %s', (seed, family) => {
    expect(KEY_FAMILIES.find((f) => f.family === family)?.seed).toBe(seed);
  });

  it('points every non-canonical family at a family that exists', () => {
    const patterns = new Set(KEY_FAMILIES.map((f) => f.pattern));
    for (const f of KEY_FAMILIES) if (f.canonical !== undefined) expect(patterns).toContain(f.canonical);
  });
});

describe('README.md', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const rows = readme.split('\n').filter((line) => line.startsWith('| `'));

  it.each(KEY_FAMILIES.map((f) => [f.pattern, f] as const))('has a table row for %s with its type and owner', (pattern, entry) => {
    const row = rows.find((line) => line.startsWith(`| \`${pattern}\` |`));
    expect(row).toBeDefined();
    const cells = row!.split(' | ');
    expect(cells[1]).toBe(entry.type);
    expect(cells[3]).toBe(entry.owner);
    expect(cells[4]).toBe(entry.seed);
  });
});

describe('USER_KEY_PREFIXES', () => {
  it('spell the per-user and per-session keys exactly as their builders do', () => {
    const p = mas.USER_KEY_PREFIXES;
    expect(`${p.sessionList}42`).toBe(mas.sessionList(42));
    expect(`${p.session}42${p.separator}s3ss10n`).toBe(mas.session(42, 's3ss10n'));
    expect(`${p.outbox}42${p.separator}s3ss10n`).toBe(mas.outbox(42, 's3ss10n'));
    expect(`${p.gatewayChannel}1234-ab12`).toBe(mas.gatewayChannel('1234-ab12'));
    expect(`${p.window}42${p.separator}7`).toBe(mas.window(42, 7));
    expect(`${p.windowList}42`).toBe(mas.windowList(42));
    expect(`${p.urls}42${p.separator}7`).toBe(mas.urls(42, 7));
    expect(`${p.noteList}42${p.separator}7`).toBe(mas.noteList(42, 7));
    expect(`${p.note}n0te-1d`).toBe(mas.note('n0te-1d'));
    expect(`${p.user}42`).toBe(mas.user(42));
    expect(`${p.windowMsgs}42${p.separator}7`).toBe(mas.windowMsgs(42, 7));
    expect(`${p.friends}42`).toBe(mas.friends(42));
    expect(`${p.settings}42`).toBe(mas.settings(42));
  });
});
