import { Inject, Injectable } from '@nestjs/common';
import { RequestReplies } from '@parley/inbox';
import { historyPage, type ImJobHandlers, type ImJobPayload, type ReplyTo } from '@parley/protocol';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import type { ImConfig } from '../im.config';
import { ImRepository } from './im.repository';

/**
 * One handler per job of the im-router queue. Each client request is one Lua step (im.repository)
 * that checks the rules, changes the state, tells the users' sessions and answers the request,
 * so a job retried after a crash finds its answer stored and does nothing twice.
 */
@Injectable()
export class ImHandlers implements ImJobHandlers {
  constructor(
    private readonly repo: ImRepository,
    private readonly replies: RequestReplies,
    @Inject(APP_CONFIG) private readonly config: ImConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private address(userId: number, replyTo: ReplyTo) {
    return { userId, ...replyTo };
  }

  REQUEST_FRIEND = async (job: ImJobPayload<'REQUEST_FRIEND'>): Promise<void> => {
    const to = this.address(job.userId, job.replyTo);
    const target = job.target.userId ?? (await this.repo.userIdByNick(job.target.nick));
    if (target === undefined) return void (await this.replies.fail(to, 'NOT_FOUND', 'no such user'));
    await this.repo.friends('request', job.userId, target, to);
  };

  FRIEND_VERDICT = async (job: ImJobPayload<'FRIEND_VERDICT'>): Promise<void> => {
    await this.repo.friends('verdict', job.userId, job.requesterId, this.address(job.userId, job.replyTo), job.allow);
  };

  REMOVE_FRIEND = async (job: ImJobPayload<'REMOVE_FRIEND'>): Promise<void> => {
    await this.repo.friends('remove', job.userId, job.targetUserId, this.address(job.userId, job.replyTo));
  };

  BLOCK = async (job: ImJobPayload<'BLOCK'>): Promise<void> => {
    await this.repo.friends('block', job.userId, job.targetUserId, this.address(job.userId, job.replyTo));
  };

  UNBLOCK = async (job: ImJobPayload<'UNBLOCK'>): Promise<void> => {
    await this.repo.friends('unblock', job.userId, job.targetUserId, this.address(job.userId, job.replyTo));
  };

  CHAT = async (job: ImJobPayload<'CHAT'>): Promise<void> => {
    await this.repo.chat(job.userId, job.targetUserId, this.address(job.userId, job.replyTo));
  };

  SEND_DIRECT = async (job: ImJobPayload<'SEND_DIRECT'>): Promise<void> => {
    await this.repo.send(job.userId, job.targetUserId, job.text, job.clientMsgId, this.address(job.userId, job.replyTo));
  };

  READ = async (job: ImJobPayload<'READ'>): Promise<void> => {
    await this.repo.read(job.userId, job.peerUserId, job.gid, this.address(job.userId, job.replyTo));
  };

  FETCH_DIRECT = async (job: ImJobPayload<'FETCH_DIRECT'>): Promise<void> => {
    const to = this.address(job.userId, job.replyTo);
    if (!(await this.repo.directWindow(job.userId, job.windowId))) return void (await this.replies.fail(to, 'NOT_FOUND', 'no such window'));
    await this.replies.answer(to, { status: 'OK', messages: historyPage(await this.repo.history(job.userId, job.windowId), job, job.windowId) });
  };

  CLOSE_DIRECT = async (job: ImJobPayload<'CLOSE_DIRECT'>): Promise<void> => {
    const to = this.address(job.userId, job.replyTo);
    const direct = await this.repo.directWindow(job.userId, job.windowId);
    if (!direct) return void (await this.replies.fail(to, 'NOT_FOUND', 'no such window'));
    await this.repo.close(job.userId, job.windowId, direct.peer, to);
  };

  OFFLINE_DELIVERED = async (job: ImJobPayload<'OFFLINE_DELIVERED'>): Promise<void> => {
    await this.repo.offlineDelivered(job.userId, job.upTo);
  };

  SESSION_STARTED = async (job: ImJobPayload<'SESSION_STARTED'>): Promise<void> => {
    await this.repo.presence(job.userId, 'started', job.sessionId, job.device);
  };

  SESSION_ENDED = async (job: ImJobPayload<'SESSION_ENDED'>): Promise<void> => {
    await this.repo.presence(job.userId, 'ended', job.sessionId);
  };

  PRESENCE_CHECK = async (job: ImJobPayload<'PRESENCE_CHECK'>): Promise<void> => {
    await this.repo.presence(job.userId, 'check');
  };

  /** Scheduled: every user's direct messages older than IM_MESSAGE_TTL_S go. */
  EXPIRE_MESSAGES = async (): Promise<void> => {
    const cutoff = Date.now() - this.config.IM_MESSAGE_TTL_S * 1000;
    let gone = 0;
    await this.repo.scanUsers('dmUsers', async (page) => {
      for (const { userId } of page) gone += await this.repo.expire(userId, cutoff);
    });
    if (gone > 0) this.logger.info({ gone, cutoff }, 'expired direct messages');
  };

  /**
   * Scheduled: gateways that stopped beating are reaped (recorded with the sessions they held,
   * their users' devices marked offline, friends told); devices of sessions that vanished leave
   * the login hashes; every user counted online is looked at again.
   */
  CLEAN_OFFLINE = async (): Promise<void> => {
    const now = Date.now();
    const touched = new Set<number>();
    const cutoff = now - this.config.IM_GATEWAY_DEAD_MS;
    for (const instance of await this.repo.deadGateways(cutoff)) {
      const held = await this.repo.reapGateway(instance, now, cutoff);
      this.logger.warn({ gateway: instance, sessions: held.length }, 'gateway stopped beating: its users are shown offline');
      for (const { userId } of held) touched.add(userId);
    }
    for (const userId of touched) await this.repo.presence(userId, 'check');
    await this.repo.scanUsers('presence', async (page) => {
      for (const { userId, value } of page) {
        await this.repo.dropStaleLogins(userId);
        if (value === 'online' && !touched.has(userId)) await this.repo.presence(userId, 'check');
      }
    });
    await this.repo.forgetReaped(now - 7 * 86_400_000);
  };
}
