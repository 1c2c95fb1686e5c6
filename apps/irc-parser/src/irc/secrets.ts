import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Per-user IRC credentials (SASL) at rest: AES-256-GCM under the server's key
 * (`IRC_SECRET_KEY`, 32 bytes as 64 hex characters or base64). Stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url); a text that was tampered with does not decrypt.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** The box for the configured key; undefined without one (credentials cannot be stored then). */
  static fromConfig(value: string | undefined): SecretBox | undefined {
    if (!value) return undefined;
    const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
    if (key.length !== 32) throw new Error('IRC_SECRET_KEY must be 32 bytes: 64 hex characters or base64');
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plain text, or undefined when it does not decrypt (another key, or tampered with). */
  open(sealed: string): string | undefined {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** The SASL PLAIN payload (`authzid NUL authcid NUL password`, base64), in AUTHENTICATE chunks of 400. */
export function saslPlainChunks(account: string, password: string): string[] {
  const payload = Buffer.from(`${account}\0${account}\0${password}`, 'utf8').toString('base64');
  const chunks: string[] = [];
  for (let i = 0; i < payload.length; i += 400) chunks.push(payload.slice(i, i + 400));
  // A payload that fills its last chunk exactly is ended by `+`.
  if (payload.length % 400 === 0) chunks.push('+');
  return chunks;
}
