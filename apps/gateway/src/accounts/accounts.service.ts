import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hash, type Options, verify } from '@node-rs/argon2';
import { LoginBody, RegisterBody } from '@parley/protocol';
import { APP_CONFIG } from '@parley/runtime';
import type { z } from 'zod';
import { ApiError } from '../http/api-error';
import { AccountsRepository } from './accounts.repository';

// @node-rs/argon2 declares its algorithms as a const enum, which type-stripping compilers cannot
// inline: 2 is Argon2id. Parameters are the library's defaults (OWASP's minimum: 19 MiB, t=2).
const ARGON2ID = { algorithm: 2 as unknown as Options['algorithm'] };

export interface AccountsConfig {
  TOKEN_TTL_MS: number;
  LOGIN_LIMIT_WINDOW_MS: number;
  LOGIN_LIMIT_PER_IP: number;
  LOGIN_LIMIT_PER_ACCOUNT: number;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Registration, login and logout: protocol.md's account endpoints, without HTTP. */
@Injectable()
export class AccountsService {
  /** A real hash to verify against when the account does not exist, so timing tells nothing. */
  private readonly dummyHash = hash(randomBytes(16).toString('hex'), ARGON2ID);

  constructor(
    private readonly repo: AccountsRepository,
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

  async login(body: unknown, ip: string): Promise<{ userId: number; token: string; ttlMs: number }> {
    const input = validate(LoginBody, body);
    const { LOGIN_LIMIT_WINDOW_MS: window } = this.config;
    const [byIp, byAccount] = await Promise.all([
      this.repo.hit('login-ip', ip, window),
      this.repo.hit('login-account', input.username.toLowerCase(), window),
    ]);
    const over = [byIp.count > this.config.LOGIN_LIMIT_PER_IP ? byIp : undefined, byAccount.count > this.config.LOGIN_LIMIT_PER_ACCOUNT ? byAccount : undefined].filter((x) => x !== undefined);
    if (over.length > 0) {
      const retryAfter = Math.ceil(Math.max(...over.map((o) => o.resetMs)) / 1000);
      throw new ApiError(429, 'RATE_LIMITED', 'too many login attempts; try again later', undefined, { 'Retry-After': String(retryAfter) });
    }
    const account = await this.repo.findByLogin(input.username);
    const ok = account ? await verify(account.passwd, input.password) : (await verify(await this.dummyHash, input.password), false);
    if (!account || !ok) throw new ApiError(401, 'BAD_CREDENTIALS', 'wrong nick, e-mail or password');
    const token = randomBytes(32).toString('base64url');
    await this.repo.saveToken(account.userId, sha256(token), this.config.TOKEN_TTL_MS, ip);
    return { userId: account.userId, token, ttlMs: this.config.TOKEN_TTL_MS };
  }

  /** The user a token belongs to, or undefined when it is unknown or expired. */
  async authenticate(token: string): Promise<number | undefined> {
    return this.repo.tokenUser(sha256(token));
  }

  async logout(token: string, everywhere: boolean): Promise<void> {
    const userId = await this.authenticate(token);
    if (userId === undefined) throw new ApiError(401, 'UNAUTHORIZED', 'not logged in');
    if (everywhere) await this.repo.deleteAllTokens(userId);
    else await this.repo.deleteToken(userId, sha256(token));
  }
}

function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'body')] ??= issue.message;
  throw new ApiError(400, 'VALIDATION_FAILED', `invalid ${Object.keys(fields).join(', ')}`, fields);
}
