import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Notifier, parseStoredReply, RequestReplies } from '@parley/inbox';
import {
  type AnyRequestResponse,
  BUILTIN_NETWORK,
  type InboxMessage,
  type RequestBody,
  type RequestErrorCode,
  RequestBody as RequestBodySchema,
  REQUEST_IDS,
  RequestSeq,
} from '@parley/protocol';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import { z } from 'zod';
import { AccountsService } from '../accounts/accounts.service';
import { Delivery } from '../sessions/delivery';
import { ImQueue } from '../sessions/im-queue';
import { GatewayMetrics } from '../sessions/metrics';
import type { ParleySocket } from '../sessions/socket-types';
import { type ClaimResult, type SessionRef, SessionsRepository } from '../sessions/sessions.repository';
import { type Route, route, windowIdOf } from './route';

export interface RequestsConfig {
  REQUEST_TIMEOUT_MS: number;
  REQUEST_REPLIES_KEPT: number;
}

/** A request after its in-order part: answered already, or claimed (the claim under way). */
type Staged =
  | { outcome: RequestOutcome }
  | {
      ref: SessionRef;
      seq: number;
      requestId: string;
      body: RequestBody | undefined;
      where: Route;
      claimed: Promise<ClaimResult>;
      waiter: { done: Promise<AnyRequestResponse | undefined>; cancel: () => void } | undefined;
    };

/** A request's answer, and what to do once it has been emitted. */
export interface RequestOutcome {
  answer: AnyRequestResponse;
  after?: () => void;
}

const SeqOnly = z.object({ seq: RequestSeq });
const OK: AnyRequestResponse = { status: 'OK' };
const unreachable = (value: never): never => {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
};
const error = (code: RequestErrorCode, message: string): AnyRequestResponse => ({ status: 'ERROR', code, message });

/**
 * `req`: checks the session and the sequence number, validates the request, and either handles it
 * (SET, UPDATE, LOGOUT) or hands it to its owner — an inbox or the im-router queue — and relays the
 * answer the owner stores. Each seq is executed at most once: a repeat gets the stored answer.
 */
@Injectable()
export class RequestsService {
  /** Per socket: the tail of its requests' in-order part. */
  private readonly lanes = new WeakMap<ParleySocket, Promise<void>>();

