import 'reflect-metadata';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { passwordResetToken, settings, user, userIndex, users } from '@parley/key-schema';
import { baseConfigShape, loadConfig } from '@parley/runtime';
import { eventually, useTestRedis } from '@parley/testing';
import { AppModule } from '../src/app.module';
import { gatewayConfigShape } from '../src/config';

describe('accounts over HTTP (real Redis)', () => {
  const redis = useTestRedis();
  let app: INestApplication;
  let base: string;
  let dataDir: string;

  async function startGateway(env: Record<string, string> = {}) {
    await app?.close();
    const config = loadConfig('gateway', { ...baseConfigShape, ...gatewayConfigShape }, { REDIS_URL: redis.space.url, LOGIN_LIMIT_PER_ACCOUNT: '3', LOGIN_LIMIT_PER_IP: '1000', DATA_DIR: dataDir, PUBLIC_URL: 'https://chat.example.org', ...env });
    app = await NestFactory.create(AppModule.register(config, pino({ level: 'silent' })), { logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer() as { address(): { port: number } }).address().port}/api/v1`;
  }

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-gateway-'));
    await startGateway();
  });
  afterEach(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The e-mails written to DATA_DIR/mail (no SMTP_URL in tests). */
  const mails = () => {
    try {
      return readdirSync(join(dataDir, 'mail'))
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => readFileSync(join(dataDir, 'mail', f), 'utf8'));
    } catch {
      return [];
    }
  };
  /** The mail is sent after the answer (so timing tells nothing): wait for the nth. */
  const mailsArrived = (n: number) => eventually(mails, (m) => m.length >= n, `${n} e-mail(s)`);
  const resetToken = (mail: string) => /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail)![1]!;

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const alice = { name: 'Alice A', email: 'Alice@Example.com', nick: 'alice', password: 'correct horse' };

  it('registers an account with an argon2id hash, indexed by e-mail and nick', async () => {
    const res = await post('register', alice);
    expect(res.status).toBe(201);
    const { userId } = (await res.json()) as { userId: number };
    const stored = await redis.space.redis.hgetall(user(userId));
    expect(stored).toMatchObject({ name: 'Alice A', email: 'Alice@Example.com', nick: 'alice', inUse: '0', nextwindowid: '0' });
    expect(stored.passwd).toMatch(/^\$argon2id\$/);
    expect(stored.passwd).not.toContain('correct horse');
    expect(await redis.space.redis.hgetall(userIndex())).toEqual({ 'email:alice@example.com': String(userId), 'nick:alice': String(userId) });
    expect(await redis.space.redis.smembers(users())).toEqual([String(userId)]);
  });

  it.each([
    [{ ...alice, nick: '1alice' }, 'nick'],
    [{ ...alice, nick: 'al' }, 'nick'],
    [{ ...alice, password: 'short' }, 'password'],
    [{ ...alice, email: 'not-an-email' }, 'email'],
    [{ ...alice, name: undefined }, 'name'],
  ])('refuses a bad field with 400 naming it (%j)', async (body, field) => {
    const res = await post('register', body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(error.fields)).toEqual([field]);
  });

  it('lets exactly one of many racing registrations for one nick win', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => post('register', { ...alice, email: `a${i}@example.com`, nick: i % 2 ? 'RACER' : 'racer' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    const codes = await Promise.all(results.filter((r) => r.status === 409).map(async (r) => ((await r.json()) as { error: { code: string } }).error.code));
    expect(new Set(codes)).toEqual(new Set(['NICK_TAKEN']));
    expect(await redis.space.redis.scard(users())).toBe(1);
  });

  it('refuses a taken e-mail, whatever its case', async () => {
    await post('register', alice);
    const res = await post('register', { ...alice, nick: 'other', email: 'ALICE@example.COM' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('EMAIL_TAKEN');
  });

  it('logs in by nick or e-mail (any case) with an httpOnly SameSite cookie; refuses a wrong password', async () => {
    await post('register', alice);
    for (const username of ['ALICE', 'alice@example.com']) {
      const res = await post('login', { username, password: 'correct horse' });
      expect(res.status).toBe(200);
      const { token } = (await res.json()) as { token: string };
      expect(token.length).toBeGreaterThanOrEqual(40);
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toContain(`parley_token=${token}`);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      // Only a hash of the token is stored.
      expect(await redis.space.redis.keys(`*${token}*`)).toEqual([]);
    }
    // A page that uses only the cookie gets no token in the body.
    const browser = await post('login', { username: 'alice', password: 'correct horse', cookieOnly: true });
    expect(browser.status).toBe(200);
    expect(await browser.json()).toEqual({ userId: expect.any(Number) as number });
    expect(browser.headers.get('set-cookie')).toMatch(/^parley_token=[A-Za-z0-9_-]{40,};.*HttpOnly/);
    const wrong = await post('login', { username: 'alice', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('BAD_CREDENTIALS');
    const unknown = await post('login', { username: 'nobody', password: 'whatever1' });
    expect(unknown.status).toBe(401);
  });

  it('throttles repeated failed logins for one account with 429 and Retry-After', async () => {
    await post('register', alice);
    // Successful logins do not count against the account.
    for (let i = 0; i < 5; i++) expect((await post('login', { username: 'alice', password: 'correct horse' })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('login', { username: 'ALICE', password: 'wrong password' })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const blocked = await post('login', { username: 'alice', password: 'correct horse' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('logs out one token, or every token of the user', async () => {
    await post('register', alice);
    const login = async () => ((await (await post('login', { username: 'alice', password: 'correct horse' })).json()) as { token: string }).token;
    const [a, b, c] = [await login(), await login(), await login()];
    expect((await post('logout', {}, { authorization: `Bearer ${a}` })).status).toBe(204);
    expect((await post('logout', {}, { authorization: `Bearer ${a}` })).status).toBe(401);
    // The cookie alone, as another site's form would send it: refused (CSRF); with the header a page of ours adds: done.
    const forged = await post('logout', { all: true }, { cookie: `parley_token=${b}` });
    expect([forged.status, ((await forged.json()) as { error: { code: string } }).error.code]).toEqual([403, 'CSRF_REJECTED']);
    expect((await post('logout', { all: true }, { cookie: `parley_token=${b}`, 'x-parley-csrf': '1' })).status).toBe(204);
    expect((await post('logout', {}, { authorization: `Bearer ${c}` })).status).toBe(401);
  });

  it('resets a password with a mailed one-time link, ending every session', async () => {
    await post('register', alice);
    const oldToken = ((await (await post('login', { username: 'alice', password: 'correct horse' })).json()) as { token: string }).token;
    expect((await post('password-reset', { email: 'ALICE@example.com' })).status).toBe(202);
    const [mail] = await mailsArrived(1);
    expect(mail).toContain('To: Alice@Example.com');
    expect(mail).toContain('https://chat.example.org/#/reset-password?token=');
    const token = resetToken(mail!);
    // Stored only as a hash, for 24 hours.
    expect(await redis.space.redis.exists(passwordResetToken(token))).toBe(0);
    const [key] = await redis.space.redis.keys('passwordresettoken:*');
    expect(await redis.space.redis.pttl(key!)).toBeGreaterThan(23 * 3600 * 1000);

    expect((await post('password-reset/confirm', { token, password: 'battery staple' })).status).toBe(204);
    expect((await post('password-reset/confirm', { token, password: 'battery staple 2' })).status).toBe(400);
    expect((await post('login', { username: 'alice', password: 'correct horse' })).status).toBe(401);
    expect((await post('login', { username: 'alice', password: 'battery staple' })).status).toBe(200);
    expect((await post('logout', {}, { authorization: `Bearer ${oldToken}` })).status).toBe(401);
  });

  it('answers 202 for an unknown address without sending anything, and refuses an expired link', async () => {
    expect((await post('password-reset', { email: 'nobody@example.com' })).status).toBe(202);
    expect(mails()).toEqual([]);
    await post('register', alice);
    await post('password-reset', { email: alice.email });
    const arrived = await mailsArrived(1);
    // Only Alice's: the unknown address, asked for first, got nothing.
    expect(arrived).toHaveLength(1);
    expect(arrived[0]).toContain('To: Alice@Example.com');
    const token = resetToken(arrived[0]!);
    const [key] = await redis.space.redis.keys('passwordresettoken:*');
    await redis.space.redis.pexpire(key!, 1);
    await eventually(() => redis.space.redis.exists(key!), (n) => n === 0, 'the token expired');
    const res = await post('password-reset/confirm', { token, password: 'battery staple' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INVALID_TOKEN');
  });

  it('throttles reset requests per address', async () => {
    await post('register', alice);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('password-reset', { email: alice.email })).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    expect(await mailsArrived(3)).toHaveLength(3);
  });

  const send = (method: string, path: string, token: string | undefined, body?: unknown) =>
    fetch(`${base}/${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const loginAs = async (username: string, password: string) => ((await (await post('login', { username, password })).json()) as { token: string }).token;

  it('shows and updates the profile of the caller only, moving the e-mail index atomically', async () => {
    await post('register', alice);
    await post('register', { ...alice, email: 'bob@example.com', nick: 'bob' });
    expect((await send('GET', 'profile', undefined)).status).toBe(401);
    expect((await send('GET', 'profile', 'forged-token')).status).toBe(401);
    const token = await loginAs('alice', alice.password);
    const profile = (await (await send('GET', 'profile', token)).json()) as { nick: string; email: string; passwd?: string };
    expect(profile).toMatchObject({ nick: 'alice', email: 'Alice@Example.com', name: 'Alice A' });
    expect(profile.passwd).toBeUndefined();
    const taken = await send('PATCH', 'profile', token, { email: 'BOB@example.com' });
    expect(taken.status).toBe(409);
    const updated = await send('PATCH', 'profile', token, { email: 'alice@new.example', name: 'Alice B' });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ email: 'alice@new.example', name: 'Alice B' });
    expect(await redis.space.redis.hget(userIndex(), 'email:alice@example.com')).toBeNull();
    expect((await post('login', { username: 'alice@new.example', password: alice.password })).status).toBe(200);
    expect((await send('PATCH', 'profile', token, {})).status).toBe(400);
  });

  it('changes the password with the current one, ending every other session', async () => {
    await post('register', alice);
    const [mine, other] = [await loginAs('alice', alice.password), await loginAs('alice', alice.password)];
    const wrong = await send('POST', 'password', mine, { currentPassword: 'not it', newPassword: 'battery staple' });
    expect(wrong.status).toBe(403);
    expect((await send('POST', 'password', mine, { currentPassword: alice.password, newPassword: 'battery staple' })).status).toBe(204);
    expect((await send('GET', 'profile', mine)).status).toBe(200);
    expect((await send('GET', 'profile', other)).status).toBe(401);
    expect((await post('login', { username: 'alice', password: 'battery staple' })).status).toBe(200);
  });

  it('deletes the account with its password: keys, index, settings, tokens; the nick is free again', async () => {
    const { userId } = (await (await post('register', alice)).json()) as { userId: number };
    const token = await loginAs('alice', alice.password);
    await redis.space.redis.hset(settings(userId), 'theme', '"dark"');
    expect((await send('DELETE', 'account', token, { password: 'not it' })).status).toBe(403);
    expect((await send('DELETE', 'account', token, { password: alice.password })).status).toBe(204);
    expect(await redis.space.redis.exists(user(userId), settings(userId))).toBe(0);
    expect(await redis.space.redis.hlen(userIndex())).toBe(0);
    expect(await redis.space.redis.sismember(users(), String(userId))).toBe(0);
    expect(await redis.space.redis.keys('authtoken*')).toEqual([]);
    expect((await send('GET', 'profile', token)).status).toBe(401);
    expect((await post('register', alice)).status).toBe(201);
  });

  it('marks the cookie Secure behind a trusted TLS proxy, and only then', async () => {
    await post('register', alice);
    const login = () => post('login', { username: 'alice', password: alice.password }, { 'x-forwarded-proto': 'https' });
    expect((await login()).headers.get('set-cookie')).not.toMatch(/Secure/);
    await startGateway({ TRUST_PROXY: 'loopback' });
    expect((await login()).headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('answers malformed bodies and unknown routes in the error shape, and keeps serving', async () => {
    const bad = await post('register', '{"name": ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    for (let i = 0; i < 200; i++) {
      const junk = [null, 42, 'x', [], { username: 7 }, { name: 'x'.repeat(10_000) }][i % 6];
      const res = await post(i % 2 ? 'login' : 'register', junk);
      expect(res.status).toBe(400);
    }
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await post('register', alice)).status).toBe(201);
  });
});
