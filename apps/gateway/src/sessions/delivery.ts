import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { parseStoredReply } from '@parley/inbox';
import { gatewayChannel, gatewaysChannel } from '@parley/key-schema';
import { type AnyRequestResponse, NotifyMessage, type SequencedNotification } from '@parley/protocol';
import { APP_CONFIG, duplicateConnection, type Logger, LOGGER, REDIS, type RedisConnection } from '@parley/runtime';
import { GATEWAY_INSTANCE } from './instance';
import { GatewayMetrics } from './metrics';
import type { ParleySocket } from './socket-types';
import { type SessionRef, SessionsRepository } from './sessions.repository';

/**
 * The TCP socket under a websocket transport, if that is what carries the socket (engine.io and
 * ws internals: looked up defensively, used only to batch writes).
 */
function rawSocketOf(socket: ParleySocket): { cork(): void; uncork(): void } | undefined {
  const transport = (socket.conn as unknown as { transport?: { name?: string; socket?: { _socket?: { cork?: unknown; uncork?: unknown } } } }).transport;
  const tcp = transport?.name === 'websocket' ? transport.socket?._socket : undefined;
  return tcp && typeof tcp.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as { cork(): void; uncork(): void }) : undefined;
}

/** The seq an outbox entry starts with (notify.lua writes `{"seq":N,`). */
function seqOf(entry: string): number {
  const match = /^\{"seq":(\d+),/.exec(entry);
  return match ? Number(match[1]) : NaN;
}

/** Outbox entries read per round trip. */
const READ_BATCH = 500;

interface Live {
  ref: SessionRef;
  socket: ParleySocket;
  /** The last seq emitted to the socket. */
  sent: number;
  /** The last seq the client acknowledged. */
  acked: number;
  /** Deliver as `ntfs` batches (the client asked at init). */
  batch: boolean;
  pumping: boolean;
  again: boolean;
}

export interface DeliveryConfig {
  OUTBOX_WINDOW: number;
  SESSION_HEARTBEAT_MS: number;
  SESSION_IDLE_TTL_MS: number;
}

/**
 * Moves each session's outbox to its socket. One subscriber connection per gateway listens on its
 * own channel `notify:gateway:<instance>` (wake-ups of the sessions it holds — a session's
 * `gateway` field names the gateway that took it last — and the answers of the requests it
 * forwarded) and on `notify:gateways` (sessions ended, sockets taken over). A wake-up (or an ack,
 * or a reconnect of the subscriber) makes the session's pump read the outbox after the last seq
 * sent and emit it in order. Entries leave the outbox only when the client acks them, so a dropped
 * socket or a killed gateway loses nothing: the next socket resumes after the client's `lastSeq`.
 */
@Injectable()
export class Delivery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly live = new Map<string, Live>();
  /** Awaited answers (`sessionId:requestId`): the request, to read its answer when an announcement may have been missed, and who waits. */
  private readonly waiters = new Map<string, { ref: SessionRef; requestId: string; finishers: Set<(answer: AnyRequestResponse | undefined) => void> }>();
  private subscriber: RedisConnection | undefined;
  private readonly woken = new Set<string>();
  private wakeScheduled = false;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: SessionsRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(REDIS) private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: DeliveryConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    /** This gateway process, so a takeover can tell its own sockets from others'. */
    @Inject(GATEWAY_INSTANCE) readonly instance: string,
  ) {
    metrics.outboxes = async () => {
      const lengths = await this.repo.outboxLengths([...this.live.values()].map((l) => l.ref));
      return { entries: lengths.reduce((a, b) => a + b, 0), largest: lengths.reduce((a, b) => Math.max(a, b), 0) };
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = duplicateConnection(this.redis, 'gateway-notify', this.logger);
    this.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    // Subscribed before the first socket comes: nothing appended after a session's first read
    // can go unnoticed.
    await this.subscriber.subscribe(gatewayChannel(this.instance), gatewaysChannel());
    // Wake-ups published while the subscription was down are lost; what they pointed at is not.
    // (The subscription above has connected once already: every 'ready' from now on is a reconnect.)
    this.subscriber.on('ready', () => {
      this.pumpAll();
      // Answers announced while the subscription was down (a Redis restart) are stored: read them
      // now rather than let their requests wait for REQUEST_TIMEOUT_MS.
      this.recheckAwaited().catch((err: unknown) => this.logger.warn({ err }, 'could not read the answers awaited after a reconnect'));
    });
    // Well within the idle TTL, whatever the two are set to: a connected session never expires.
    const every = Math.min(this.config.SESSION_HEARTBEAT_MS, Math.floor(this.config.SESSION_IDLE_TTL_MS / 3));
    await this.repo.beat();
    this.heartbeat = setInterval(() => {
      this.repo.touch([...this.live.values()].map((l) => l.ref)).catch((err: unknown) => this.logger.warn({ err }, 'session heartbeat failed'));
      this.repo.beat().catch((err: unknown) => this.logger.warn({ err }, 'gateway heartbeat failed'));
    }, every);
    this.heartbeat.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    this.subscriber?.disconnect();
    // A graceful stop is not a death: the reaper need not mark its users offline (their sockets
    // reconnect to another gateway at once).
    await this.repo.beat(false).catch((err: unknown) => this.logger.warn({ err }, 'could not leave the gateway list'));
  }

  /** Sockets with a session on this gateway. */
  get size(): number {
    return this.live.size;
  }

  /**
   * Ties a session to a socket, after the client's `lastSeq`. Any other socket holding the session
   * (here or on another gateway) lets go. Call `pump` once the init ack has been emitted.
   */
  async attach(ref: SessionRef, socket: ParleySocket, lastSeq: number, batch = false): Promise<void> {
    const previous = this.live.get(ref.sessionId);
    if (previous) this.drop(previous, true);
    this.live.set(ref.sessionId, { ref, socket, sent: lastSeq, acked: lastSeq, batch, pumping: false, again: false });
    this.metrics.sockets.set(this.live.size);
    const detach: NotifyMessage = { detach: { sessionId: ref.sessionId, holder: this.holder(socket) } };
    await this.redis.publish(gatewaysChannel(), JSON.stringify(detach));
    // The socket may have gone while this was under way; its disconnect found nothing to detach.
    if (!socket.connected) this.detach(socket);
  }

  /** The socket is gone: forget it here; its session lives on (and counts as active until now). */
  detach(socket: ParleySocket): void {
    const ref = socket.data.ref;
    const live = ref && this.live.get(ref.sessionId);
    if (!live || live.socket !== socket) return;
    this.drop(live, false);
    this.repo.touch([live.ref]).catch((err: unknown) => this.logger.warn({ err, ...live.ref }, 'could not mark a session active'));
    this.repo.detached(live.ref).catch((err: unknown) => this.logger.warn({ err, ...live.ref }, 'could not mark a session away'));
  }

  /** The client has every notification up to `seq`: they leave the outbox, and delivery may go on. */
  async ack(socket: ParleySocket, seq: number): Promise<void> {
    const ref = socket.data.ref;
    const live = ref && this.live.get(ref.sessionId);
    if (!live || live.socket !== socket) return;
    // Never past what was sent: a client cannot drop what it has not seen.
    const upTo = Math.min(seq, live.sent);
    if (upTo <= live.acked) return;
    live.acked = upTo;
    await this.repo.ack(live.ref, upTo);
    if (live.sent - live.acked < this.config.OUTBOX_WINDOW) this.pump(live.ref.sessionId);
  }

  /** Sends what the session's outbox holds after the last seq sent. Never runs twice at once per session. */
  pump(sessionId: string): void {
    const live = this.live.get(sessionId);
    if (!live) return;
    if (live.pumping) {
      live.again = true;
      return;
    }
    live.pumping = true;
    this.drain(live)
      .catch((err: unknown) => this.logger.error({ err, ...live.ref }, 'outbox delivery failed; the next wake-up retries'))
      .finally(() => {
        live.pumping = false;
      });
  }

  private async drain(live: Live): Promise<void> {
    do {
      live.again = false;
      for (;;) {
        const room = Math.min(READ_BATCH, this.config.OUTBOX_WINDOW - (live.sent - live.acked));
        if (room <= 0) return; // the client's ack resumes delivery
        const read = await this.repo.readOutbox(live.ref, live.sent, room);
        if (this.live.get(live.ref.sessionId) !== live) return; // detached meanwhile
        if (read.status !== 'OK') {
          if (read.status === 'PENDING') break; // init is under way; it pumps when done
          if (read.status === 'REINIT') await this.repo.end(live.ref);
          // GONE: the ending the session was given (LOGOUT, REPLACED…), which may be read here
          // before its terminate message arrives; EXPIRED when it was ended without one.
          if (read.status === 'GONE') return this.end(live, read.ending?.code ?? 'EXPIRED', read.ending?.reason ?? 'the session has ended');
          return this.end(live, 'RESYNC', 'too many notifications were not acknowledged; start a new session');
        }
        const emitted = live.batch ? this.emitBatch(live, read.entries) : this.emitEach(live, read.entries);
        this.metrics.notifications.inc(emitted);
        if (read.entries.length < room) break;
      }
    } while (live.again);
  }

  /** One `ntf` per entry. Returns how many were emitted. */
  private emitEach(live: Live, entries: readonly string[]): number {
    let emitted = 0;
    // One write for the whole batch instead of one per frame (the TCP socket under the
    // websocket is corked while the batch is emitted).
    const tcp = rawSocketOf(live.socket);
    tcp?.cork();
    for (const raw of entries) {
      const notification = JSON.parse(raw) as SequencedNotification;
      if (notification.seq !== live.sent + 1) {
        this.logger.error({ ...live.ref, seq: notification.seq, expected: live.sent + 1 }, 'outbox out of sequence; entry skipped');
        if (notification.seq <= live.sent) continue;
      }
      live.socket.emit('ntf', notification);
      live.sent = notification.seq;
      emitted++;
    }
    if (tcp) process.nextTick(() => tcp.uncork());
    return emitted;
  }

  /**
   * All entries in one `ntfs` event, as the JSON text they are stored as (no parse, no
   * re-serialisation). Entries are numbered without gaps, so the first and last seq say it all.
   */
  private emitBatch(live: Live, entries: readonly string[]): number {
    if (entries.length === 0) return 0;
    const first = seqOf(entries[0]!);
    const last = seqOf(entries[entries.length - 1]!);
    if (first !== live.sent + 1 || last !== first + entries.length - 1) {
      this.logger.error({ ...live.ref, first, last, expected: live.sent + 1 }, 'outbox out of sequence; delivering one by one');
      return this.emitEach(live, entries);
    }
    live.socket.emit('ntfs', `[${entries.join(',')}]`);
    live.sent = last;
    return entries.length;
  }

  /** Emits `terminate` to the session's socket here, if any, and closes it. */
  private end(live: Live, code: string, reason: string): void {
    live.socket.emit('terminate', { code, reason });
    this.metrics.ended.inc({ code });
    this.drop(live, true);
  }

  private drop(live: Live, disconnect: boolean): void {
    if (this.live.get(live.ref.sessionId) !== live) return;
    this.live.delete(live.ref.sessionId);
    this.metrics.sockets.set(this.live.size);
    live.socket.data.ref = undefined;
    if (disconnect) live.socket.disconnect(true);
  }

  private holder(socket: ParleySocket): string {
    return `${this.instance}/${socket.id}`;
  }

  /**
   * Resolves with the answer of `requestId` when it is announced, or with undefined after
   * `timeoutMs` (or on `cancel`).
   */
  waitForReply(ref: SessionRef, requestId: string, timeoutMs: number): { done: Promise<AnyRequestResponse | undefined>; cancel: () => void } {
    const key = `${ref.sessionId}:${requestId}`;
    let resolve!: (answer: AnyRequestResponse | undefined) => void;
    const done = new Promise<AnyRequestResponse | undefined>((r) => (resolve = r));
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const entry = this.waiters.get(key) ?? { ref, requestId, finishers: new Set() };
    const finish = (answer: AnyRequestResponse | undefined) => {
      clearTimeout(timer);
      entry.finishers.delete(finish);
      if (entry.finishers.size === 0 && this.waiters.get(key) === entry) this.waiters.delete(key);
      resolve(answer);
    };
    entry.finishers.add(finish);
    this.waiters.set(key, entry);
    return { done, cancel: () => finish(undefined) };
  }

  /** Every answer still awaited that is stored already is delivered to its waiters. */
  private async recheckAwaited(): Promise<void> {
    for (const { ref, requestId } of [...this.waiters.values()]) {
      const stored = await this.repo.storedReply(ref, requestId);
      if (stored === null) continue;
      const reply = parseStoredReply(stored);
      if (!reply.pending) this.answered(ref.sessionId, requestId, reply.answer);
    }
  }

  private pumpAll(): void {
    for (const sessionId of this.live.keys()) this.pump(sessionId);
  }

  private onMessage(channel: string, raw: string): void {
    // The hot path, read without the full schema: what one change means to this gateway (sessions
    // to wake, answers of its requests), written by the backends' scripts.
    if ((raw.startsWith('{"wake":') || raw.startsWith('{"replies":')) && this.fastNotice(raw)) return;
    this.slowPath(channel, raw);
  }

  /** Wake-ups and answers; false when the message does not have the expected shape. */
  private fastNotice(raw: string): boolean {
    let message: { wake?: unknown; replies?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return false;
    }
    const { wake, replies } = message;
    if ((wake !== undefined && !Array.isArray(wake)) || (replies !== undefined && !Array.isArray(replies))) return false;
    for (const r of (replies ?? []) as { sessionId?: unknown; requestId?: unknown; answer?: { status?: unknown } }[]) {
      if (typeof r?.sessionId === 'string' && typeof r.requestId === 'string' && (r.answer?.status === 'OK' || r.answer?.status === 'ERROR')) {
        this.answered(r.sessionId, r.requestId, r.answer as AnyRequestResponse);
      }
    }
    if (wake) this.wake(wake);
    return true;
  }

  /** Sessions with new outbox entries: those that arrive together (a busy room) make one read per session. */
  private wake(sessionIds: readonly unknown[]): void {
    for (const sessionId of sessionIds) if (typeof sessionId === 'string') this.woken.add(sessionId);
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      const sessions = [...this.woken];
      this.woken.clear();
      for (const sessionId of sessions) this.pump(sessionId);
    });
  }

  private answered(sessionId: string, requestId: string, answer: AnyRequestResponse | undefined): void {
    for (const finish of [...(this.waiters.get(`${sessionId}:${requestId}`)?.finishers ?? [])]) finish(answer);
  }

  private slowPath(channel: string, raw: string): void {
    let parsed: NotifyMessage;
    try {
      const result = NotifyMessage.safeParse(JSON.parse(raw));
      if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'does not match NotifyMessage');
      parsed = result.data;
    } catch (err) {
      this.logger.error({ channel, message: raw.slice(0, 200), err }, 'unreadable message on a notify channel; ignored');
      return;
    }
    if ('terminate' in parsed) {
      const { sessionIds, code, reason } = parsed.terminate;
      for (const sessionId of sessionIds) {
        const live = this.live.get(sessionId);
        if (live) this.end(live, code, reason);
      }
    } else if ('detach' in parsed) {
      const live = this.live.get(parsed.detach.sessionId);
      if (live && this.holder(live.socket) !== parsed.detach.holder) this.drop(live, true);
    } else {
      for (const r of parsed.replies ?? []) this.answered(r.sessionId, r.requestId, r.answer);
      if (parsed.wake) this.wake(parsed.wake);
    }
  }
}
