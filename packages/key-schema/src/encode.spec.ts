import {
  KeyPartError,
  MAX_KEY_PART_BYTES,
  decodeKeyPart,
  encodeKeyPart,
  fieldNamePart,
  idPart,
  networkPart,
  tokenPart,
  typeNamePart,
} from './encode';

// What must never appear in an encoded part: the separator, glob and hash-tag characters, the
// escape character, whitespace, and anything outside printable ASCII (control characters included).
const FORBIDDEN = /[:*?[\]{}\\\s]|[^ -~]/;
const ENCODED_ALPHABET = /^[A-Za-z0-9#&!+._~%-]+$/;

describe('encodeKeyPart', () => {
  it.each<[string, string]>([
    ['a:b', 'a%3Ab'],
    ['*', '%2A'],
    ['?', '%3F'],
    ['[x]', '%5Bx%5D'],
    ['{tag}', '%7Btag%7D'],
    ['a b', 'a%20b'],
    ['\t', '%09'],
    ['line\r\nDEL x', 'line%0D%0ADEL%20x'],
    ['\0', '%00'],
    ['\x7f', '%7F'],
    ['back\\slash', 'back%5Cslash'],
    ['%41', '%2541'],
    ['café', 'caf%C3%A9'],
    ['😀', '%F0%9F%98%80'],
    ['\uFEFFbom', '%EF%BB%BFbom'],
    ['#Chan&co!+._~-', '#Chan&co!+._~-'],
  ])('encodes %j as %j', (input, expected) => {
    const encoded = encodeKeyPart(input);
    expect(encoded).toBe(expected);
    expect(encoded).not.toMatch(FORBIDDEN);
    expect(decodeKeyPart(encoded)).toBe(input);
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['over-long ASCII', 'x'.repeat(MAX_KEY_PART_BYTES + 1)],
    ['over-long once encoded', 'é'.repeat(34)],
    ['huge', ':'.repeat(1_000_000)],
    ['an unpaired high surrogate', 'a\uD800b'],
    ['an unpaired low surrogate', '\uDC00'],
  ])('refuses %s', (_name, input) => {
    expect(() => encodeKeyPart(input, 'room')).toThrow(KeyPartError);
  });

  it('refuses non-strings from plain-JS callers', () => {
    expect(() => encodeKeyPart(undefined as unknown as string)).toThrow(KeyPartError);
  });

  it('allows exactly MAX_KEY_PART_BYTES encoded bytes', () => {
    expect(encodeKeyPart('x'.repeat(MAX_KEY_PART_BYTES))).toHaveLength(MAX_KEY_PART_BYTES);
    expect(encodeKeyPart('é'.repeat(33))).toHaveLength(198);
  });

  it('never maps two names to one part, and decodes every part back (random names)', () => {
    // Deterministic (mulberry32) so a failure can be replayed.
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pool = [...'aAzZ09%:*?[]{}\\ \t\r\n\0#&!+._~-@/é€😀\u00a0\u2028\uFEFF', '%25', '%3A', 'ǅ'];
    const pick = (): string =>
      random() < 0.2 ? String.fromCodePoint(1 + Math.floor(random() * 0x2ffff)).replace(/\p{Surrogate}/u, 'x') : pool[Math.floor(random() * pool.length)]!;

    const seen = new Map<string, string>();
    for (let i = 0; i < 5000; i++) {
      const name = Array.from({ length: 1 + Math.floor(random() * 12) }, pick).join('');
      const encoded = encodeKeyPart(name);
      expect(encoded).toMatch(ENCODED_ALPHABET);
      expect(encoded).not.toMatch(FORBIDDEN);
      expect(decodeKeyPart(encoded)).toBe(name);
      const before = seen.get(encoded);
      if (before !== undefined) expect(before).toBe(name);
      seen.set(encoded, name);
    }
    expect(seen.size).toBeGreaterThan(4000);
  });
});

describe('decodeKeyPart', () => {
  it.each<[string, string]>([
    ['empty', ''],
    ['a raw separator', 'a:b'],
    ['a needless escape', '%41'],
    ['lower-case hex', 'caf%c3%a9'],
    ['a lone percent sign', '50%'],
    ['truncated UTF-8', 'caf%C3'],
    ['an encoded surrogate', '%ED%A0%80'],
    ['an over-long UTF-8 form', '%C0%AF'],
    ['more than the cap', 'x'.repeat(MAX_KEY_PART_BYTES + 1)],
  ])('refuses %s', (_name, input) => {
    expect(() => decodeKeyPart(input)).toThrow(KeyPartError);
  });
});

describe('idPart', () => {
  it.each<[number | string, string]>([
    [1, '1'],
    ['1', '1'],
    [42, '42'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    ['9007199254740991', '9007199254740991'],
  ])('accepts %j', (input, expected) => {
    expect(idPart(input)).toBe(expected);
  });

  it.each<[string, number | string]>([
    ['zero', 0],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an unsafe integer', 2 ** 53],
    ['an unsafe decimal string', '9007199254740992'],
    ['a leading zero', '01'],
    ['an empty string', ''],
    ['a space', ' 1'],
    ['an exponent', '1e3'],
    ['hex', '0x10'],
    ['another key', '1:2'],
    ['a glob', '1*'],
    ['null', null as unknown as string],
  ])('refuses %s', (_name, input) => {
    expect(() => idPart(input, 'userId')).toThrow(KeyPartError);
  });
});

describe('tokens, networks, type and field names', () => {
  it('accepts tokens of the allowed alphabet', () => {
    expect(tokenPart('worker-1.host@pod_7')).toBe('worker-1.host@pod_7');
    expect(tokenPart('x'.repeat(128))).toHaveLength(128);
  });

  it.each(['', 'x'.repeat(129), 'a:b', 'a b', '{x}', 'a*', 'é', 'a\nb'])('refuses the token %j', (token) => {
    expect(() => tokenPart(token, 'sessionId')).toThrow(KeyPartError);
  });

  it('folds network names to lower case', () => {
    expect(networkPart('Libera')).toBe('libera');
    expect(networkPart('irc.OFTC.net')).toBe('irc.oftc.net');
  });

  it.each(['', '-x', '.x', 'a'.repeat(33), 'a:b', 'a b', 'é'])('refuses the network %j', (network) => {
    expect(() => networkPart(network)).toThrow(KeyPartError);
  });

  it('checks object-store type and field names', () => {
    expect(typeNamePart('BotInfo')).toBe('BotInfo');
    expect(fieldNamePart('_nick2')).toBe('_nick2');
    for (const bad of ['botInfo', 'Bot:Info', 'Bot Info', '', 'B'.repeat(65)]) expect(() => typeNamePart(bad)).toThrow(KeyPartError);
    for (const bad of ['1nick', 'a-b', 'a:b', '', 'f'.repeat(65)]) expect(() => fieldNamePart(bad)).toThrow(KeyPartError);
  });
});

describe('KeyPartError', () => {
  it('names the part and the reason, and leaves the value out of the message', () => {
    let caught: unknown;
    try {
      tokenPart('secret token', 'token');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyPartError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as KeyPartError;
    expect(error.part).toBe('token');
    expect(error.reason).toMatch(/A-Z/);
    expect(error.name).toBe('KeyPartError');
    expect(error.message).not.toContain('secret');
  });
});
