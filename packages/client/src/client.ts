/**
 * The typed Parley client: one socket.io connection that keeps one session across reconnects.
 * It sends `init` on every connect (resuming with `sessionId` and `lastSeq`), checks that
 * notifications arrive numbered 1, 2, 3, … (a repeat or a gap is counted and reported, never
 * passed on), acknowledges them now and then, and numbers requests so that a request resent
 * after a reconnect is answered, not executed again.
 */
import type {
  AnyRequestResponse,
  ClientToServerEvents,
  InitAck,
  RequestBody,
  RequestId,
  RequestResponseOf,
  SequencedNotification,
  ServerToClientEvents,
  TerminatePayload,
} from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';

export interface ParleyClientOptions {
  /** The gateway's base URL, e.g. http://localhost:3200 */
  url: string;
  /** A login token (`auth.token`); without it the browser's cookie is used. Replaced on rotation. */
  token?: string;
  clientName: string;
  maxBacklogMsgs?: number;
  /** Acknowledge after this many notifications (default 100)… */
  ackEvery?: number;
  /** …or this long after the last unacknowledged one (ms, default 1000). */
  ackDelayMs?: number;
  /** socket.io transports (default: websocket, then polling). */
  transports?: ('websocket' | 'polling')[];
  /** Headers for the handshake (Node only), e.g. a Cookie. */
  extraHeaders?: Record<string, string>;
  /** Let socket.io reconnect by itself after a dropped connection (default true). */
  reconnection?: boolean;
  /** Ask for notifications in batches (`ntfs`, default true); false: one `ntf` each. */
  batch?: boolean;
  /** The kind of device (default web): the user's device policy may allow one session per kind. */
  deviceType?: 'web' | 'desktop' | 'mobile';
  /** The session this client had before (a reloaded page): ended by the gateway if nothing holds it. */
  replaces?: string;
}

export type InitOk = Extract<InitAck, { status: 'OK' }>;

interface Events {
  /** A notification, in order, each once. */
  notification: (n: SequencedNotification) => void;
  /** Every successful init: `resumed: false` means a new session (start from its burst). */
  session: (ack: InitOk) => void;
  /** The server ended the session. */
  terminate: (payload: TerminatePayload) => void;
  /** Something the client cannot fix by itself (a refused init, a protocol violation). */
  problem: (message: string) => void;
  /** The gateway refused an init (its code: UNAUTHORIZED, INTERNAL, TOO_MANY_CONNECTIONS, …). */
  refused: (code: string) => void;
}

type Listeners = { [E in keyof Events]: Set<Events[E]> };

interface Pending {
  seq: number;
  /** Emitted in the current session (a request never emitted can move to a new session safely). */
  sent: boolean;
  body: RequestBody;
  resolve: (answer: AnyRequestResponse) => void;
  reject: (err: Error) => void;
}

/** Thrown to requests in flight when the session they belonged to could not be resumed. */
export class SessionLostError extends Error {
  constructor() {
    super('the session ended before the request was answered; its effect is unknown');
    this.name = 'SessionLostError';
  }
}

