import { randomBytes } from 'node:crypto';
import { saslPlainChunks, SecretBox } from './secrets';

describe('SecretBox', () => {
  const key = randomBytes(32).toString('hex');

  it('seals and opens; the sealed text does not hold the secret', () => {
    const box = SecretBox.fromConfig(key)!;
    const sealed = box.seal('{"account":"alice","password":"hunter2"}');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed)).toBe('{"account":"alice","password":"hunter2"}');
    // Every seal is different (a fresh IV).
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('does not open what another key sealed, or what was tampered with', () => {
    const box = SecretBox.fromConfig(key)!;
    const sealed = box.seal('secret');
    expect(SecretBox.fromConfig(randomBytes(32).toString('base64'))!.open(sealed)).toBeUndefined();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(box.open(parts.join('.'))).toBeUndefined();
    expect(box.open('garbage')).toBeUndefined();
  });

  it('wants a 32-byte key, and no key means no box', () => {
    expect(SecretBox.fromConfig(undefined)).toBeUndefined();
    expect(() => SecretBox.fromConfig('abcd')).toThrow(/32 bytes/);
  });
});

describe('saslPlainChunks', () => {
  it('encodes authzid NUL authcid NUL password, in chunks of 400 ending with + when exact', () => {
    expect(saslPlainChunks('alice', 'pw')).toEqual([Buffer.from('alice\0alice\0pw').toString('base64')]);
    // 300 bytes of payload → 400 base64 characters exactly: a `+` follows.
    const exact = saslPlainChunks('a', 'p'.repeat(296));
    expect(exact).toHaveLength(2);
    expect(exact[0]).toHaveLength(400);
    expect(exact[1]).toBe('+');
  });
});
