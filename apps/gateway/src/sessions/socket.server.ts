import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AckPayload, SOCKET_EVENTS } from '@parley/protocol';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import { Server, type Socket } from 'socket.io';
import { cookieToken, TOKEN_COOKIE } from '../accounts/accounts.controller';
import { AccountsService, sha256 } from '../accounts/accounts.service';
import { RequestsService } from '../requests/requests.service';
import { Delivery } from './delivery';
import { GatewayMetrics } from './metrics';
import { SessionsService } from './sessions.service';
import type { ParleyServer, ParleySocket } from './socket-types';

export interface SocketConfig {
  SOCKET_MAX_PAYLOAD_BYTES: number;
  TOKEN_ROTATION_GRACE_MS: number;
  TOKEN_TTL_MS: number;
  TRUST_PROXY?: string;
  PUBLIC_URL: string;
}

/**
 * Is the page that opens this socket one of ours? A browser names it in `Origin`; another site's
 * page must not ride on the user's cookie (cross-site WebSocket hijacking). No Origin: not a
 * browser page (a program), which has no cookie of the user's to ride on.
 */
export function sameOriginHandshake(origin: string | undefined, host: string | undefined, publicUrl: string): boolean {
  if (origin === undefined) return true;
  let from: string;
  try {
    from = new URL(origin).host;
  } catch {
    return false;
  }
  return from === host || from === new URL(publicUrl).host;
}

/** What the engine.io handshake learned from the cookie, for the socket.io middleware. */
interface CookieAuth {
  userId: number;
  tokenHash: string;
  setCookie: string;
}
type HandshakeRequest = IncomingMessage & { parleyCookieAuth?: CookieAuth };

const KNOWN_EVENTS = new Set<string>(Object.values(SOCKET_EVENTS));
/** A socket that has not started or resumed a session by then is closed. */
export const INIT_TIMEOUT_MS = 30_000;

/**
 * socket.io on the gateway's HTTP server (default namespace, path /socket.io), per protocol.md.
 * A socket authenticates with `auth.token` or the login cookie; a cookie is rotated on each new
 * connection (Set-Cookie on the handshake), a token on each new session (in the init ack).
 * Malformed events get an error (or are counted and dropped when they carry no callback); the
 * socket stays up.
 */
