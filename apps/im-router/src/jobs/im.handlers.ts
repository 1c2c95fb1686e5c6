import { Injectable } from '@nestjs/common';
import { answerNotAvailable, RequestReplies } from '@parley/inbox';
import type { ImJobHandlers, ReplyTo } from '@parley/protocol';
import { UnrecoverableError } from 'bullmq';

const APP = 'im-router';

/** A scheduled or presence job that arrives with issue 6: fails at once (no retries) with a reason that says so. */
function notHandledYet(what: string): () => Promise<never> {
  return () => Promise.reject(new UnrecoverableError(`${what} not handled yet by im-router`));
}

/**
 * One handler per job of the im-router queue. Friends, direct messages and cleanup come with
 * issue 6; until then a job that carries a client request answers it NOT_AVAILABLE, so the whole
 * path (gateway → queue → answer → socket) is real.
 */
@Injectable()
export class ImHandlers implements ImJobHandlers {
  constructor(private readonly replies: RequestReplies) {}

  private notAvailable(userId: number, replyTo: ReplyTo, request: string): Promise<void> {
    return answerNotAvailable(this.replies, APP, { userId, ...replyTo }, request);
  }

  REQUEST_FRIEND = (job: { userId: number; replyTo: ReplyTo }) => this.notAvailable(job.userId, job.replyTo, 'REQUEST_FRIEND');
  FRIEND_VERDICT = (job: { userId: number; replyTo: ReplyTo }) => this.notAvailable(job.userId, job.replyTo, 'FRIEND_VERDICT');
  REMOVE_FRIEND = (job: { userId: number; replyTo: ReplyTo }) => this.notAvailable(job.userId, job.replyTo, 'REMOVE_FRIEND');
  BLOCK = (job: { userId: number; replyTo: ReplyTo }) => this.notAvailable(job.userId, job.replyTo, 'BLOCK');
  UNBLOCK = (job: { userId: number; replyTo: ReplyTo }) => this.notAvailable(job.userId, job.replyTo, 'UNBLOCK');
  CHAT = (job: { userId: number; replyTo: ReplyTo }) => this.notAvailable(job.userId, job.replyTo, 'CHAT');
  SEND_DIRECT = (job: { userId: number; replyTo: ReplyTo }) => this.notAvailable(job.userId, job.replyTo, 'SEND');
  READ = (job: { userId: number; replyTo: ReplyTo }) => this.notAvailable(job.userId, job.replyTo, 'READ');
  SESSION_STARTED = notHandledYet('presence updates are');
  SESSION_ENDED = notHandledYet('presence updates are');
  EXPIRE_MESSAGES = notHandledYet('message expiry jobs are');
  CLEAN_OFFLINE = notHandledYet('offline cleanup jobs are');
}
