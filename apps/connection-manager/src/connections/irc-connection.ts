import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { IRC_LINE_MAX_BYTES } from '@parley/protocol';

/** What a connection needs to know: where to go, who to be, and how fast to talk. */
export interface ConnectionOptions {
  host: string;
  port: number;
  tls: boolean;
  nick: string;
  username: string;
  realname: string;
  /** The server password (PASS). */
  password?: string;
  /** Lines that may go out at once before the rate applies. */
  floodBurst: number;
  /** Then one line per this many ms. */
  floodIntervalMs: number;
  /** Nothing heard for this long: we PING the server. */
  idlePingMs: number;
  /** Nothing heard for this long: the link is dead. */
  idleTimeoutMs: number;
  connectTimeoutMs: number;
}

export interface ConnectionEvents {
  /** One line from the server (without CR LF), decoded; the server's PINGs are answered here and not passed on. */
  line(line: string): void;
  /** The socket is gone (after `open` resolved, or instead of it). */
  closed(reason: string): void;
  /** Something the operator should hear of (the connection goes on). */
  warning?(message: string): void;
}

/** Longest line passed on (IRCv3 tags make lines longer than 512 bytes). */
const MAX_LINE_IN_BYTES = 8191 + 512;
/** Lines waiting for the flood control; past this a connection that never drains is cut. */
const MAX_QUEUED_LINES = 10_000;

/**
 * Confirming PINGs the server has not answered that are kept; past this the oldest go unconfirmed
 * (their writes are sent again after a reconnect) and the operator is told once.
 */
const MAX_UNCONFIRMED = 1_000;
/** A PONG's parameters (tags and prefix skipped; the trailing one's colon dropped). */
const PONG = /^(?:@\S+ +)?(?::\S+ +)?PONG(?: +(.*))?$/i;

/** No bytes waiting (one shared buffer: an idle connection holds none of its own). */
const EMPTY = Buffer.alloc(0);

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin9 = new TextDecoder('iso-8859-15');

/** A line's bytes as text: UTF-8, or ISO-8859-15 when they are not valid UTF-8 (old clients, old servers). */
export function decodeLine(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin9.decode(bytes);
  }
}

/**
 * One outgoing line as it may go on the wire: CR, LF and NUL (which would end the line early and
 * smuggle a second command in) become spaces, and the line is cut to the 512-byte limit (510
 * bytes and CR LF) on a UTF-8 character boundary. The inbox schema refuses such lines already;
 * this is the last guard, next to the socket.
 */
