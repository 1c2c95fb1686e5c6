import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hash, type Options, verify } from '@node-rs/argon2';
import { type TerminateCode, ChangePasswordBody, DeleteAccountBody, LoginBody, PasswordResetBody, PasswordResetConfirmBody, type Profile, ProfileUpdateBody, RegisterBody } from '@parley/protocol';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import type { z } from 'zod';
import { ApiError } from '../http/api-error';
import { Mailer } from '../mail/mailer';
import { SessionsRepository } from '../sessions/sessions.repository';
import { AccountsRepository } from './accounts.repository';

// @node-rs/argon2 declares its algorithms as a const enum, which type-stripping compilers cannot
// inline: 2 is Argon2id. Parameters are the library's defaults (OWASP's minimum: 19 MiB, t=2).
const ARGON2ID = { algorithm: 2 as unknown as Options['algorithm'] };

export interface AccountsConfig {
  TOKEN_TTL_MS: number;
  LOGIN_LIMIT_WINDOW_MS: number;
  LOGIN_LIMIT_PER_IP: number;
  LOGIN_LIMIT_PER_ACCOUNT: number;
  RESET_TOKEN_TTL_MS: number;
  RESET_LIMIT_WINDOW_MS: number;
  RESET_LIMIT_PER_IP: number;
  RESET_LIMIT_PER_ACCOUNT: number;
  PUBLIC_URL: string;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Registration, login and logout: protocol.md's account endpoints, without HTTP. */
@Injectable()
export class AccountsService {
  /** A real hash to verify against when the account does not exist, so timing tells nothing. */
  private readonly dummyHash = hash(randomBytes(16).toString('hex'), ARGON2ID);

  constructor(
    private readonly repo: AccountsRepository,
    private readonly mailer: Mailer,
    private readonly sessions: SessionsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) private readonly config: AccountsConfig,
  ) {}

  async register(body: unknown, ip: string): Promise<{ userId: number }> {
    const input = validate(RegisterBody, body);
    const created = await this.repo.create({
      name: input.name,
      email: input.email,
      nick: input.nick,
      passwd: await hash(input.password, ARGON2ID),
      registrationtime: Math.floor(Date.now() / 1000),
      lastip: ip,
    });
    if (!created.ok) {
      const field = created.code === 'EMAIL_TAKEN' ? 'email' : 'nick';
      throw new ApiError(409, created.code, `that ${field === 'email' ? 'e-mail address' : 'nick'} is taken`, { [field]: 'taken' });
    }
    return { userId: created.userId };
  }

  async login(body: unknown, ip: string): Promise<{ userId: number; token: string; ttlMs: number; cookieOnly: boolean }> {
    const input = validate(LoginBody, body);
    const c = this.config;
    const subject = input.username.toLowerCase();
    // Every attempt counts against the client's IP; only failed ones against the account, so a
    // user signing in on many devices is never locked out, while guessing is.
    const [byIp, failures] = await Promise.all([this.repo.hit('login-ip', ip, c.LOGIN_LIMIT_WINDOW_MS), this.repo.peek('login-account', subject)]);
    if (byIp.count > c.LOGIN_LIMIT_PER_IP) tooMany('login', byIp.resetMs);
    if (failures.count >= c.LOGIN_LIMIT_PER_ACCOUNT) tooMany('login', failures.resetMs);
    const account = await this.repo.findByLogin(input.username);
    const ok = account ? await verify(account.passwd, input.password) : (await verify(await this.dummyHash, input.password), false);
    if (!account || !ok) {
      await this.repo.hit('login-account', subject, c.LOGIN_LIMIT_WINDOW_MS);
      throw new ApiError(401, 'BAD_CREDENTIALS', 'wrong nick, e-mail or password');
    }
    const token = randomBytes(32).toString('base64url');
    await this.repo.saveToken(account.userId, sha256(token), this.config.TOKEN_TTL_MS, ip);
    return { userId: account.userId, token, ttlMs: this.config.TOKEN_TTL_MS, cookieOnly: input.cookieOnly === true };
  }

  /**
   * Mails a one-time reset link if the address belongs to an account. The answer is the same
   * either way, so the endpoint does not tell who has an account.
   */
  async requestPasswordReset(body: unknown, ip: string): Promise<void> {
    const { email } = validate(PasswordResetBody, body);
    const c = this.config;
    await this.throttle('reset', ip, email.toLowerCase(), c.RESET_LIMIT_WINDOW_MS, c.RESET_LIMIT_PER_IP, c.RESET_LIMIT_PER_ACCOUNT);
    const userId = await this.repo.findIdByEmail(email);
    if (userId === undefined) return;
    const token = randomBytes(32).toString('base64url');
    await this.repo.saveResetToken(sha256(token), userId, c.RESET_TOKEN_TTL_MS);
    const to = (await this.repo.emailOf(userId)) ?? email;
    const link = `${c.PUBLIC_URL.replace(/\/$/, '')}/#/reset-password?token=${token}`;
    const hours = Math.round(c.RESET_TOKEN_TTL_MS / 3_600_000);
    // Not awaited: the answer must not take longer for an address that has an account.
    this.mailer.send(to, 'Reset your Parley password', `Someone asked to reset the password of your Parley account.\n\nTo choose a new password, open this link within ${hours} hours (it works once):\n${link}\n\nIf it was not you, ignore this message: your password stays as it is.`).catch((err: unknown) => this.logger.error({ err, userId }, 'password-reset e-mail could not be sent'));
  }

