import { BUILTIN_NETWORK } from '@parley/protocol';
import { foldCase, type CaseMapping } from './casemapping';

/** A key part that was refused. `part` names the argument; the value itself is left out on purpose
 * (it may be a reset token or a session id, which must not end up in logs). */
export class KeyPartError extends Error {
  override readonly name = 'KeyPartError';

  constructor(
    readonly part: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`invalid key part '${part}': ${reason}`, options);
  }
}

/** Longest encoded user-controlled part. Longer names are refused, never truncated: two long names
 * with a common head would otherwise share a key. */
export const MAX_KEY_PART_BYTES = 200;

/** The network of Parley's own rooms. */
export { BUILTIN_NETWORK };

/** A numeric id as callers hold it: a number, or its decimal string as read back from Redis. */
export type NumericId = number | string;

const DECIMAL = /^[1-9][0-9]{0,15}$/;
const TOKEN = /^[A-Za-z0-9_.@-]{1,128}$/;
const NETWORK = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const TYPE_NAME = /^[A-Z][A-Za-z0-9_]{0,63}$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

// `typeof` guards here and below are for plain-JS callers and values parsed from the wire.
const isDecimal = (value: unknown): boolean =>
  typeof value === 'string' && DECIMAL.test(value) && Number.isSafeInteger(Number(value));

/** A positive safe integer (userId, windowId, object id), in its canonical decimal form. */
export function idPart(value: NumericId, part = 'id'): string {
  if (typeof value === 'number' ? Number.isSafeInteger(value) && value > 0 : isDecimal(value)) {
    return String(value);
  }
  throw new KeyPartError(part, 'must be a positive safe integer (digits, no leading zero)');
}

/** Like `idPart`, for parsers that hand the id back as a number. */
export function parseId(value: string, part = 'id'): number {
  return Number(idPart(value, part));
}

/** An opaque token (session id, reset token, consumer id, device id, app key, message id, uuid). */
export function tokenPart(value: string, part = 'token'): string {
  return checked(value, TOKEN, part, 'must be 1-128 of A-Z a-z 0-9 _ . @ -');
}

/** An operator-defined network name, folded to lower case. */
export function networkPart(value: string, part = 'network'): string {
  return checked(value, NETWORK, part, 'must be a letter or digit then up to 31 of A-Z a-z 0-9 _ . -').toLowerCase();
}

/** An object-store type name (`BotInfo`, `NickCore`). */
export function typeNamePart(value: string, part = 'type'): string {
  return checked(value, TYPE_NAME, part, 'must be an upper-case letter then up to 63 of A-Z a-z 0-9 _');
}

/** An object-store field name (`nick`, `email`). */
export function fieldNamePart(value: string, part = 'field'): string {
  return checked(value, FIELD_NAME, part, 'must be a letter or _ then up to 63 of A-Z a-z 0-9 _');
}

function checked(value: string, pattern: RegExp, part: string, reason: string): string {
  if (typeof value === 'string' && pattern.test(value)) return value;
  throw new KeyPartError(part, reason);
}

// Bytes kept as they are. Everything else, '%' first of all, becomes %XX, which is what makes the
// encoding injective and keeps ':' (separator), glob characters, '{}' (cluster hash tags), '\',
// whitespace and control characters out of every key.
const SAFE = /^[A-Za-z0-9#&!+._~-]*$/;
const BYTE_TEXT: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const c = String.fromCharCode(byte);
  return byte < 0x80 && SAFE.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});
const ENCODED = /^(?:[A-Za-z0-9#&!+._~-]|%[0-9A-F]{2})+$/;
// With the `u` flag this matches only unpaired surrogates; UTF-8 cannot carry them, and replacing
// them (as TextEncoder does) would map different names to one key.
const LONE_SURROGATE = /\p{Surrogate}/u;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const tooLong = (part: string): KeyPartError =>
  new KeyPartError(part, `encodes to more than ${MAX_KEY_PART_BYTES} bytes`);

/** Percent-encodes a user-controlled name (room, nick, object-store value) for use as one key part. */
export function encodeKeyPart(value: string, part = 'name'): string {
  if (typeof value !== 'string' || value === '') throw new KeyPartError(part, 'must be a non-empty string');
  // Every UTF-16 unit encodes to at least one byte, so this bounds the work before encoding.
  if (value.length > MAX_KEY_PART_BYTES) throw tooLong(part);
  if (LONE_SURROGATE.test(value)) throw new KeyPartError(part, 'contains an unpaired surrogate');
  let out = '';
  if (SAFE.test(value)) out = value;
  else for (const byte of utf8.encode(value)) out += BYTE_TEXT[byte];
  if (out.length > MAX_KEY_PART_BYTES) throw tooLong(part);
  return out;
}

/** Inverts `encodeKeyPart`. Accepts only what `encodeKeyPart` produces (upper-case hex, no
 * needless escapes), so one name has exactly one spelling inside keys. */
export function decodeKeyPart(encoded: string, part = 'name'): string {
  if (typeof encoded !== 'string' || encoded.length > MAX_KEY_PART_BYTES || !ENCODED.test(encoded)) {
    throw new KeyPartError(part, 'is not an encoded key part');
  }
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '%') {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(encoded.charCodeAt(i));
    }
  }
  let decoded: string;
  try {
    decoded = strictUtf8.decode(Uint8Array.from(bytes));
  } catch (cause) {
    throw new KeyPartError(part, 'does not decode to UTF-8', { cause });
  }
  if (encodeKeyPart(decoded, part) !== encoded) throw new KeyPartError(part, 'is not in canonical encoding');
  return decoded;
}

/** An IRC nick or channel name: folded with the network's case mapping, then encoded. */
export function ircNamePart(name: string, mapping: CaseMapping, part = 'name'): string {
  if (typeof name !== 'string') throw new KeyPartError(part, 'must be a non-empty string');
  return encodeKeyPart(foldCase(name, mapping), part);
}

/** A room of the built-in network: its names compare like IRC channel names under rfc1459. */
export function roomNamePart(name: string, part = 'room'): string {
  return ircNamePart(name, 'rfc1459', part);
}
