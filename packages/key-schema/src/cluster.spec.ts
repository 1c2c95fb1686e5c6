import { builtFamilies } from '../test/built';
import { keySlot } from './slot';
import { KEY_FAMILIES } from './catalog';
import * as plain from './index';

type KeySchema = typeof import('./index');

/** A copy of the package loaded with REDIS_CLUSTER set as given (the switch is read at load). */
function loadWith(value: string | undefined): KeySchema {
  const before = process.env.REDIS_CLUSTER;
  if (value === undefined) delete process.env.REDIS_CLUSTER;
  else process.env.REDIS_CLUSTER = value;
  try {
    let loaded: KeySchema | undefined;
    jest.isolateModules(() => {
      loaded = jest.requireActual<KeySchema>('./index');
    });
    return loaded!;
  } finally {
    if (before === undefined) delete process.env.REDIS_CLUSTER;
    else process.env.REDIS_CLUSTER = before;
  }
}

describe('cluster mode (REDIS_CLUSTER)', () => {
  const k = loadWith('1');
  const built = builtFamilies(k, k, k.imKeys);
  const slot = keySlot(k.users());

  it('is off unless switched on', () => {
    expect([plain.CLUSTER_MODE, loadWith(undefined).CLUSTER_MODE, loadWith('0').CLUSTER_MODE, loadWith('false').CLUSTER_MODE]).toEqual([false, false, false, false]);
    expect([k.CLUSTER_MODE, loadWith('true').CLUSTER_MODE]).toEqual([true, true]);
  });

  it('refuses a value that is not a switch', () => {
    expect(() => loadWith('yes please')).toThrow('REDIS_CLUSTER must be 1, true, 0 or false');
  });

  it.each(KEY_FAMILIES.map((f) => [f.family, f] as const))('%s: the plain name after the {parley} tag, in the one slot', (family, entry) => {
    const key = built[family]!.build();
    expect(key).toBe(`{parley}:${entry.example}`);
    expect(keySlot(key)).toBe(slot);
  });

  it('puts the tag in front of every prefix a Lua script builds keys from', () => {
    const prefixes = [k.sessionKeyPrefix(42), k.outboxKeyPrefix(42), k.userKeyPrefix(), k.authTokenPrefix(), k.inboxKeyPrefix('ircparser')];
    const fromScripts = Object.entries(k.USER_KEY_PREFIXES).filter(([name]) => name !== 'gatewayChannel' && name !== 'separator');
    for (const prefix of [...prefixes, ...fromScripts.map(([, p]) => p)]) expect(prefix.startsWith('{parley}:')).toBe(true);
    // What a script appends gives the builder's key.
    expect(`${k.USER_KEY_PREFIXES.outbox}42:s1`).toBe(k.outbox(42, 's1'));
    expect(`${k.inboxKeyPrefix('ircparser')}handoff:c-1`).toBe(k.inboxHandoff('ircparser', 'c-1'));
    expect(`${k.userKeyPrefix()}42`).toBe(k.user(42));
    // Pub/sub channels are not keys and keep their names.
    expect(k.gatewayChannel('gw-1')).toBe(plain.gatewayChannel('gw-1'));
  });

  it('recognises tagged object hashes in keyspace events, and only those', () => {
    expect(k.parseObjectHashKey('{parley}:hash:NickCore:3')).toEqual({ type: 'NickCore', id: 3 });
    expect(k.parseObjectHashKey('hash:NickCore:3')).toBeNull();
    expect(plain.parseObjectHashKey('{parley}:hash:NickCore:3')).toBeNull();
  });
});
