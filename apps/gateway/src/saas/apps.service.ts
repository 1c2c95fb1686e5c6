import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hash, type Options } from '@node-rs/argon2';
import { AppLoginBody, appSigningText } from '@parley/protocol';
import { APP_CONFIG } from '@parley/runtime';
import { AccountsRepository } from '../accounts/accounts.repository';
import { ApiError } from '../http/api-error';
import { AppsRepository } from './apps.repository';

const ARGON2ID = { algorithm: 2 as unknown as Options['algorithm'] };
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface AppsConfig {
  TOKEN_TTL_MS: number;
  APP_LOGIN_SKEW_MS: number;
  LOGIN_LIMIT_WINDOW_MS: number;
  LOGIN_LIMIT_PER_IP: number;
}

/**
 * SaaS apps (ouyunc's appKey logins): a third-party backend logs its users in with a signed
 * request; each identity of an app is one Parley user bound to it.
 */
@Injectable()
export class AppsService {
  constructor(
    private readonly apps: AppsRepository,
    private readonly accounts: AccountsRepository,
    @Inject(APP_CONFIG) private readonly config: AppsConfig,
  ) {}

  async login(appKey: string, body: unknown, ip: string): Promise<{ userId: number; token: string }> {
    // An app's backend logs all its users in from a few addresses: only refused attempts count
    // against an address (guessing is limited, a busy app is not).
    const failures = await this.accounts.peek('app-login-ip', ip);
    if (failures.count >= this.config.LOGIN_LIMIT_PER_IP) throw new ApiError(429, 'RATE_LIMITED', 'too many refused logins; try again later');
    try {
      return await this.verifiedLogin(appKey, body, ip);
    } catch (err) {
      if (err instanceof ApiError && err.getStatus() === 401) await this.accounts.hit('app-login-ip', ip, this.config.LOGIN_LIMIT_WINDOW_MS);
      throw err;
    }
  }

  private async verifiedLogin(appKey: string, body: unknown, ip: string): Promise<{ userId: number; token: string }> {
    const parsed = AppLoginBody.safeParse(body);
    if (!parsed.success) {
      const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'body', i.message]));
      throw new ApiError(400, 'VALIDATION_FAILED', 'the login request is not valid', fields);
    }
    const input = parsed.data;
    const app = await this.apps.app(appKey);
    if (!app) throw new ApiError(404, 'NOT_FOUND', 'no such app');
    const skew = this.config.APP_LOGIN_SKEW_MS;
    if (Math.abs(Date.now() - input.timestamp) > skew) throw new ApiError(401, 'STALE_REQUEST', `the timestamp is more than ${skew} ms from the server's clock`);
    const expected = createHmac('sha256', app.secret).update(appSigningText(appKey, input)).digest();
    if (!timingSafeEqual(expected, Buffer.from(input.signature, 'hex'))) throw new ApiError(401, 'BAD_SIGNATURE', 'the signature does not match');
    // Only a correctly signed request uses its nonce up (a forger cannot burn the app's nonces).
    if (!(await this.apps.takeNonce(appKey, input.nonce, 2 * skew))) throw new ApiError(401, 'REPLAYED', 'this nonce was used before');
    const userId = await this.userOf(appKey, input.identity, ip);
    const token = randomBytes(32).toString('base64url');
    await this.accounts.saveToken(userId, sha256(token), this.config.TOKEN_TTL_MS, ip);
    return { userId, token };
  }

  /**
   * The Parley user of an app's identity, made at its first login with the app in its account (one
   * step): its nick is `app_` and 96 bits of a hash of app and identity (registration refuses `app_`
   * nicks), and no password works for it. A user found under that nick must belong to this app.
   */
  private async userOf(appKey: string, identity: string, ip: string): Promise<number> {
    const nick = `app_${sha256(`${appKey}\n${identity}`).slice(0, 24)}`;
    let userId = await this.apps.userIdByNick(nick);
    if (userId === undefined) {
      const created = await this.accounts.create({
        name: identity,
        email: `${nick}@apps.invalid`,
        nick,
        passwd: await hash(randomBytes(32).toString('hex'), ARGON2ID),
        registrationtime: Math.floor(Date.now() / 1000),
        lastip: ip,
        app: appKey,
      });
      // Two first logins at once: the other one made it.
      userId = created.ok ? created.userId : await this.apps.userIdByNick(nick);
      if (userId === undefined) throw new Error(`app user ${nick} could not be made (${created.ok ? 'ok' : created.code})`);
    }
    const owner = await this.apps.appOf(userId);
    if (owner !== appKey) throw new Error(`user ${userId} (${nick}) does not belong to app ${appKey}`);
    return userId;
  }
}