  /** Sets a new password with a reset token (once), and ends every session of the account. */
  async confirmPasswordReset(body: unknown): Promise<void> {
    const input = validate(PasswordResetConfirmBody, body);
    const userId = await this.repo.takeResetToken(sha256(input.token));
    if (userId === undefined) throw new ApiError(400, 'INVALID_TOKEN', 'this reset link is unknown, used or expired', { token: 'invalid' });
    await this.repo.setPassword(userId, await hash(input.password, ARGON2ID));
    await this.repo.deleteAllTokens(userId);
    await this.endSessions(userId, () => true, 'PASSWORD_CHANGED', 'the password was reset');
  }

  /** Counts an attempt per client IP and per account; answers 429 (with Retry-After) past either limit. */
  private async throttle(what: string, ip: string, account: string, windowMs: number, perIp: number, perAccount: number): Promise<void> {
    const [byIp, byAccount] = await Promise.all([this.repo.hit(`${what}-ip`, ip, windowMs), this.repo.hit(`${what}-account`, account, windowMs)]);
    if (byIp.count > perIp) tooMany(what, byIp.resetMs);
    if (byAccount.count > perAccount) tooMany(what, byAccount.resetMs);
  }

  async profile(userId: number): Promise<Profile> {
    const u = await this.repo.profile(userId);
    if (!u.passwd) throw new ApiError(401, 'UNAUTHORIZED', 'this account no longer exists');
    return { userId, name: u.name ?? '', email: u.email ?? '', nick: u.nick ?? '', registrationTime: Number(u.registrationtime ?? 0), lastLogin: Number(u.lastlogin ?? 0) };
  }

  async updateProfile(userId: number, body: unknown): Promise<Profile> {
    const input = validate(ProfileUpdateBody, body);
    if (input.email !== undefined && (await this.repo.changeEmail(userId, input.email)) === 'EMAIL_TAKEN') {
      throw new ApiError(409, 'EMAIL_TAKEN', 'that e-mail address is taken', { email: 'taken' });
    }
    if (input.name !== undefined) await this.repo.setName(userId, input.name);
    return this.profile(userId);
  }

  /** Checks the current password, sets the new one and ends every other session of the user. */
  async changePassword(caller: { userId: number; tokenHash: string }, body: unknown): Promise<void> {
    const input = validate(ChangePasswordBody, body);
    await this.checkPassword(caller.userId, input.currentPassword, 'currentPassword');
    await this.repo.setPassword(caller.userId, await hash(input.newPassword, ARGON2ID));
    await this.repo.deleteAllTokens(caller.userId, caller.tokenHash);
    await this.endSessions(caller.userId, (tokenHash) => tokenHash !== caller.tokenHash, 'PASSWORD_CHANGED', 'the password was changed');
  }

  /** Deletes the account (the password is asked again) with its index entries and tokens. */
  async deleteAccount(userId: number, body: unknown): Promise<void> {
    const input = validate(DeleteAccountBody, body);
    await this.checkPassword(userId, input.password, 'password');
    await this.repo.delete(userId);
    await this.endSessions(userId, () => true, 'ACCOUNT_REMOVED', 'the account was deleted');
  }

  private async checkPassword(userId: number, password: string, field: string): Promise<void> {
    const stored = await this.repo.passwordOf(userId);
    if (!stored || !(await verify(stored, password))) throw new ApiError(403, 'BAD_CREDENTIALS', 'wrong password', { [field]: 'wrong password' });
  }

  /** The user a token belongs to, or undefined when it is unknown or expired. */
  async authenticate(token: string): Promise<number | undefined> {
    return this.repo.tokenUser(sha256(token));
  }

  async logout(token: string, everywhere: boolean): Promise<void> {
    const userId = await this.authenticate(token);
    if (userId === undefined) throw new ApiError(401, 'UNAUTHORIZED', 'not logged in');
    await this.revoke(userId, everywhere ? undefined : sha256(token));
  }

  /**
   * Ends login tokens and the sessions running on them: one token (`tokenHash`) or all of the
   * user's. Each session's socket gets `terminate` with code LOGOUT.
   */
  async revoke(userId: number, tokenHash?: string): Promise<void> {
    if (tokenHash === undefined) await this.repo.deleteAllTokens(userId);
    else await this.repo.deleteToken(userId, tokenHash);
    await this.endSessions(userId, (h) => tokenHash === undefined || h === tokenHash, 'LOGOUT', 'logged out');
  }

  /**
   * A fresh token for a new session (MAS's refresh_session): the old one keeps working for
   * `graceMs` (other tabs, a reconnect in flight), then expires.
   */
  async rotateToken(userId: number, oldTokenHash: string, graceMs: number): Promise<{ token: string; tokenHash: string }> {
    const token = randomBytes(32).toString('base64url');
    const tokenHash = sha256(token);
    await this.repo.replaceToken(userId, oldTokenHash, tokenHash, this.config.TOKEN_TTL_MS, graceMs);
    return { token, tokenHash };
  }

  private async endSessions(userId: number, which: (tokenHash: string | null) => boolean, code: TerminateCode, reason: string): Promise<void> {
    for (const { sessionId, tokenHash } of await this.sessions.sessionTokens(userId)) {
      if (which(tokenHash)) await this.sessions.end({ userId, sessionId }, { code, reason });
    }
  }
}

function tooMany(what: string, resetMs: number): never {
  throw new ApiError(429, 'RATE_LIMITED', `too many ${what} attempts; try again later`, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(resetMs / 1000))) });
}

function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'body')] ??= issue.message;
  throw new ApiError(400, 'VALIDATION_FAILED', `invalid ${Object.keys(fields).join(', ')}`, fields);
}
