import { timingSafeEqual } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { InboxSender } from '@parley/inbox';
import { RoomName, WebhookMessageBody } from '@parley/protocol';
import { APP_CONFIG } from '@parley/runtime';
import { AccountsRepository } from '../accounts/accounts.repository';
import { sha256 } from '../accounts/accounts.service';
import { ApiError } from '../http/api-error';
import { WebhooksRepository } from './webhooks.repository';

export interface WebhooksConfig {
  WEBHOOK_LIMIT_PER_MIN: number;
}

/**
 * protocol.md's `POST /api/v1/groups/:name/messages`: a room's integration posts with the room's
 * API key (`X-Api-Key`). The key is compared by its SHA-256 in constant time; posts are rate
 * limited per room; the message goes to loopback-parser, which stores and fans it out.
 */
@Controller('api/v1/groups')
export class WebhooksController {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly limits: AccountsRepository,
    private readonly sender: InboxSender,
    @Inject(APP_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  @Post(':name/messages')
  @HttpCode(202)
  async post(@Param('name') name: string, @Headers('x-api-key') apiKey: string | undefined, @Body() body: unknown): Promise<void> {
    const room = RoomName.safeParse(name);
    if (!room.success) throw new ApiError(400, 'VALIDATION_FAILED', 'invalid room name', { name: room.error.issues[0]?.message ?? 'invalid' });
    const input = WebhookMessageBody.safeParse(body);
    if (!input.success) {
      const issue = input.error.issues[0];
      const field = String(issue?.path[0] ?? 'text');
      throw new ApiError(400, 'VALIDATION_FAILED', `invalid ${field}`, { [field]: issue?.message ?? 'invalid' });
    }
    const limit = await this.limits.hit('webhook', room.data.toLowerCase(), 60_000);
    if (limit.count > this.config.WEBHOOK_LIMIT_PER_MIN) {
      throw new ApiError(429, 'RATE_LIMITED', 'too many posts to this room; try again later', undefined, { 'Retry-After': String(Math.max(1, Math.ceil(limit.resetMs / 1000))) });
    }
    const stored = await this.repo.apiKeyHash(room.data);
    const given = Buffer.from(sha256(apiKey ?? ''), 'hex');
    if (!apiKey || !stored || stored.length !== given.length * 2 || !timingSafeEqual(Buffer.from(stored, 'hex'), given)) {
      throw new ApiError(401, 'UNAUTHORIZED', 'wrong or missing API key for this room');
    }
    // As one of the room's service bots: it must be assigned to the room (said now, not dropped later).
    const { text, bot, action } = input.data;
    const botNick = bot === undefined ? undefined : await this.repo.assignedBot(room.data, bot);
    if (bot !== undefined && botNick === undefined) throw new ApiError(404, 'NOT_FOUND', `no service bot ${bot} is assigned to this room`, { bot: 'not assigned to this room' });
    await this.sender.send('loopbackparser', [{ v: 1, type: 'webhook', group: room.data, text, ...(botNick !== undefined ? { bot: botNick } : {}), ...(action ? { action } : {}) }]);
  }
}
