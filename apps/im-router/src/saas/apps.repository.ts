import { randomBytes } from 'node:crypto';
import type { RedisConnection as Redis } from '@parley/runtime';
import { type ImKeys, imKeys } from '@parley/key-schema';

/** A SaaS app as `im:app:<appKey>` holds it (JSON). */
export interface AppDetail {
  appKey: string;
  /** The HMAC-SHA256 key the app's backend signs its logins with (shown once, at creation). */
  secret: string;
  maxConnections: number;
  created: number;
}

/** The operator's side of SaaS apps: create one, show one (the CLI). */
export class AppsRepository {
  private readonly im: ImKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.im = imKeys(prefix);
  }

  /** A new app with a fresh secret; undefined when the key is taken. */
  async create(appKey: string, maxConnections: number): Promise<AppDetail | undefined> {
    const app: AppDetail = { appKey, secret: randomBytes(32).toString('base64url'), maxConnections, created: Date.now() };
    const set = await this.redis.set(this.im.app(appKey), JSON.stringify(app), 'NX');
    return set === 'OK' ? app : undefined;
  }

  /** The app without its secret, and how many of its users' sessions are live. */
  async show(appKey: string): Promise<(Omit<AppDetail, 'secret'> & { connections: number }) | undefined> {
    const raw = await this.redis.get(this.im.app(appKey));
    if (raw === null) return undefined;
    const { appKey: key, maxConnections, created } = JSON.parse(raw) as AppDetail;
    return { appKey: key, maxConnections, created, connections: await this.redis.hlen(this.im.appConnection(appKey)) };
  }
}
