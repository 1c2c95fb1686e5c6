/**
 * HTTP bodies of protocol.md's table (`/api/v1/...`). Request bodies are parsed by the gateway;
 * results and `ErrorBody` are what the client package may parse.
 */
import { z } from 'zod';
import { DisplayNick, MessageText, Nick, UpperSnake, UserId, keyMirror } from './common';

// Upper bound only to keep a hostile body from making the password hash expensive.
const PASSWORD_MAX = 1024;
export const NewPassword = z.string().min(8, 'expected at least 8 characters').max(PASSWORD_MAX);

export const RegisterBody = z.object({
  name: z.string().trim().min(1).max(100),
  email: z.email().max(254),
  // Stricter than an IRC nick (3-15) because a Parley nick is also a login name.
  // `app_…` nicks belong to SaaS apps' users (one per app identity, made by the gateway).
  nick: Nick.min(3)
    .max(15)
    .refine((nick) => !/^app_/i.test(nick), 'nicks starting with app_ are reserved'),
  password: NewPassword,
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const RegisterResult = z.object({ userId: UserId });
export type RegisterResult = z.infer<typeof RegisterResult>;

export const LoginBody = z.object({
  /** A nick or an e-mail address, compared case-insensitively by the gateway. */
  username: z.string().min(1).max(254),
  // No minimum length here: the rule for new passwords must not lock out older accounts.
  password: z.string().min(1).max(PASSWORD_MAX),
  /**
   * Extends protocol.md: a browser page that uses only the httpOnly cookie asks for the token to
   * be left out of the body (`CookieLoginResult`), so no script of the page ever holds it.
   */
  cookieOnly: z.boolean().optional(),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const LoginResult = z.object({ userId: UserId, token: z.string().min(1) });
export type LoginResult = z.infer<typeof LoginResult>;
/** The answer to a login with `cookieOnly: true`: the token is in the cookie only. */
export const CookieLoginResult = z.strictObject({ userId: UserId });
export type CookieLoginResult = z.infer<typeof CookieLoginResult>;

export const PasswordResetBody = z.object({ email: z.email().max(254) });
export type PasswordResetBody = z.infer<typeof PasswordResetBody>;

export const PasswordResetConfirmBody = z.object({ token: z.string().min(1).max(256), password: NewPassword });
export type PasswordResetConfirmBody = z.infer<typeof PasswordResetConfirmBody>;

/** `POST /api/v1/groups/:name/messages` with the room's `X-Api-Key`. */
/** `GET /api/v1/profile` (authenticated). */
export const Profile = z.object({
  userId: UserId,
  name: z.string(),
  email: z.string(),
  nick: z.string(),
  registrationTime: z.number().int(),
  lastLogin: z.number().int(),
});
export type Profile = z.infer<typeof Profile>;

/** `PATCH /api/v1/profile`: the fields to change (the nick is the login name and stays). */
export const ProfileUpdateBody = z
  .object({ name: z.string().trim().min(1).max(100).optional(), email: z.email().max(254).optional() })
  .refine((b) => b.name !== undefined || b.email !== undefined, { message: 'expected name or email' });
export type ProfileUpdateBody = z.infer<typeof ProfileUpdateBody>;

/** `POST /api/v1/password`: every other session of the user ends. */
export const ChangePasswordBody = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: NewPassword });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/** `DELETE /api/v1/account`: the password again, so a stolen token cannot delete an account. */
export const DeleteAccountBody = z.object({ password: z.string().min(1).max(1024) });
export type DeleteAccountBody = z.infer<typeof DeleteAccountBody>;

/**
 * `bot` (extends protocol.md): post as this service bot of the room instead of as `webhook`;
 * `action`: as a /me action.
 */
export const WebhookMessageBody = z.object({ text: MessageText.min(1), bot: DisplayNick.optional(), action: z.boolean().optional() });
export type WebhookMessageBody = z.infer<typeof WebhookMessageBody>;

/**
 * `POST /api/v1/apps/:appKey/login`: a third-party backend logs one of its users in. `signature` is
 * the hex HMAC-SHA256, keyed with the app's secret, of `appSigningText(...)`. The timestamp must
 * be within APP_LOGIN_SKEW_MS of the server's clock and the nonce unused.
 */
export const AppLoginBody = z.object({
  identity: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'expected 1-64 characters of A-Z a-z 0-9 _ . @ -'),
  timestamp: z.int().positive(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected 16-64 characters of A-Z a-z 0-9 _ -'),
  signature: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
});
export type AppLoginBody = z.infer<typeof AppLoginBody>;

/** What an app signs: its key, the user's identity, the timestamp (ms) and the nonce, one per line. */
export const appSigningText = (appKey: string, b: Pick<AppLoginBody, 'identity' | 'timestamp' | 'nonce'>): string => `${appKey}\n${b.identity}\n${b.timestamp}\n${b.nonce}`;

export const ERROR_CODES = keyMirror(
  'EMAIL_TAKEN',
  'NICK_TAKEN',
  'BAD_CREDENTIALS',
  'VALIDATION_FAILED',
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'INTERNAL',
  /** App login: a timestamp too far from the server's clock. */
  'STALE_REQUEST',
  /** App login: a nonce used before. */
  'REPLAYED',
  /** App login: the signature does not match. */
  'BAD_SIGNATURE',
  /** A cookie-authenticated request that changes something came without the `X-Parley-CSRF` header. */
  'CSRF_REJECTED',
);
export type HttpErrorCode = keyof typeof ERROR_CODES;

/**
 * Every HTTP error. `code` is any UPPER_SNAKE string rather than an enum so that a client keeps
 * working when the server adds a code; `fields` maps a bad field to its problem (400s).
 */
export const ErrorBody = z.object({
  error: z.object({
    code: UpperSnake,
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
