import { randomBytes } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InboxSender } from '@parley/inbox';
import type { InboxMessage, InboxMessageOfType } from '@parley/protocol';
import { APP_CONFIG, type Logger, LOGGER, METRICS } from '@parley/runtime';
import { Gauge, type Registry } from 'prom-client';
import { type ConnectionOptions, IrcConnection } from './irc-connection';

export interface ConnectionsConfig {
  IRC_FLOOD_BURST: number;
  IRC_FLOOD_INTERVAL_MS: number;
  IRC_CONNECT_INTERVAL_MS: number;
  IRC_CONNECT_TIMEOUT_MS: number;
  IRC_IDLE_PING_MS: number;
  IRC_IDLE_TIMEOUT_MS: number;
  IRC_QUIT_REASON: string;
  IRC_DEFAULT_REALNAME: string;
}

type Connect = InboxMessageOfType<'connectionmanager', 'connect'>;

interface Held {
  conn: string;
  userId: number;
  network: string;
  nick: string;
  username: string;
  connection: IrcConnection;
}

const keyOf = (userId: number, network: string) => `${userId}:${network}`;

/**
 * The IRC sockets of this process, one per user per network, and nothing else: connect, write and
 * disconnect come from irc-parser through `inbox:connectionmanager` (a sticky inbox: each user's
 * messages go to the instance that holds their sockets); what happens on the sockets goes back
 * through `inbox:ircparser` (`connected`, one `data` per line, `disconnected`, `noconnection`, and
 * `lost` for the users taken over from an instance that died). Lines are pushed in the order they were read, a
 * turn of the event loop's worth in one LPUSH.
 */