export class ParleyClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  sessionId: string | undefined;
  userId: number | undefined;
  token: string | undefined;
  /** The last notification seq received. */
  lastSeq = 0;
  /** Notifications received twice, and gaps seen: both must stay 0. */
  duplicates = 0;
  gaps = 0;
  private acked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private nextSeq = 1;
  private ready = false;
  private terminated = false;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: Listeners = { notification: new Set(), session: new Set(), terminate: new Set(), problem: new Set(), refused: new Set() };
  private firstInit: { resolve: (ack: InitOk) => void; reject: (err: Error) => void } | undefined;

  constructor(private readonly options: ParleyClientOptions) {
    this.token = options.token;
    this.socket = io(options.url, {
      path: '/socket.io',
      autoConnect: false,
      transports: options.transports ?? ['websocket', 'polling'],
      reconnection: options.reconnection ?? true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 5_000,
      // Where WebSocket is blocked (some proxies), fall back to HTTP long-polling.
      tryAllTransports: true,
      withCredentials: true,
      ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
      auth: (cb) => cb(this.token ? { token: this.token } : {}),
    });
    this.socket.on('connect', () => this.init());
    this.socket.on('ntf', (n) => this.receive(n));
    this.socket.on('ntfs', (text) => {
      let batch: unknown;
      try {
        batch = JSON.parse(text);
      } catch {
        batch = undefined;
      }
      if (!Array.isArray(batch)) return this.emit('problem', 'an unreadable batch of notifications');
      for (const n of batch as SequencedNotification[]) this.receive(n);
    });
    this.socket.on('terminate', (payload) => {
      this.terminated = true;
      this.ready = false;
      for (const p of this.pending.values()) p.reject(new SessionLostError());
      this.pending.clear();
      this.emit('terminate', payload);
    });
    this.socket.on('disconnect', () => {
      this.ready = false;
      clearTimeout(this.ackTimer);
      this.ackTimer = undefined;
    });
    this.socket.on('connect_error', (err) => {
      if (this.firstInit && !this.socket.active) {
        this.firstInit.reject(err);
        this.firstInit = undefined;
      }
    });
  }

  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    (this.listeners[event] as Set<Events[E]>).add(listener);
    return () => (this.listeners[event] as Set<Events[E]>).delete(listener);
  }

  private emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    for (const listener of this.listeners[event]) {
      // A listener that throws must not cost the notifications after it (they are numbered and
      // acknowledged here, so a lost one would never come again).
      try {
        (listener as (...a: Parameters<Events[E]>) => void)(...args);
      } catch (err) {
        if (event === 'problem') continue;
        this.emit('problem', `a ${event} listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Connects (or reconnects) and resolves with the init answer. */
  connect(): Promise<InitOk> {
    this.terminated = false;
    const done = new Promise<InitOk>((resolve, reject) => (this.firstInit = { resolve, reject }));
    this.socket.connect();
    return done;
  }

  /** Drops the connection; the session stays on the server, and `connect()` resumes it. */
  disconnect(): void {
    this.ack();
    this.socket.disconnect();
  }

  /** Sends a request; resolves with its answer (after a reconnect, the resent one's). */
  request<I extends RequestId>(body: Extract<RequestBody, { id: I }>): Promise<RequestResponseOf<I>> {
    return new Promise<AnyRequestResponse>((resolve, reject) => {
      // The server ended the session: nothing would ever answer.
      if (this.terminated) return reject(new SessionLostError());
      const p: Pending = { seq: this.nextSeq++, sent: false, body, resolve, reject };
      this.pending.set(p.seq, p);
      if (this.ready) this.send(p);
    });
  }

  /** Acknowledges everything received so far. */
  ack(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.lastSeq > this.acked && this.socket.connected) {
      this.acked = this.lastSeq;
      this.socket.emit('ack', { seq: this.lastSeq });
    }
  }

  private send(p: Pending): void {
    p.sent = true;
    this.socket.emit('req', { seq: p.seq, ...p.body }, (answer) => {
      if (this.pending.get(p.seq) !== p) return; // answered already (a resend raced the first)
      // Emitted just as the connection died, socket.io sent it on the next connection before its
      // init: that socket had no session yet. It stays pending and goes again after the init.
      if (answer.status === 'ERROR' && answer.code === 'NO_SESSION') return;
      this.pending.delete(p.seq);
      p.resolve(answer);
    });
  }

  private init(): void {
    if (this.terminated) return;
    const resume = this.sessionId !== undefined ? { sessionId: this.sessionId, lastSeq: this.lastSeq } : {};
    const payload = {
      clientName: this.options.clientName,
      ...resume,
      ...(this.options.maxBacklogMsgs !== undefined ? { maxBacklogMsgs: this.options.maxBacklogMsgs } : {}),
      batch: this.options.batch ?? true,
      ...(this.options.deviceType ? { deviceType: this.options.deviceType } : {}),
      ...(this.sessionId === undefined && this.options.replaces ? { replaces: this.options.replaces } : {}),
    };
    this.socket.emit('init', payload, (ack) => {
      if (ack.status !== 'OK') {
        this.emit('problem', `init refused: ${ack.code}`);
        this.emit('refused', ack.code);
        this.firstInit?.reject(new Error(`init refused: ${ack.code}`));
        this.firstInit = undefined;
        return;
      }
      if (ack.token) this.token = ack.token;
      if (!ack.resumed) {
        // A new session: notifications and requests count from 1 again. Requests emitted in the
        // old one have an unknown outcome; those never emitted move to the new one, in order.
        const waiting = [...this.pending.values()].sort((a, b) => a.seq - b.seq);
        this.pending.clear();
        this.lastSeq = 0;
        this.acked = 0;
        this.nextSeq = 1;
        for (const p of waiting) {
          if (p.sent) p.reject(new SessionLostError());
          else this.pending.set((p.seq = this.nextSeq++), p);
        }
      }
      this.sessionId = ack.sessionId;
      this.userId = ack.userId;
      this.ready = true;
      for (const p of this.pending.values()) this.send(p);
      this.emit('session', ack);
      this.firstInit?.resolve(ack);
      this.firstInit = undefined;
    });
  }

  private receive(n: SequencedNotification): void {
    if (n.seq <= this.lastSeq) {
      this.duplicates++;
      this.emit('problem', `notification ${n.seq} received again`);
      return;
    }
    if (n.seq !== this.lastSeq + 1) {
      this.gaps++;
      this.emit('problem', `notifications ${this.lastSeq + 1}..${n.seq - 1} are missing`);
    }
    this.lastSeq = n.seq;
    this.emit('notification', n);
    if (this.lastSeq - this.acked >= (this.options.ackEvery ?? 100)) this.ack();
    else this.ackTimer ??= setTimeout(() => this.ack(), this.options.ackDelayMs ?? 1_000);
  }
}