  constructor(
    private readonly repo: SessionsRepository,
    private readonly delivery: Delivery,
    private readonly replies: RequestReplies,
    private readonly notifier: Notifier,
    private readonly accounts: AccountsService,
    private readonly metrics: GatewayMetrics,
    private readonly imQueue: ImQueue,
    @Inject(APP_CONFIG) private readonly config: RequestsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(socket: ParleySocket, payload: unknown): Promise<RequestOutcome> {
    const outcome = await this.answer(socket, payload);
    const id = (payload as { id?: unknown } | null)?.id;
    const known = (REQUEST_IDS as readonly unknown[]).includes(id) ? (id as string) : 'invalid';
    this.metrics.requests.inc({ id: known, status: outcome.answer.status === 'OK' ? 'OK' : outcome.answer.code });
    return outcome;
  }

  private async answer(socket: ParleySocket, payload: unknown): Promise<RequestOutcome> {
    const staged = await this.serially(socket, () => this.stage(socket, payload));
    if ('outcome' in staged) return staged.outcome;
    const { ref, seq, requestId, body, where, claimed, waiter } = staged;
    try {
      const claim = await claimed;
      switch (claim.status) {
        case 'GAP':
        case 'OLD':
        case 'GONE':
          return await this.settle(ref, seq, claim);
        case 'REPLAY': {
          const stored = parseStoredReply(claim.stored);
          if (!stored.pending) return { answer: stored.answer };
          // Still waiting. A claim left by a gateway that died before it handed the request on is
          // driven again: the gateway's own requests are idempotent once stale. A queue job is
          // added again at once (a gateway killed between its claim and its add left none): the
          // job id makes the add a no-op while the job is kept, and im-router skips a request
          // already answered.
          const stale = Date.now() - stored.claimedAt >= this.config.REQUEST_TIMEOUT_MS;
          if (body === undefined) return await this.settle(ref, seq, claim);
          if (where.to === 'gateway' || where.to === 'error') return stale ? await this.execute(socket, ref, seq, body, where) : await this.settle(ref, seq, claim);
          if (where.to === 'queue') await this.enqueue(ref, seq, where);
          return { answer: await this.awaitAnswer(ref, requestId, waiter) };
        }
        case 'CLAIMED':
          if (body === undefined) return await this.settle(ref, seq, claim, where);
          if (where.to === 'gateway' || where.to === 'error') return await this.execute(socket, ref, seq, body, where);
          if (where.to === 'queue') await this.enqueue(ref, seq, where);
          return { answer: await this.awaitAnswer(ref, requestId, waiter) };
        default:
          return unreachable(claim);
      }
    } finally {
      waiter?.cancel();
    }
  }

  /**
   * Runs `work` after the earlier requests of this socket got through theirs. A socket's claims are
   * *issued* in the order its requests arrived, whatever each had to look up first; the shared
   * connection runs commands in the order they were issued, so they are also claimed in that order.
   * Everything after the claim runs concurrently.
   */
  private serially<T>(socket: ParleySocket, work: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(socket) ?? Promise.resolve();
    const result = previous.then(work);
    this.lanes.set(
      socket,
      result.then(
        () => undefined,
        () => undefined,
      ),
    );
    return result;
  }

  /** Validation, routing, and the claim issued (not awaited). `body` undefined: a malformed request whose answer is `where`. */
  private async stage(socket: ParleySocket, payload: unknown): Promise<Staged> {
    const ref = socket.data.ref;
    if (!ref) return { outcome: { answer: error('NO_SESSION', 'send init first') } };
    const seqOnly = SeqOnly.safeParse(payload);
    if (!seqOnly.success) {
      this.metrics.badPayloads.inc({ event: 'req' });
      return { outcome: { answer: error('BAD_REQUEST', 'a request is an object with a positive integer seq and an id') } };
    }
    const seq = seqOnly.data.seq;
    const requestId = String(seq);
    const parsed = RequestBodySchema.safeParse(payload);
    if (!parsed.success) {
      this.metrics.badPayloads.inc({ event: 'req' });
      const issue = parsed.error.issues[0];
      const at = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      // The seq is used up by a bad request too, so a client that retries it gets the same answer.
      const code = issue?.code === 'invalid_union' && issue.path[0] === 'id' ? 'UNKNOWN_REQUEST' : 'BAD_REQUEST';
      const where: Route = { to: 'error', code, message: `${at}${issue?.message ?? 'invalid request'}` };
      return { ref, seq, requestId, body: undefined, where, claimed: this.repo.claim(ref, seq, this.config.REQUEST_REPLIES_KEPT), waiter: undefined };
    }
    const body = parsed.data;
    // One id for the request's log lines here and in the backend that handles it (envelope, job).
    const traceId = randomBytes(8).toString('hex');
    const where = route(body, await this.facts(ref, body, requestId, traceId));
    // Listening before the claim: a fast backend's answer cannot slip by.
    const waiter = where.to === 'inbox' || where.to === 'queue' ? this.delivery.waitForReply(ref, requestId, this.config.REQUEST_TIMEOUT_MS) : undefined;
    const forward = where.to === 'inbox' ? { inbox: where.inbox, envelope: JSON.stringify(this.envelope(ref, requestId, body, traceId)) } : undefined;
    if (where.to === 'inbox' || where.to === 'queue') this.logger.debug({ ...ref, seq, id: body.id, traceId, to: where.to === 'inbox' ? where.inbox : where.name }, 'request forwarded');
    return { ref, seq, requestId, body, where, claimed: this.repo.claim(ref, seq, this.config.REQUEST_REPLIES_KEPT, forward), waiter };
  }

  /** The answer to a claim that did not go through, or to a claimed request that fails at once. */
  private async settle(ref: SessionRef, seq: number, claim: ClaimResult, failed?: Route): Promise<RequestOutcome> {
    const failure = failed?.to === 'error' ? error(failed.code, failed.message) : undefined;
    switch (claim.status) {
      case 'GAP':
        return { answer: error('BAD_SEQ', `expected seq ${claim.expected}`) };
      case 'OLD':
        return { answer: error('BAD_SEQ', 'this seq was answered too long ago to be repeated') };
      case 'GONE':
        return { answer: error('NO_SESSION', 'the session has ended') };
      case 'REPLAY': {
        const stored = parseStoredReply(claim.stored);
        return { answer: stored.pending ? error('TIMEOUT', 'still being handled; repeat the request later') : stored.answer };
      }
      case 'CLAIMED':
        await this.replies.answer({ ...ref, requestId: String(seq), gateway: this.delivery.instance }, failure!);
        return { answer: failure! };
    }
  }

  private async facts(ref: SessionRef, body: RequestBody, requestId: string, traceId: string) {
    const windowId = windowIdOf(body);
    const window = windowId !== undefined ? await this.repo.window(ref.userId, windowId) : undefined;
    const nickUserId = body.id === 'CHAT' && body.nick !== undefined && body.network === BUILTIN_NETWORK ? await this.repo.userIdByNick(body.nick) : undefined;
    return { userId: ref.userId, replyTo: { sessionId: ref.sessionId, requestId, gateway: this.delivery.instance, traceId }, window, nickUserId };
  }

  private envelope(ref: SessionRef, requestId: string, request: RequestBody, traceId: string): InboxMessage<'loopbackparser'> & InboxMessage<'ircparser'> {
    return { v: 1, type: 'request', traceId, sentAt: Date.now(), userId: ref.userId, sessionId: ref.sessionId, requestId, gateway: this.delivery.instance, request };
  }

  private async enqueue(ref: SessionRef, seq: number, where: Extract<Route, { to: 'queue' }>): Promise<void> {
    // The job id makes a second add of the same request a no-op while the job is kept.
    await this.imQueue.add(where, { jobId: `req-${ref.userId}-${ref.sessionId}-${seq}` });
  }

  private async awaitAnswer(ref: SessionRef, requestId: string, waiter: { done: Promise<AnyRequestResponse | undefined> } | undefined): Promise<AnyRequestResponse> {
    const announced = await waiter?.done;
    if (announced !== undefined) return announced;
    // Not announced in time (or announced while this gateway was not listening): read it.
    const stored = await this.repo.storedReply(ref, requestId);
    if (stored !== null) {
      const reply = parseStoredReply(stored);
      if (!reply.pending) return reply.answer;
    }
    return error('TIMEOUT', 'not answered in time; it will be handled once: repeat the request with the same seq for its answer');
  }

  /** The gateway's own requests; each is idempotent, so a re-driven one does no harm. */
  private async execute(socket: ParleySocket, ref: SessionRef, seq: number, body: RequestBody, where: Route): Promise<RequestOutcome> {
    let answer = OK;
    let after: (() => void) | undefined;
    if (where.to === 'error') {
      answer = error(where.code, where.message);
    } else if (body.id === 'SET') {
      await this.repo.setSettings(ref.userId, body.settings);
      await this.notifier.notifyUser(ref.userId, [{ type: 'UPDATE_SETTINGS', settings: body.settings }], ref.sessionId);
    } else if (body.id === 'UPDATE') {
      const { id: _id, windowId, ...changed } = body;
      const fields = Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, String(v)]));
      if (Object.keys(fields).length > 0 && !(await this.repo.updateWindow(ref.userId, windowId, fields))) {
        answer = error('NOT_FOUND', `window ${windowId} not found`);
      } else if (Object.keys(fields).length > 0) {
        await this.notifier.notifyUser(ref.userId, [{ type: 'UPDATE_WINDOW', windowId, ...changed }], ref.sessionId);
      }
    } else if (body.id === 'LOGOUT') {
      const tokenHash = body.allSessions ? undefined : socket.data.tokenHash;
      // After the answer is out: ending the session closes this very socket.
      after = () => {
        this.accounts.revoke(ref.userId, tokenHash).catch((err: unknown) => this.logger.error({ err, ...ref }, 'logout failed'));
      };
    } else {
      throw new Error(`execute: ${body.id} is not the gateway's`);
    }
    await this.replies.answer({ ...ref, requestId: String(seq), gateway: this.delivery.instance }, answer);
    return { answer, after };
  }
}