@Injectable()
export class ConnectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly instance = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly held = new Map<string, Held>();
  /** Per network: when the next connect may start (the connect rate limit). */
  private readonly nextConnectAt = new Map<string, number>();
  private outgoing: InboxMessage<'ircparser'>[] = [];
  private connections = 0;
  private flushScheduled = false;

  constructor(
    private readonly sender: InboxSender,
    @Inject(APP_CONFIG) private readonly config: ConnectionsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) registry: Registry,
  ) {
    const held = this.held;
    new Gauge({
      name: 'parley_irc_connections',
      help: 'IRC connections this process holds, by state (connecting: socket not up yet; connected; closing: closed, its end not yet reported)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const counts = { connecting: 0, connected: 0, closing: 0 };
        for (const h of held.values()) counts[!h.connection.open ? 'closing' : h.connection.localPort === undefined ? 'connecting' : 'connected']++;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
  }

  /**
   * Nothing to announce at start: with several instances a "restarted" would reconnect everyone.
   * The users a dead or restarted instance held come to this one (or another) through the
   * courier's sticky partitions, and `lost` tells irc-parser for each of them.
   */
  onApplicationBootstrap(): void {
    this.logger.info({ instance: this.instance }, 'connection-manager instance started');
  }

  /** These users' sockets were held by a connection-manager that died: irc-parser reconnects them. */
  lost(userIds: readonly number[]): void {
    for (const userId of userIds) if (![...this.held.values()].some((h) => h.userId === userId)) this.push({ v: 1, type: 'lost', userId });
    if (userIds.length > 0) this.logger.warn({ users: userIds.length }, 'took over the users of a connection-manager that went away; irc-parser reconnects them');
  }

  /** Stopping: every connection says QUIT (with the configured reason) before the process goes. */
  async beforeApplicationShutdown(): Promise<void> {
    const all = [...this.held.values()];
    this.logger.info({ connections: all.length }, 'closing IRC connections');
    await Promise.all(all.map((h) => h.connection.quit(this.config.IRC_QUIT_REASON)));
    await this.flush();
  }

  get size(): number {
    return this.held.size;
  }

  /** The connection whose local and remote ports these are (identd). */
  byPorts(localPort: number, remotePort: number): { username: string } | undefined {
    for (const h of this.held.values()) {
      if (h.connection.localPort === localPort && h.connection.remotePort === remotePort) return { username: h.username };
    }
    return undefined;
  }

  /**
   * Opens the user's socket to the network, after the per-network connect interval; returns at
   * once (the inbox is not held up). A user already connected there is told `connected` again.
   */
  connect(message: Connect): void {
    const key = keyOf(message.userId, message.network);
    const existing = this.held.get(key);
    if (existing) {
      this.logger.info({ userId: message.userId, network: message.network }, 'connect for a connection already held; announced again');
      if (existing.connection.open) this.push({ v: 1, type: 'connected', userId: message.userId, network: message.network, conn: existing.conn, localPort: existing.connection.localPort });
      return;
    }
    // The USER name: given, or the nick's letters and digits (ident names are short and plain).
    const username = message.username ?? (message.nick.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 10) || 'parley');
    const options: ConnectionOptions = {
      host: message.host,
      port: message.port,
      tls: message.tls,
      nick: message.nick,
      username,
      realname: message.realname ?? this.config.IRC_DEFAULT_REALNAME,
      password: message.password,
      floodBurst: this.config.IRC_FLOOD_BURST,
      floodIntervalMs: this.config.IRC_FLOOD_INTERVAL_MS,
      idlePingMs: this.config.IRC_IDLE_PING_MS,
      idleTimeoutMs: this.config.IRC_IDLE_TIMEOUT_MS,
      connectTimeoutMs: this.config.IRC_CONNECT_TIMEOUT_MS,
    };
    const { userId, network } = message;
    // The socket's id, and its lines' numbers: irc-parser stores what a line brings once.
    const conn = `${this.instance}-${++this.connections}`;
    let seq = 0;
    const held: Held = {
      conn,
      userId,
      network,
      nick: message.nick,
      username: options.username,
      connection: new IrcConnection(options, {
        line: (line) => this.push({ v: 1, type: 'data', userId, network, conn, seq: ++seq, line }),
        closed: (reason) => {
          if (this.held.get(key) === held) this.held.delete(key);
          this.push({ v: 1, type: 'disconnected', userId, network, reason });
        },
        warning: (message) => this.logger.warn({ userId, network, conn }, message),
      }),
    };
    // Held from now on: writes that come before the socket is up wait for it.
    this.held.set(key, held);
    const now = Date.now();
    const at = Math.max(now, this.nextConnectAt.get(network) ?? 0);
    this.nextConnectAt.set(network, at + this.config.IRC_CONNECT_INTERVAL_MS);
    const start = () => {
      if (this.held.get(key) !== held) return; // disconnected before its turn
      held.connection.connect().then(
        ({ localPort, remoteHost }) => {
          this.logger.info({ userId, network, localPort }, 'IRC connection up');
          this.push({ v: 1, type: 'connected', userId, network, conn, localPort, remoteHost: remoteHost.slice(0, 253) });
        },
        (err: unknown) => this.logger.warn({ userId, network, err }, 'IRC connection failed'),
      );
    };
    if (at <= now) start();
    else setTimeout(start, at - now);
  }

  write(message: InboxMessageOfType<'connectionmanager', 'write'>): void {
    const held = this.held.get(keyOf(message.userId, message.network));
    if (!held) return this.push({ v: 1, type: 'noconnection', userId: message.userId, network: message.network });
    const { userId, network, wseq } = message;
    // The user's own messages are confirmed once the server has handled them (a PING after them came
    // back), so irc-parser sends again, after a reconnect, only what the server may not have had.
    held.connection.write(message.lines, wseq === undefined ? undefined : () => this.push({ v: 1, type: 'sent', userId, network, wseq }));
  }

  disconnect(message: InboxMessageOfType<'connectionmanager', 'disconnect'>): void {
    const key = keyOf(message.userId, message.network);
    const held = this.held.get(key);
    if (!held) return this.push({ v: 1, type: 'noconnection', userId: message.userId, network: message.network });
    if (held.connection.open) {
      void held.connection.quit(message.reason ?? 'Leaving');
    } else {
      // Still waiting for its turn or its socket: it never comes.
      this.held.delete(key);
      held.connection.destroy('closed before it was up');
      this.push({ v: 1, type: 'disconnected', userId: message.userId, network: message.network, reason: 'closed before it was up' });
    }
  }

  /** Queues a message for irc-parser; what a turn of the event loop produced leaves in one LPUSH, in order. */
  private push(message: InboxMessage<'ircparser'>): void {
    this.outgoing.push(message);
    this.scheduleFlush(0);
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const run = () => {
      this.flushScheduled = false;
      this.flush().catch((err: unknown) => this.logger.error({ err, waiting: this.outgoing.length }, 'could not pass IRC events to irc-parser; retrying'));
    };
    if (delayMs === 0) setImmediate(run);
    else setTimeout(run, delayMs);
  }

  private async flush(): Promise<void> {
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length === 0) return;
    try {
      await this.sender.send('ircparser', batch);
    } catch (err) {
      // Kept, in order, for the next flush: Redis being away loses no line.
      this.outgoing = [...batch, ...this.outgoing];
      this.scheduleFlush(1_000);
      throw err;
    }
  }
}