export function wireLine(line: string): Buffer {
  const clean = line.replace(/[\r\n\0]/g, ' ');
  let bytes = Buffer.from(clean, 'utf8');
  if (bytes.length > IRC_LINE_MAX_BYTES) {
    let end = IRC_LINE_MAX_BYTES;
    // Back up to the first byte of a character (continuation bytes are 10xxxxxx).
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  return Buffer.concat([bytes, Buffer.from('\r\n')]);
}

/**
 * One IRC socket (TCP or TLS) of one user on one network. It registers (CAP LS 302, PASS, NICK,
 * USER: the rest of registration is irc-parser's), splits what it reads into decoded lines,
 * answers the server's PING itself and PINGs an idle server, so the link stays up while
 * irc-parser is away, and sends what it is given through a token bucket.
 */
export class IrcConnection {
  private socket: Socket | undefined;
  private pending: Buffer = EMPTY;
  /** Lines waiting for the flood control; a write's `written` goes with its last line. */
  private readonly queue: { bytes: Buffer; written?: () => void }[] = [];
  /**
   * Writes on the wire waiting for the server: each drain that wrote confirmable lines ends with
   * `PING :parley-w<token>`, and its PONG (the server handles a client's lines in order) calls them.
   */
  private readonly unconfirmed: { token: number; written: (() => void)[] }[] = [];
  private confirmTokens = 0;
  /**
   * The token of this connection's confirming PINGs, `parley-w<nonce>-<n>`: their PONGs are kept
   * here, not passed on, and a user's `/quote PING` cannot guess one and confirm early.
   */
  private readonly confirmPrefix = `parley-w${randomBytes(4).toString('hex')}-`;
  private warnedUnanswered = false;
  /** Writes on the socket whose PING has not gone yet (it goes at the end of the turn). */
  private readonly awaitingPing: (() => void)[] = [];
  private tokens: number;
  private lastRefill = Date.now();
  private drainTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastHeard = Date.now();
  private closedReason: string | undefined;
  private quitting = false;
  localPort: number | undefined;
  remotePort: number | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.tokens = options.floodBurst;
  }

  get open(): boolean {
    return this.socket !== undefined && this.closedReason === undefined;
  }

  /** Connects and registers; resolves with the local port when the socket is up. */
  connect(): Promise<{ localPort: number; remoteHost: string }> {
    const { host, port, tls } = this.options;
    return new Promise((resolve, reject) => {
      const socket = tls ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      const timeout = setTimeout(() => socket.destroy(new Error(`no connection within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
      let up = false;
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        up = true;
        clearTimeout(timeout);
        this.localPort = socket.localPort;
        this.remotePort = socket.remotePort;
        this.lastHeard = Date.now();
        this.startIdleWatch();
        this.register();
        resolve({ localPort: socket.localPort ?? 0, remoteHost: socket.remoteAddress ?? host });
      });
      socket.on('data', (chunk: Buffer) => this.read(chunk));
      socket.on('error', (err: Error) => {
        this.closedReason ??= err.message;
      });
      socket.on('close', () => {
        clearTimeout(timeout);
        this.stopTimers();
        const reason = this.closedReason ?? (this.quitting ? 'closed' : 'the server closed the connection');
        this.closedReason = reason;
        if (!up) reject(new Error(reason));
        this.events.closed(reason);
      });
    });
  }

  /**
   * Queues lines for the server, through the flood control; `written` is called once the server
   * has handled the last of them: a PING sent after them has come back as PONG. Never, if the
   * connection closes first — not even for lines already on the socket, which a server may drop
   * unread when the link goes (ngircd does, for lines its flood penalty still held).
   */
  write(lines: readonly string[], written?: () => void): void {
    lines.forEach((line, i) => this.queue.push({ bytes: wireLine(line), ...(i === lines.length - 1 && written ? { written } : {}) }));
    if (this.queue.length > MAX_QUEUED_LINES) {
      this.destroy(`more than ${MAX_QUEUED_LINES} lines waiting to be sent`);
      return;
    }
    this.drain();
  }

  /** Says QUIT (past the flood control) and closes; resolves when the socket is gone. */
  quit(reason: string): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    this.quitting = true;
    const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Its PONG comes back before the server closes: what was written is confirmed, QUIT or not.
    this.sendConfirmingPing();
    socket.end(wireLine(`QUIT :${reason}`));
    // A server that does not close its side within a few seconds is not waited for.
    setTimeout(() => socket.destroy(), 3_000).unref();
    return gone;
  }

  destroy(reason: string): void {
    this.closedReason ??= reason;
    this.socket?.destroy();
  }

  private register(): void {
    const { nick, username, realname, password } = this.options;
    const lines = ['CAP LS 302'];
    if (password) lines.push(`PASS :${password}`);
    lines.push(`NICK ${nick}`, `USER ${username} 0 * :${realname}`);
    // Registration is not held back by the flood control (servers expect it at once).
    for (const line of lines) this.socket!.write(wireLine(line));
  }

  private read(chunk: Buffer): void {
    this.lastHeard = Date.now();
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let start = 0;
    for (let nl = this.pending.indexOf(10, start); nl >= 0; nl = this.pending.indexOf(10, start)) {
      let end = nl;
      if (end > start && this.pending[end - 1] === 13) end--;
      if (end > start) this.deliver(this.pending.subarray(start, Math.min(end, start + MAX_LINE_IN_BYTES)));
      start = nl + 1;
    }
    // What is left of the chunk is copied: a view of it would keep the whole chunk alive.
    const rest = this.pending.length - start;
    // A server that never ends its line: keep the start, drop the rest.
    this.pending = rest === 0 || rest > MAX_LINE_IN_BYTES ? EMPTY : Buffer.from(this.pending.subarray(start));
  }

  private deliver(bytes: Buffer): void {
    const line = decodeLine(bytes);
    const ping = /^(?:@\S+ )?(?::\S+ )?PING(?: (.*))?$/i.exec(line);
    if (ping) {
      this.socket?.write(wireLine(`PONG ${ping[1] ?? ''}`.trimEnd()));
      return;
    }
    const confirm = this.confirmToken(line);
    if (confirm !== undefined) return this.confirmed(confirm);
    this.events.line(line);
  }

  /** n, when the line is the PONG to this connection's `PING :parley-w<nonce>-<n>`, wherever the server put the token. */
  private confirmToken(line: string): number | undefined {
    const pong = PONG.exec(line.trimEnd());
    if (!pong?.[1]) return undefined;
    for (const param of pong[1].split(/ +/)) {
      const token = param.startsWith(':') ? param.slice(1) : param;
      if (token.startsWith(this.confirmPrefix)) {
        const n = Number(token.slice(this.confirmPrefix.length));
        if (Number.isSafeInteger(n)) return n;
      }
    }
    return undefined;
  }

  /** The server answered PING :parley-w<token>: every write before it was handled. */
  private confirmed(token: number): void {
    while (this.unconfirmed.length > 0 && this.unconfirmed[0]!.token <= token) {
      for (const written of this.unconfirmed.shift()!.written) written();
    }
  }

  private drain(): void {
    const socket = this.socket;
    if (!socket || this.closedReason !== undefined || this.localPort === undefined) return; // sent once the socket is up
    const now = Date.now();
    const { floodBurst, floodIntervalMs } = this.options;
    this.tokens = Math.min(floodBurst, this.tokens + (now - this.lastRefill) / floodIntervalMs);
    this.lastRefill = now;
    while (this.queue.length > 0 && this.tokens >= 1) {
      const next = this.queue.shift()!;
      socket.write(next.bytes);
      this.tokens -= 1;
      if (next.written) this.toConfirm(next.written);
    }
    if (this.queue.length > 0 && !this.drainTimer) {
      this.drainTimer = setTimeout(
        () => {
          this.drainTimer = undefined;
          this.drain();
        },
        Math.ceil((1 - this.tokens) * floodIntervalMs),
      );
    }
  }

  /**
   * A write is on the socket: the PING that confirms it follows at the end of this turn of the
   * event loop, one for all the writes of the turn.
   */
  private toConfirm(written: () => void): void {
    this.awaitingPing.push(written);
    if (this.awaitingPing.length === 1) setImmediate(() => this.sendConfirmingPing());
  }

  /** The PING for the writes on the socket that have none yet: at once, and counted by the flood control. */
  private sendConfirmingPing(): void {
    if (this.awaitingPing.length === 0) return;
    const batch = this.awaitingPing.splice(0);
    const socket = this.socket;
    if (!socket?.writable || this.closedReason !== undefined) return; // gone: none of them is confirmed
    if (this.unconfirmed.length >= MAX_UNCONFIRMED) {
      this.unconfirmed.shift(); // never confirmed: irc-parser sends those writes again after a reconnect
      if (!this.warnedUnanswered) {
        this.warnedUnanswered = true;
        this.events.warning?.(`the server has answered none of the last ${MAX_UNCONFIRMED} confirming PINGs (does it echo the PING token?): the user's messages are not confirmed and go again after a reconnect`);
      }
    }
    const token = ++this.confirmTokens;
    socket.write(wireLine(`PING :${this.confirmPrefix}${token}`));
    // A line like any other for the server's flood control: it takes a token (the next drain waits for it).
    this.tokens -= 1;
    this.unconfirmed.push({ token, written: batch });
  }

  private startIdleWatch(): void {
    const every = Math.max(1_000, Math.floor(this.options.idlePingMs / 2));
    this.idleTimer = setInterval(() => {
      const quiet = Date.now() - this.lastHeard;
      if (quiet >= this.options.idleTimeoutMs) this.destroy(`ping timeout: nothing heard for ${Math.round(quiet / 1000)} s`);
      else if (quiet >= this.options.idlePingMs) this.socket?.write(wireLine(`PING :parley-${Date.now()}`));
    }, every);
    this.idleTimer.unref();
  }

  private stopTimers(): void {
    clearTimeout(this.drainTimer);
    clearInterval(this.idleTimer);
    this.drainTimer = undefined;
  }
}
