import { Injectable } from '@nestjs/common';
import type { ImJobHandlers } from '@parley/protocol';
import { UnrecoverableError } from 'bullmq';

/** A job kind that arrives with issue 6: fails at once (no retries) with a reason that says so. */
function notHandledYet(what: string): () => Promise<never> {
  return () => Promise.reject(new UnrecoverableError(`${what} not handled yet by im-router`));
}

/** One handler per job of the im-router queue; friends, direct messages and cleanup come with issue 6. */
@Injectable()
export class ImHandlers implements ImJobHandlers {
  REQUEST_FRIEND = notHandledYet('friend requests are');
  FRIEND_VERDICT = notHandledYet('friend verdicts are');
  REMOVE_FRIEND = notHandledYet('friend removals are');
  BLOCK = notHandledYet('blocks are');
  UNBLOCK = notHandledYet('unblocks are');
  CHAT = notHandledYet('direct chats are');
  SEND_DIRECT = notHandledYet('direct messages are');
  READ = notHandledYet('read receipts are');
  SESSION_STARTED = notHandledYet('presence updates are');
  SESSION_ENDED = notHandledYet('presence updates are');
  EXPIRE_MESSAGES = notHandledYet('message expiry jobs are');
  CLEAN_OFFLINE = notHandledYet('offline cleanup jobs are');
}
