import { Inject, Injectable } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { appNonce, type ImKeys, imKeys, KeyPartError, user, userIndex, userIndexField } from '@parley/key-schema';
import { APP_CONFIG, REDIS } from '@parley/runtime';

/** What the gateway reads of a SaaS app (`im:app:<appKey>`, written by im-router's CLI). */
export interface App {
  secret: string;
  maxConnections: number;
}

/** SaaS apps' logins and live connections in Redis (keys from the key schema). */
@Injectable()
export class AppsRepository {
  private readonly im: ImKeys;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: { IM_KEY_PREFIX: string },
  ) {
    this.im = imKeys(config.IM_KEY_PREFIX);
  }

  /** The app, or undefined when there is none (or the key could not name one). */
  async app(appKey: string): Promise<App | undefined> {
    let raw: string | null;
    try {
      raw = await this.redis.get(this.im.app(appKey));
    } catch (err) {
      if (err instanceof KeyPartError) return undefined;
      throw err;
    }
    if (raw === null) return undefined;
    const parsed = JSON.parse(raw) as Partial<App>;
    if (typeof parsed.secret !== 'string' || typeof parsed.maxConnections !== 'number') throw new Error(`im:app:${appKey} is not an app`);
    return { secret: parsed.secret, maxConnections: parsed.maxConnections };
  }

  /** Takes the nonce for `ttlMs`; false when it was taken before (a replay). */
  async takeNonce(appKey: string, nonce: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(appNonce(appKey, nonce), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async userIdByNick(nick: string): Promise<number | undefined> {
    const id = await this.redis.hget(userIndex(), userIndexField.nick(nick));
    return id ? Number(id) : undefined;
  }

  /** The app a user belongs to, if any. */
  async appOf(userId: number): Promise<string | undefined> {
    return (await this.redis.hget(user(userId), 'app')) ?? undefined;
  }

  /**
   * Counts a session among the app's live connections unless the app has `max` already (checked
   * and taken in one step); false when it is full.
   */
  async connect(appKey: string, max: number, sessionId: string, info: Record<string, unknown>): Promise<boolean> {
    const taken = (await this.redis.eval(
      "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1",
      1,
      this.im.appConnection(appKey),
      sessionId,
      max,
      JSON.stringify(info),
    )) as number;
    return taken === 1;
  }

  async disconnect(appKey: string, sessionId: string): Promise<void> {
    await this.redis.hdel(this.im.appConnection(appKey), sessionId);
  }
}
