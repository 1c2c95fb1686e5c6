import { Inject, Injectable } from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import { group, groupBots } from '@parley/key-schema';
import { REDIS } from '@parley/runtime';

/** What the webhook endpoint reads of a room (loopback-parser owns and writes it). */
@Injectable()
export class WebhooksRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** The SHA-256 of the room's API key, if the room exists and has one. */
  async apiKeyHash(room: string): Promise<string | undefined> {
    return (await this.redis.hget(group(room), 'apikey')) ?? undefined;
  }

  /** The nick of the room's service bot called `nick` (ignoring case), if one is assigned to it. */
  async assignedBot(room: string, nick: string): Promise<string | undefined> {
    const wanted = nick.toLowerCase();
    return Object.values(await this.redis.hgetall(groupBots(room))).find((n) => n.toLowerCase() === wanted);
  }
}
