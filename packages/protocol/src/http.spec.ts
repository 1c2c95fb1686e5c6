import { type z } from 'zod';
import {
  AppLoginBody,
  appSigningText,
  ERROR_CODES,
  ErrorBody,
  LoginBody,
  LoginResult,
  CookieLoginResult,
  PasswordResetBody,
  PasswordResetConfirmBody,
  RegisterBody,
  RegisterResult,
  WebhookMessageBody,
} from './http';

const register = { name: 'Alice Liddell', email: 'alice@example.com', nick: 'alice', password: 'correct horse' };

const cases: [name: string, schema: z.ZodType, good: unknown, bad: [string, unknown][]][] = [
  [
    'RegisterBody',
    RegisterBody,
    register,
    [
      ['missing email', { ...register, email: undefined }],
      ['bad email', { ...register, email: 'alice' }],
      ['nick too short', { ...register, nick: 'al' }],
      ['nick too long', { ...register, nick: 'a'.repeat(16) }],
      ['nick starting with a digit', { ...register, nick: '1alice' }],
      ['nick with a space', { ...register, nick: 'ali ce' }],
      ['short password', { ...register, password: 'short' }],
      ['blank name', { ...register, name: '   ' }],
    ],
  ],
  ['RegisterResult', RegisterResult, { userId: 1 }, [['userId 0', { userId: 0 }]]],
  [
    'LoginBody',
    LoginBody,
    { username: 'Alice@Example.com', password: 'x' },
    [
      ['empty username', { username: '', password: 'x' }],
      ['missing password', { username: 'alice' }],
      ['cookieOnly not a boolean', { username: 'alice', password: 'x', cookieOnly: 'yes' }],
    ],
  ],
  ['LoginResult', LoginResult, { userId: 1, token: 't0k3n' }, [['no token', { userId: 1 }]]],
  ['CookieLoginResult', CookieLoginResult, { userId: 1 }, [['a token in the body', { userId: 1, token: 't0k3n' }]]],
  ['PasswordResetBody', PasswordResetBody, { email: 'a@b.co' }, [['not an email', { email: 'nope' }]]],
  [
    'PasswordResetConfirmBody',
    PasswordResetConfirmBody,
    { token: 'abc', password: '12345678' },
    [
      ['short password', { token: 'abc', password: '1234567' }],
      ['empty token', { token: '', password: '12345678' }],
    ],
  ],
  [
    'WebhookMessageBody',
    WebhookMessageBody,
    { text: 'deploy finished', bot: 'Botty', action: true },
    [
      ['empty text', { text: '' }],
      ['text too long', { text: 'x'.repeat(4001) }],
      ['a bot nick with a space', { text: 'x', bot: 'Bot ty' }],
      ['action not a boolean', { text: 'x', action: 'yes' }],
    ],
  ],
  [
    'ErrorBody',
    ErrorBody,
    { error: { code: 'VALIDATION_FAILED', message: 'bad', fields: { email: 'taken' } } },
    [
      ['lower-case code', { error: { code: 'bad_thing', message: 'x' } }],
      ['missing message', { error: { code: 'INTERNAL' } }],
      ['flat shape', { code: 'INTERNAL', message: 'x' }],
    ],
  ],
];

describe.each(cases)('%s', (_name, schema, good, bad) => {
  it('accepts a valid example', () => {
    expect(schema.safeParse(good).success).toBe(true);
  });
  it.each(bad)('refuses %s', (_case, value) => {
    expect(schema.safeParse(value).success).toBe(false);
  });
});

describe('app users', () => {
  it('reserves app_ nicks for the users of SaaS apps', () => {
    const body = { name: 'Mallory', email: 'm@example.com', password: 'long enough password' };
    expect(RegisterBody.safeParse({ ...body, nick: 'App_0123abcd' }).success).toBe(false);
    expect(RegisterBody.safeParse({ ...body, nick: 'apple' }).success).toBe(true);
  });
});

describe('app login', () => {
  it('signs the key, identity, timestamp and nonce one per line, and checks the body', () => {
    expect(appSigningText('demo', { identity: 'u-1', timestamp: 5, nonce: 'n' })).toBe('demo\nu-1\n5\nn');
    const body = { identity: 'u-1', timestamp: 1_795_000_000_000, nonce: 'abcdefghijklmnop', signature: 'a'.repeat(64) };
    expect(AppLoginBody.safeParse(body).success).toBe(true);
    expect(AppLoginBody.safeParse({ ...body, identity: 'a\nb' }).success).toBe(false);
    expect(AppLoginBody.safeParse({ ...body, nonce: 'short' }).success).toBe(false);
    expect(AppLoginBody.safeParse({ ...body, signature: 'A'.repeat(64) }).success).toBe(false);
  });
});

describe('ERROR_CODES', () => {
  it('holds the HTTP codes and each is a valid ErrorBody code', () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(
      ['BAD_CREDENTIALS', 'EMAIL_TAKEN', 'INTERNAL', 'NICK_TAKEN', 'NOT_FOUND', 'RATE_LIMITED', 'UNAUTHORIZED', 'VALIDATION_FAILED', 'STALE_REQUEST', 'REPLAYED', 'BAD_SIGNATURE', 'CSRF_REJECTED'].sort(),
    );
    for (const code of Object.values(ERROR_CODES)) {
      expect(ErrorBody.safeParse({ error: { code, message: 'm' } }).success).toBe(true);
    }
  });
});
