import { Inject, Injectable } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { authToken, authTokenPrefix, nextAvailableUserId, objectValue, passwordResetToken, rateLimit, settings, user, userAuthTokens, userIndex, userIndexField, userKeyPrefix, users } from '@parley/key-schema';
import { execOrThrow, REDIS } from '@parley/runtime';
import { gatewayScript } from '../lua';

const register = gatewayScript('register');
const updateEmail = gatewayScript('update-email');
const deleteAccount = gatewayScript('delete-account');

export interface NewAccount {
  name: string;
  email: string;
  nick: string;
  passwd: string;
  registrationtime: number;
  lastip: string;
  /** A SaaS app's user: the app it belongs to (written with the account, in the same step). */
  app?: string;
}

export interface StoredAccount {
  userId: number;
  name: string;
  email: string;
  nick: string;
  passwd: string;
}

/** Accounts, login tokens and attempt counters in Redis (keys from the key schema). */
@Injectable()
export class AccountsRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Creates the account atomically; refuses a taken e-mail or nick. */
  async create(account: NewAccount): Promise<{ ok: true; userId: number } | { ok: false; code: 'EMAIL_TAKEN' | 'NICK_TAKEN' }> {
    const fields: Record<string, string | number> = { ...account, inUse: 0, lastlogin: 0, nextwindowid: 0 };
    const [result, userId] = (await register.run(
      this.redis,
      // A nick reserved by another account as its alias (NickAlias, stored lower-cased) is taken
      // too, and so is a service bot's (BotInfo's nick is indexed caseless).
      [userIndex(), users(), nextAvailableUserId(), objectValue('NickAlias', 'nick', account.nick.toLowerCase()), objectValue('BotInfo', 'nick', account.nick.toLowerCase())],
      [userIndexField.email(account.email), userIndexField.nick(account.nick), userKeyPrefix(), ...Object.entries(fields).flat()],
    )) as [string, number?];
    if (result === 'OK' && userId !== undefined) return { ok: true, userId };
    if (result === 'EMAIL_TAKEN' || result === 'NICK_TAKEN') return { ok: false, code: result };
    throw new Error(`register.lua answered ${result}`);
  }

  /** The account whose nick or e-mail (case-insensitive) is `username`, if any. */
  async findByLogin(username: string): Promise<StoredAccount | undefined> {
    const field = username.includes('@') ? userIndexField.email(username) : userIndexField.nick(username);
    const id = await this.redis.hget(userIndex(), field);
    if (!id) return undefined;
    const [name, email, nick, passwd] = await this.redis.hmget(user(id), 'name', 'email', 'nick', 'passwd');
    if (!passwd) return undefined;
    return { userId: Number(id), name: name ?? '', email: email ?? '', nick: nick ?? '', passwd };
  }

  /** Stores a login token (by its hash) that expires after `ttlMs`, and records the login. */
  async saveToken(userId: number, tokenHash: string, ttlMs: number, ip: string): Promise<void> {
    const now = Date.now();
    const tx = this.addToken(userId, tokenHash, ttlMs, now)
      .zremrangebyscore(userAuthTokens(userId), '-inf', now)
      .hset(user(userId), 'lastlogin', Math.floor(now / 1000), 'lastip', ip);
    await execOrThrow(tx);
  }

  /** A new token in place of `oldHash`, which now expires within `graceMs` (never later than it would have). */
  async replaceToken(userId: number, oldHash: string, newHash: string, ttlMs: number, graceMs: number): Promise<void> {
    const now = Date.now();
    const tx = this.addToken(userId, newHash, ttlMs, now)
      .pexpire(authToken(oldHash), graceMs, 'LT')
      .zadd(userAuthTokens(userId), 'XX', 'LT', now + graceMs, oldHash);
    await execOrThrow(tx);
  }

  /** A transaction that starts by storing a token hash for `ttlMs`. */
  private addToken(userId: number, tokenHash: string, ttlMs: number, now: number) {
    return this.redis
      .multi()
      .hset(authToken(tokenHash), 'userId', userId, 'created', now)
      .pexpire(authToken(tokenHash), ttlMs)
      .zadd(userAuthTokens(userId), now + ttlMs, tokenHash);
  }

  /** The user id a token hash belongs to, if the token is live. */
  async tokenUser(tokenHash: string): Promise<number | undefined> {
    const id = await this.redis.hget(authToken(tokenHash), 'userId');
    return id ? Number(id) : undefined;
  }

  async deleteToken(userId: number, tokenHash: string): Promise<void> {
    await this.deleteTokenHashes(userId, [tokenHash]);
  }

  /** Ends every login token of the user, but `keep` (a token hash) when given. */
  async deleteAllTokens(userId: number, keep?: string): Promise<void> {
    const hashes = (await this.redis.zrange(userAuthTokens(userId), '0', '-1')).filter((h) => h !== keep);
    await this.deleteTokenHashes(userId, hashes);
  }

  private async deleteTokenHashes(userId: number, hashes: readonly string[]): Promise<void> {
    if (hashes.length === 0) return;
    const tx = this.redis.multi();
    for (const h of hashes) tx.del(authToken(h));
    await execOrThrow(tx.zrem(userAuthTokens(userId), ...hashes));
  }

  async profile(userId: number): Promise<Record<string, string>> {
    return this.redis.hgetall(user(userId));
  }

  async passwordOf(userId: number): Promise<string | undefined> {
    return (await this.redis.hget(user(userId), 'passwd')) ?? undefined;
  }

  async setName(userId: number, name: string): Promise<void> {
    await this.redis.hset(user(userId), 'name', name);
  }

  /** Moves the account to a new e-mail (and its index entry); retries if it changed meanwhile. */
  async changeEmail(userId: number, email: string): Promise<'OK' | 'EMAIL_TAKEN'> {
    for (;;) {
      const old = await this.redis.hget(user(userId), 'email');
      if (old === null) throw new Error(`user ${userId} has no account`);
      const result = (await updateEmail.run(this.redis, [userIndex(), user(userId)], [userId, old, userIndexField.email(old), email, userIndexField.email(email)])) as string;
      if (result === 'OK' || result === 'EMAIL_TAKEN') return result;
    }
  }

  /** Deletes the account, its index entries and its tokens; retries if its e-mail or nick changed meanwhile. */
  async delete(userId: number): Promise<void> {
    for (;;) {
      const [email, nick] = await this.redis.hmget(user(userId), 'email', 'nick');
      if (email == null || nick == null) return; // already gone
      const result = (await deleteAccount.run(
        this.redis,
        [userIndex(), users(), user(userId), userAuthTokens(userId), settings(userId)],
        [userId, email, userIndexField.email(email), nick, userIndexField.nick(nick), authTokenPrefix()],
      )) as string;
      if (result === 'OK') return;
    }
  }

  /** Stores a password-reset token (by its hash) for `userId`, usable until it expires. */
  async saveResetToken(tokenHash: string, userId: number, ttlMs: number): Promise<void> {
    await this.redis.set(passwordResetToken(tokenHash), userId, 'PX', ttlMs);
  }

  /** The user of a reset token, taking the token away in the same step (it works once). */
  async takeResetToken(tokenHash: string): Promise<number | undefined> {
    const id = await this.redis.getdel(passwordResetToken(tokenHash));
    return id ? Number(id) : undefined;
  }

  async findIdByEmail(email: string): Promise<number | undefined> {
    const id = await this.redis.hget(userIndex(), userIndexField.email(email));
    return id ? Number(id) : undefined;
  }

  async emailOf(userId: number): Promise<string | undefined> {
    return (await this.redis.hget(user(userId), 'email')) ?? undefined;
  }

  async setPassword(userId: number, passwd: string): Promise<void> {
    await this.redis.hset(user(userId), 'passwd', passwd);
  }

  /** The attempts counted in the current window, without counting one. */
  async peek(scope: string, subject: string): Promise<{ count: number; resetMs: number }> {
    const key = rateLimit(scope, subject);
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    return { count: Number(count ?? 0), resetMs: Math.max(0, ttl) };
  }

  /** Counts one attempt in a fixed window; returns the count and the ms left in the window. */
  async hit(scope: string, subject: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const key = rateLimit(scope, subject);
    const results = await execOrThrow(this.redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key));
    return { count: Number(results[0]![1]), resetMs: Math.max(0, Number(results[2]![1])) };
  }
}