@Injectable()
export class SocketServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private io: ParleyServer | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: SessionsService,
    private readonly requests: RequestsService,
    private readonly delivery: Delivery,
    private readonly accounts: AccountsService,
    private readonly metrics: GatewayMetrics,
    @Inject(APP_CONFIG) private readonly config: SocketConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const http = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    const io: ParleyServer = new Server(http, {
      path: '/socket.io',
      serveClient: false,
      maxHttpBufferSize: this.config.SOCKET_MAX_PAYLOAD_BYTES,
      allowRequest: (req, callback) => {
        this.cookieHandshake(req as HandshakeRequest).then(
          () => callback(null, true),
          (err: unknown) => {
            this.logger.error({ err }, 'socket handshake failed');
            callback('handshake failed', false);
          },
        );
      },
    });
    io.engine.on('initial_headers', (headers: Record<string, string>, req: HandshakeRequest) => {
      if (req.parleyCookieAuth) headers['set-cookie'] = req.parleyCookieAuth.setCookie;
    });
    io.use((socket, next) => {
      this.authenticate(socket).then(
        (ok) => next(ok ? undefined : new Error('UNAUTHORIZED')),
        (err: unknown) => {
          this.logger.error({ err }, 'socket authentication failed');
          next(new Error('INTERNAL'));
        },
      );
    });
    io.on('connection', (socket) => this.onConnection(socket));
    this.io = io;
  }

  /** Sockets are closed before the HTTP server: clients reconnect (elsewhere) and resume. */
  beforeApplicationShutdown(): void {
    // Closing the transports (not a socket.io disconnect) makes clients reconnect by themselves.
    this.io?.engine.close();
  }

  /** A cookie's token is checked at the handshake and replaced by a fresh one (Set-Cookie). */
  private async cookieHandshake(req: HandshakeRequest): Promise<void> {
    const token = cookieToken(req.headers.cookie);
    if (!token) return;
    if (!sameOriginHandshake(req.headers.origin, req.headers.host, this.config.PUBLIC_URL)) {
      this.logger.warn({ origin: req.headers.origin }, 'socket from another site: its cookie is not used');
      return;
    }
    const userId = await this.accounts.authenticate(token);
    if (userId === undefined) return;
    const fresh = await this.accounts.rotateToken(userId, sha256(token), this.config.TOKEN_ROTATION_GRACE_MS);
    const secure = (req.socket as TLSSocket).encrypted === true || (this.config.TRUST_PROXY !== undefined && req.headers['x-forwarded-proto'] === 'https');
    const attributes = [`Max-Age=${Math.floor(this.config.TOKEN_TTL_MS / 1000)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
    req.parleyCookieAuth = { userId, tokenHash: fresh.tokenHash, setCookie: `${TOKEN_COOKIE}=${fresh.token}; ${attributes.join('; ')}` };
  }

  private async authenticate(socket: ParleySocket): Promise<boolean> {
    const cookie = (socket.request as HandshakeRequest).parleyCookieAuth;
    const auth: unknown = socket.handshake.auth;
    const token = typeof (auth as { token?: unknown } | null)?.token === 'string' ? (auth as { token: string }).token : undefined;
    if (token !== undefined && token.length <= 200) {
      const userId = await this.accounts.authenticate(token);
      if (userId !== undefined) {
        socket.data = { userId, tokenHash: sha256(token), viaCookie: false };
        return true;
      }
    }
    if (cookie) {
      socket.data = { userId: cookie.userId, tokenHash: cookie.tokenHash, viaCookie: true };
      return true;
    }
    return false;
  }

  private onConnection(socket: ParleySocket): void {
    // Handlers take what arrives, not what the event map promises: every payload is checked.
    const raw = socket as unknown as Socket;
    const initDeadline = setTimeout(() => {
      if (!socket.data.ref) socket.disconnect(true);
    }, INIT_TIMEOUT_MS);
    initDeadline.unref();
    raw.on('init', (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return this.bad('init');
      this.reply(ack, this.sessions.init(socket, payload).then((o) => ({ answer: o.ack, after: o.after })), { status: 'ERROR', code: 'INTERNAL' }, { event: 'init', userId: socket.data.userId });
    });
    raw.on('ack', (payload: unknown) => {
      const parsed = AckPayload.safeParse(payload);
      if (!parsed.success) return this.bad('ack');
      this.delivery.ack(socket, parsed.data.seq).catch((err: unknown) => this.logger.error({ err, ...socket.data.ref }, 'ack failed'));
    });
    raw.on('req', (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return this.bad('req');
      const failure = { status: 'ERROR', code: 'INTERNAL', message: 'the request failed; repeat it with the same seq' };
      this.reply(ack, this.requests.handle(socket, payload), failure, { event: 'req', ...socket.data.ref });
    });
    raw.onAny((event: unknown) => {
      if (typeof event !== 'string' || !KNOWN_EVENTS.has(event)) this.bad('unknown');
    });
    socket.on('disconnect', () => {
      clearTimeout(initDeadline);
      this.delivery.detach(socket);
    });
  }

  /** Calls the client's callback with the answer, then runs what comes after it; on a failure, logs once and answers `failure`. */
  private reply(ack: unknown, outcome: Promise<{ answer: unknown; after?: () => void }>, failure: unknown, context: Record<string, unknown>): void {
    const callback = ack as (answer: unknown) => void;
    outcome.then(
      ({ answer, after }) => {
        callback(answer);
        after?.();
      },
      (err: unknown) => {
        this.logger.error({ err, ...context }, `${String(context.event)} failed`);
        callback(failure);
      },
    );
  }

  private bad(event: string): void {
    this.metrics.badPayloads.inc({ event });
  }
}
