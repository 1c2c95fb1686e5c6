import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type InitAck, InitPayload } from '@parley/protocol';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import { AccountsService } from '../accounts/accounts.service';
import { buildBurst } from './burst';
import { NetworkList } from './network-list.repository';
import { Delivery } from './delivery';
import { AppsRepository } from '../saas/apps.repository';
import { GatewayMetrics } from './metrics';
import type { ParleySocket } from './socket-types';
import { type SessionRef, SessionsRepository } from './sessions.repository';

/** Messages per window in the init burst when the client does not say. */
export const DEFAULT_BACKLOG_MSGS = 100;

export interface SessionsConfig {
  SESSION_MAX_PER_USER: number;
  TOKEN_ROTATION_GRACE_MS: number;
}

/** An init's answer, and what to do once it has been emitted (start delivery). */
export interface InitOutcome {
  ack: InitAck;
  after?: () => void;
}

/**
 * `init`: resumes a live session exactly after the client's `lastSeq`, or starts a new one whose
 * init burst is built from Redis and put in front of its outbox.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly repo: SessionsRepository,
    private readonly delivery: Delivery,
    private readonly accounts: AccountsService,
    private readonly metrics: GatewayMetrics,
    private readonly apps: AppsRepository,
    private readonly networkList: NetworkList,
    @Inject(APP_CONFIG) private readonly config: SessionsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async init(socket: ParleySocket, payload: unknown): Promise<InitOutcome> {
    if (socket.data.ref || socket.data.initializing) return { ack: { status: 'ERROR', code: 'ALREADY_INITIALIZED' } };
    socket.data.initializing = true;
    try {
      return await this.initOnce(socket, payload);
    } finally {
      socket.data.initializing = false;
    }
  }

  private async initOnce(socket: ParleySocket, payload: unknown): Promise<InitOutcome> {
    const parsed = InitPayload.safeParse(payload);
    if (!parsed.success) {
      this.metrics.badPayloads.inc({ event: 'init' });
      return { ack: { status: 'ERROR', code: 'BAD_REQUEST' } };
    }
    const input = parsed.data;
    const userId = socket.data.userId;

    if (input.sessionId !== undefined && input.lastSeq !== undefined) {
      const ref = { userId, sessionId: input.sessionId };
      // A SaaS app's user resuming takes a place among the app's live connections again, or is refused.
      const place = await this.takeAppPlace(ref, socket, input);
      if (place.full) return { ack: { status: 'ERROR', code: 'TOO_MANY_CONNECTIONS' } };
      const result = await this.repo.resume(ref, input.lastSeq, socket.data.tokenHash);
      if (result !== 'OK' && place.appKey) await this.apps.disconnect(place.appKey, ref.sessionId);
      if (result === 'OK') {
        socket.data.ref = ref;
        await this.delivery.attach(ref, socket, input.lastSeq, input.batch);
        this.metrics.sessions.inc({ kind: 'resumed' });
        return { ack: { status: 'OK', sessionId: ref.sessionId, userId, resumed: true }, after: () => this.delivery.pump(ref.sessionId) };
      }
      this.logger.info({ ...ref, lastSeq: input.lastSeq, result }, 'session cannot be resumed exactly; starting a new one');
      if (result !== 'GONE') await this.repo.end(ref);
    }
    return this.start(socket, input);
  }

  /**
   * For a SaaS app's user: a place among the app's live connections for this session (`appKey`:
   * taken), or `full`; nothing to take for everyone else.
   */
  private async takeAppPlace(ref: SessionRef, socket: ParleySocket, input: InitPayload): Promise<{ full: boolean; appKey?: string }> {
    const appKey = await this.apps.appOf(ref.userId);
    if (!appKey) return { full: false };
    const app = await this.apps.app(appKey);
    const info = { userId: ref.userId, deviceType: input.deviceType ?? 'web', ip: socket.handshake.address ?? '', since: Date.now() };
    if (app && (await this.apps.connect(appKey, app.maxConnections, ref.sessionId, info))) return { full: false, appKey };
    this.logger.info({ ...ref, appKey }, 'app connection refused: the app has its maximum of live connections');
    return { full: true };
  }

  private async start(socket: ParleySocket, input: InitPayload): Promise<InitOutcome> {
    const userId = socket.data.userId;
    const ref: SessionRef = { userId, sessionId: randomBytes(16).toString('base64url') };
    // A SaaS app's user: the session counts against the app's live connections, or is refused.
    const { full, appKey } = await this.takeAppPlace(ref, socket, input);
    if (full) return { ack: { status: 'ERROR', code: 'TOO_MANY_CONNECTIONS' } };
    // A token-authenticated socket gets a fresh token with each new session; a cookie one keeps
    // its cookie (JavaScript must never see that token).
    let tokenHash = socket.data.tokenHash;
    let token: string | undefined;
    const deviceType = input.deviceType ?? 'web';
    let over: string[];
    // The session this page had before it was reloaded goes first (so it does not count toward the
    // cap), unless a socket still holds it (a duplicated tab carries the same id).
    if (input.replaces !== undefined) {
      await this.repo.end({ userId, sessionId: input.replaces }, { code: 'REPLACED', reason: 'the page that had this session was reloaded' }, undefined, true);
    }
    try {
      if (!socket.data.viaCookie) {
        ({ token, tokenHash } = await this.accounts.rotateToken(userId, tokenHash, this.config.TOKEN_ROTATION_GRACE_MS));
        socket.data.tokenHash = tokenHash;
      }
      over = await this.repo.create(ref, tokenHash, input.clientName, this.config.SESSION_MAX_PER_USER, { type: deviceType, ip: socket.handshake.address ?? '' });
    } catch (err) {
      // The app's place taken above goes back.
      if (appKey) await this.apps.disconnect(appKey, ref.sessionId);
      throw err;
    }
    await this.repo.announceActive(userId);
    for (const sessionId of over) {
      await this.repo.end({ userId, sessionId }, { code: 'TOO_MANY_SESSIONS', reason: `a new session started and at most ${this.config.SESSION_MAX_PER_USER} may be open` });
    }
    // The user's device policy: one session per kind of device ends the older one, as ouyunc does.
    if ((await this.repo.setting(userId, 'devicePolicy')) === 'onePerType') {
      for (const sessionId of await this.repo.sessionsOnDevice(userId, deviceType, ref.sessionId)) {
        await this.repo.end({ userId, sessionId }, { code: 'REMOTE_LOGIN', reason: `a new ${deviceType} session started and the device policy allows one per kind` });
      }
    }
    socket.data.ref = ref;
    await this.delivery.attach(ref, socket, 0, input.batch);
    const maxBacklog = input.maxBacklogMsgs ?? DEFAULT_BACKLOG_MSGS;
    for (let attempt = 1; ; attempt++) {
      const snapshot = await this.repo.snapshot(userId, maxBacklog, (what, detail) =>
        this.logger.warn({ ...ref, ...detail }, what),
      );
      const burst = buildBurst({ ...snapshot, availableNetworks: this.networkList.list() }, maxBacklog, (what, detail) => this.logger.warn({ ...ref, ...detail }, what));
      const next = await this.repo.completeInit(
        ref,
        burst.notifications.map((n) => JSON.stringify(n)),
        burst.carried,
        burst.offlineUpTo,
      );
      if (next > 0) break;
      if (next === -1 || attempt === 3) {
        this.delivery.detach(socket);
        socket.data.ref = undefined;
        this.logger.warn({ ...ref, next, attempt }, 'session ended while its init burst was being built');
        return { ack: { status: 'ERROR', code: 'INTERNAL' } };
      }
    }
    this.metrics.sessions.inc({ kind: 'new' });
    return {
      ack: { status: 'OK', sessionId: ref.sessionId, userId, resumed: false, ...(token ? { token } : {}) },
      after: () => this.delivery.pump(ref.sessionId),
    };
  }
}
