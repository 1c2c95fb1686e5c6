import { Inject, Injectable } from '@nestjs/common';
import { InboxSender, Notifier } from '@parley/inbox';
import { type CaseMapping, foldCase, KeyPartError, parseCaseMapping } from '@parley/key-schema';
import type { InboxMessageOfType, MessageCategory, NetworkState as WireNetworkState, Role } from '@parley/protocol';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import { NETWORKS } from '../networks/networks.module';
import type { NetworkDefinition } from '../networks/networks';
import { type IrcConfig, parseRetryDelays } from './irc.config';
import { type IrcWindow, IrcRepository, type LineMark, type NetworkState, type NewMessage, type OwnSend, SERVER_WINDOW } from './irc.repository';
import { saslPlainChunks, SecretBox } from './secrets';
import { buildLine, ctcp, isChannel, type Isupport, parseCtcp, parseLine, parseNamesEntry, type ParsedLine, prefixModes, roleOfSymbol } from './lines';

type Event<T extends 'connected' | 'data' | 'disconnected' | 'noconnection' | 'sent'> = InboxMessageOfType<'ircparser', T>;

/** Capabilities Parley asks for when the server offers them. */
export const WANTED_CAPS = ['server-time', 'message-tags', 'multi-prefix', 'away-notify', 'account-notify', 'extended-join', 'echo-message', 'cap-notify'];

/** SASL failed (or was refused): said in the server window, and registration goes on without it. */
const SASL_FAILED = new Set(['902', '904', '905', '906', '907', '908']);

/** Numerics of a join that failed: the channel is forgotten, with the server's reason in the server window. */
const JOIN_FAILURES = new Set(['471', '473', '474', '475', '403', '405']);
/** The nick is taken or unusable. */
const NICK_REFUSED = new Set(['433', '436', '437', '432']);
/** Numerics shown in the server window as they come (MOTD, WHOIS, …); errors (4xx/5xx) as errors. */
const SERVER_TEXT = new Set(['001', '002', '003', '004', '251', '252', '253', '254', '255', '265', '266', '372', '375', '376', '311', '312', '313', '317', '318', '319', '330', '338', '378', '671', '301', '305', '306']);

/** What one connection knows while a line is handled: its user, network and state. */
interface Link {
  userId: number;
  network: string;
  state: NetworkState;
  isupport: Isupport;
  mapping: CaseMapping;
  nick: string;
  line?: LineMark;
  /** Messages of a run of lines waiting to be stored together (see dataMany). */
  pending?: NewMessage[];
}

/** Lines that only add messages: consecutive ones of a user are stored in one step. */
const MESSAGE_COMMANDS = new Set(['PRIVMSG', 'NOTICE']);

/**
 * The IRC state machine of every user's connections. Everything it knows is in Redis
 * (`networks:<userId>:<network>`, the windows, `names`, `windowmsgs`), so any instance continues
 * any connection mid-stream, and a line handled twice (its batch redelivered after a crash) stores
 * its messages once (`lastline`).
 */
@Injectable()
export class IrcService {
  private readonly delayOf: (attempt: number) => number;
  /** Seals the users' SASL credentials; undefined without IRC_SECRET_KEY (none can be stored). */
  readonly secrets: SecretBox | undefined;

  constructor(
    private readonly repo: IrcRepository,
    private readonly notifier: Notifier,
    private readonly sender: InboxSender,
    @Inject(NETWORKS) private readonly networks: Map<string, NetworkDefinition>,
    @Inject(APP_CONFIG) private readonly config: IrcConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.delayOf = parseRetryDelays(config.IRC_RETRY_DELAYS);
    this.secrets = SecretBox.fromConfig(config.IRC_SECRET_KEY);
  }

  // ---- connection ----------------------------------------------------------------------------

  /** Asks connection-manager for the user's socket to the network (once it is not connected). */
  async connect(userId: number, network: string): Promise<void> {
    const def = this.networks.get(network);
    if (!def) return;
    const state = await this.repo.network(userId, network);
    if (state.state === 'connected' || state.state === 'connecting') return;
    const userNick = await this.repo.nick(userId);
    const nick = state.currentnick ?? userNick;
    if (!nick) return;
    await this.repo.setNetwork(userId, network, { state: 'connecting', currentnick: nick });
    await this.repo.clearNetworkFields(userId, network, 'closed', 'away');
    await this.repo.cancelRetry(userId, network);
    await this.announce(userId, network, 'connecting', nick);
    await this.sender.send('connectionmanager', {
      v: 1,
      type: 'connect',
      userId,
      network,
      host: def.host,
      port: def.port,
      tls: def.tls,
      nick,
      realname: userNick ?? nick,
      ...(def.password ? { password: def.password } : {}),
    });
  }

  /** Closes on purpose: QUIT, and no reconnect until the user connects again. */
  async disconnect(userId: number, network: string, reason = 'Leaving'): Promise<void> {
    await this.repo.setNetwork(userId, network, { closed: 1 });
    await this.repo.cancelRetry(userId, network);
    await this.sender.send('connectionmanager', { v: 1, type: 'disconnect', userId, network, reason });
  }

  async connected(e: Event<'connected'>): Promise<void> {
    const state = await this.repo.network(e.userId, e.network);
    // A `connected` handled again after a crash keeps what its lines have done since.
    if (e.conn && state.conn === e.conn) return;
    await this.repo.setNetwork(e.userId, e.network, { state: 'connecting', conn: e.conn ?? '', isupport: '{}', caps: '' });
    await this.repo.clearNetworkFields(e.userId, e.network, 'lastline');
    await this.serverMessage(e.userId, e.network, 'info', `Connected to ${e.remoteHost ?? e.network}; registering…`);
  }

  async disconnected(e: Event<'disconnected'> | Event<'noconnection'>): Promise<void> {
    const { userId, network } = e;
    const state = await this.repo.network(userId, network);
    if (state.state === 'disconnected' && e.type === 'noconnection') return;
    const reason = e.type === 'disconnected' ? e.reason : 'not connected';
    await this.repo.setNetwork(userId, network, { state: 'disconnected' });
    await this.repo.clearNetworkFields(userId, network, 'conn');
    await this.announce(userId, network, 'disconnected', state.currentnick);
    for (const w of await this.repo.windows(userId, network)) {
      if (w.type === 'group' && w.folded !== SERVER_WINDOW) await this.repo.setMembers(userId, w.windowId, {}, true);
    }
    if (state.closed === '1') {
      await this.serverMessage(userId, network, 'info', `Disconnected (${reason})`);
      return;
    }
    const attempt = Number(state.retryCount ?? 0) + 1;
    const delay = this.delayOf(attempt);
    await this.repo.setNetwork(userId, network, { retryCount: attempt });
    await this.repo.scheduleRetry(userId, network, Date.now() + delay);
    await this.serverMessage(userId, network, 'error', `Disconnected (${reason}); reconnecting in ${Math.round(delay / 1000)} s (attempt ${attempt})`);
  }

  /** connection-manager restarted: every user with windows on a network (and not closed) reconnects. */
  async restarted(): Promise<void> {
    for (const userId of await this.repo.allUserIds()) {
      const byNetwork = new Set((await this.repo.windows(userId)).map((w) => w.network));
      for (const network of byNetwork) {
        const state = await this.repo.network(userId, network);
        if (state.closed === '1') continue;
        // The socket is gone whatever the state says.
        await this.repo.setNetwork(userId, network, { state: 'disconnected' });
        await this.connect(userId, network);
      }
    }
  }

  /**
   * The connection-manager that held the user's sockets died (another took the user over): each
   * network that was up or coming up counts as disconnected, and reconnects after back-off.
   */
  async lost(userId: number): Promise<void> {
    const byNetwork = new Set((await this.repo.windows(userId)).map((w) => w.network));
    for (const network of byNetwork) {
      const state = await this.repo.network(userId, network);
      if (state.state !== 'connected' && state.state !== 'connecting') continue;
      await this.disconnected({ v: 1, type: 'disconnected', userId, network, reason: 'the connection-manager that held the connection went away' });
    }
  }

  /** The user started a session: networks closed while they were away reconnect. */
  async active(userId: number): Promise<void> {
    const byNetwork = new Set((await this.repo.windows(userId)).map((w) => w.network));
    for (const network of byNetwork) {
      const state = await this.repo.network(userId, network);
      if (state.away !== '1') continue;
      await this.repo.clearNetworkFields(userId, network, 'away');
      await this.connect(userId, network);
    }
  }

  /**
   * Users whose newest session was last active before `cutoff` (ms) are disconnected from their
   * networks (QUIT), to reconnect at their next session. Returns how many connections were closed.
   */
  async sweepAway(cutoff: number): Promise<number> {
    let closed = 0;
    for (const userId of await this.repo.allUserIds()) {
      const networks = [...new Set((await this.repo.windows(userId)).map((w) => w.network))];
      if (networks.length === 0 || (await this.repo.lastActive(userId)) >= cutoff) continue;
      for (const network of networks) {
        const state = await this.repo.network(userId, network);
        if (state.closed === '1' || (state.state !== 'connected' && state.state !== 'connecting')) continue;
        await this.repo.setNetwork(userId, network, { away: 1 });
        await this.disconnect(userId, network, 'Away for a while; back when I am');
        closed++;
      }
    }
    return closed;
  }

  /** A reconnect whose back-off is over. */
  async retry(userId: number, network: string): Promise<void> {
    const state = await this.repo.network(userId, network);
    if (state.closed === '1' || state.state === 'connected' || state.state === 'connecting') return;
    await this.connect(userId, network);
  }

  // ---- lines -----------------------------------------------------------------------------------

  async data(e: Event<'data'>): Promise<void> {
    await this.dataMany([e]);
  }

  /**
   * One user's lines of one network, in order. Runs of PRIVMSG/NOTICE lines are stored in one
   * step (each member of a busy channel costs one Redis step per run, not per line); any other
   * line first stores the run before it, and the connection's state is read again after it.
   */
  async dataMany(events: readonly Event<'data'>[]): Promise<void> {
    let link: Link | undefined;
    for (const e of events) {
      const line = parseLine(e.line);
      if (!line) continue;
      if (link && (link.network !== e.network || link.line?.conn !== e.conn)) link = await this.flush(link);
      link ??= await this.linkOf(e.userId, e.network);
      link.line = e.conn && e.seq ? { conn: e.conn, seq: e.seq } : undefined;
      if (MESSAGE_COMMANDS.has(line.command)) {
        link.pending ??= [];
        await this.handleOrIgnore(link, line, e);
      } else {
        await this.flush(link);
        await this.handleOrIgnore(link, line, e);
        link = undefined;
      }
    }
    if (link) await this.flush(link);
  }

  private async linkOf(userId: number, network: string): Promise<Link> {
    const state = await this.repo.network(userId, network);
    const isupport = JSON.parse(state.isupport || '{}') as Isupport;
    return { userId, network, state, isupport, mapping: parseCaseMapping(isupport.CASEMAPPING), nick: state.currentnick ?? '' };
  }

  /** Stores the run waiting on the link; returns undefined (the link is done with). */
  private async flush(link: Link): Promise<undefined> {
    const run = link.pending;
    link.pending = undefined;
    if (run && run.length > 0) await this.save(link, run);
    return undefined;
  }

  /**
   * A line naming something no key can hold (`JOIN` without a channel, an empty nick) is the
   * server's mistake, the same however often it is handled: logged and left, not retried.
   */
  private async handleOrIgnore(link: Link, l: ParsedLine, e: Event<'data'>): Promise<void> {
    try {
      await this.handle(link, l);
    } catch (err) {
      if (!(err instanceof KeyPartError)) throw err;
      this.logger.warn({ userId: e.userId, network: e.network, conn: e.conn, seq: e.seq, command: l.command, reason: err.message, line: e.line.slice(0, 200) }, 'IRC line ignored: a name in it cannot be used');
    }
  }

  private async handle(link: Link, l: ParsedLine): Promise<void> {
    const p = l.params;
    switch (l.command) {
      case 'CAP':
        return this.cap(link, p);
      case 'AUTHENTICATE':
        return this.authenticate(link, p[0] ?? '');
      case '903':
        await this.serverLine(link, 'info', p.at(-1) ?? 'SASL authentication successful', '', Date.now());
        return this.write(link.userId, link.network, ['CAP END']);
      case '900':
        return this.serverText(link, l);
      case '001':
        await this.repo.setNetwork(link.userId, link.network, { currentnick: p[0] ?? link.nick });
        link.nick = p[0] ?? link.nick;
        return this.serverText(link, l);
      case '005':
        return this.isupport(link, p.slice(1, -1));
      case '376':
      case '422':
        await this.serverText(link, l);
        return this.registered(link);
      case 'PRIVMSG':
      case 'NOTICE':
        return this.message(link, l);
      case 'JOIN':
        return this.join(link, l);
      case 'PART':
        return this.part(link, l.nick, p[0] ?? '', p[1]);
      case 'KICK':
        return this.kick(link, l.nick, p[0] ?? '', p[1] ?? '', p[2]);
      case 'QUIT':
        return this.quit(link, l.nick, p[0] ?? '');
      case 'NICK':
        return this.nickChange(link, l.nick, p[0] ?? '');
      case 'MODE':
        return this.mode(link, l.nick, p[0] ?? '', p.slice(1));
      case 'TOPIC':
        return this.topic(link, p[0] ?? '', p[1] ?? '', l.nick);
      case '332':
        return this.topic(link, p[1] ?? '', p[2] ?? '');
      case '353':
        return this.names(link, p[2] ?? '', p[3] ?? '');
      case '366':
        return this.namesEnd(link, p[1] ?? '');
      case 'AWAY':
        return this.away(link, l.nick, p[0]);
      case 'INVITE':
        return this.serverLine(link, 'info', `${l.nick} invites you to ${p[1] ?? ''}`, '', Date.now());
      case 'ERROR':
        return this.serverLine(link, 'error', p[0] ?? 'error', '', Date.now());
      default:
        if (SASL_FAILED.has(l.command)) {
          await this.serverLine(link, 'error', `SASL: ${p.at(-1) ?? 'failed'}`, '', Date.now());
          if (l.command !== '907' && link.state.state !== 'connected') await this.write(link.userId, link.network, ['CAP END']);
          return;
        }
        if (NICK_REFUSED.has(l.command)) return this.nickRefused(link, l);
        if (JOIN_FAILURES.has(l.command)) return this.joinFailed(link, p[1] ?? '', p.at(-1) ?? '');
        if (/^[45]\d\d$/.test(l.command)) return this.serverLine(link, 'error', p.slice(1).join(' '), '', Date.now());
        if (SERVER_TEXT.has(l.command)) return this.serverText(link, l);
    }
  }

  private async cap(link: Link, p: string[]): Promise<void> {
    const sub = (p[1] ?? '').toUpperCase();
    const write = (...lines: string[]) => this.write(link.userId, link.network, lines);
    if (sub === 'LS') {
      // CAP LS 302 may come in several lines: `*` before the last list.
      const more = p[2] === '*';
      const offered = (more ? p[3] : p[2]) ?? '';
      const names = offered.split(' ').map((c) => c.split('=')[0]!);
      const wanted = WANTED_CAPS.filter((c) => names.includes(c));
      // SASL when the user has credentials here and the server offers it (with PLAIN, if it lists mechanisms).
      const sasl = offered.split(' ').find((c) => c === 'sasl' || c.startsWith('sasl='));
      if (sasl && link.state.sasl && (sasl === 'sasl' || sasl.slice(5).split(',').includes('PLAIN'))) wanted.push('sasl');
      const pending = (link.state.caps ?? '').split(' ').filter(Boolean);
      const all = [...new Set([...pending, ...wanted])];
      if (more) return this.repo.setNetwork(link.userId, link.network, { caps: all.join(' ') });
      await this.repo.setNetwork(link.userId, link.network, { caps: '' });
      return all.length > 0 ? write(buildLine('CAP', 'REQ', all.join(' '))) : write('CAP END');
    }
    if (sub === 'ACK') {
      const acked = (p[2] ?? '').split(' ').filter(Boolean);
      const caps = [...new Set([...(link.state.caps ?? '').split(' ').filter(Boolean), ...acked.filter((c) => !c.startsWith('-'))])];
      await this.repo.setNetwork(link.userId, link.network, { caps: caps.join(' ') });
      if (link.state.state === 'connected') return;
      // With SASL, registration ends once the server has said how authentication went.
      return acked.includes('sasl') ? write('AUTHENTICATE PLAIN') : write('CAP END');
    }
    if (sub === 'NAK' && link.state.state !== 'connected') return write('CAP END');
  }

  /** The server is ready for the SASL PLAIN payload: the user's credentials, opened only now. */
  private async authenticate(link: Link, arg: string): Promise<void> {
    if (arg !== '+') return;
    const plain = link.state.sasl ? this.secrets?.open(link.state.sasl) : undefined;
    const creds = plain ? (JSON.parse(plain) as { account: string; password: string }) : undefined;
    if (!creds) {
      await this.serverLine(link, 'error', 'SASL: the stored credentials cannot be read (set them again with /sasl)', '', Date.now());
      return this.write(link.userId, link.network, ['AUTHENTICATE *', 'CAP END']);
    }
    await this.write(link.userId, link.network, saslPlainChunks(creds.account, creds.password).map((c) => `AUTHENTICATE ${c}`));
  }

  /** Stores (sealed) or removes the user's SASL credentials for a network. */
  async setSasl(userId: number, network: string, creds: { account: string; password: string } | undefined): Promise<void> {
    if (!creds) return this.repo.clearNetworkFields(userId, network, 'sasl');
    if (!this.secrets) throw new Error('IRC_SECRET_KEY is not set');
    await this.repo.setNetwork(userId, network, { sasl: this.secrets.seal(JSON.stringify(creds)) });
  }

  private async isupport(link: Link, tokens: string[]): Promise<void> {
    const kept: Isupport = { ...link.isupport };
    for (const t of tokens) {
      const [k, v = ''] = t.split('=', 2) as [string, string?];
      if (k === 'PREFIX' || k === 'CASEMAPPING' || k === 'CHANTYPES' || k === 'NETWORK') kept[k] = v;
    }
    link.isupport = kept;
    await this.repo.setNetwork(link.userId, link.network, { isupport: JSON.stringify(kept) });
  }

  /** End of MOTD: connected, the back-off starts over, and the user's channels are joined. */
  private async registered(link: Link): Promise<void> {
    await this.repo.setNetwork(link.userId, link.network, { state: 'connected', retryCount: 0 });
    await this.announce(link.userId, link.network, 'connected', link.nick);
    const joins: string[] = [];
    for (const w of await this.repo.windows(link.userId, link.network)) {
      if (w.type !== 'group' || w.folded === SERVER_WINDOW) continue;
      const fields = await this.repo.windowFields(link.userId, w.windowId);
      if (fields.parted === '1') continue;
      joins.push(fields.password ? buildLine('JOIN', fields.name ?? w.folded, fields.password) : buildLine('JOIN', fields.name ?? w.folded));
    }
    if (joins.length > 0) await this.write(link.userId, link.network, joins);
    await this.resendOut(link);
  }

  /**
   * The user's messages the server was not seen to handle (connection-manager died with them
   * queued or on the wire, or the link closed first) go out again after the channels are joined,
   * once per connection. Ones
   * older than IRC_RESEND_MAX_AGE_MS are not: the user is told in the server window.
   */
  private async resendOut(link: Link): Promise<void> {
    const conn = link.state.conn ?? '';
    if (conn !== '' && link.state.resent === conn) return;
    const entries = await this.repo.unconfirmedOut(link.userId, link.network);
    if (entries.length === 0) return;
    const cutoff = Date.now() - this.config.IRC_RESEND_MAX_AGE_MS;
    const firstFresh = entries.findIndex((e) => e.ts >= cutoff);
    const stale = firstFresh < 0 ? entries : entries.slice(0, firstFresh);
    const fresh = firstFresh < 0 ? [] : entries.slice(firstFresh);
    if (stale.length > 0) {
      await this.repo.dropOut(link.userId, link.network, stale);
      const age = Math.round(this.config.IRC_RESEND_MAX_AGE_MS / 1000);
      // Not marked with the line (its own text is stored under that mark already); dropped first, so said once.
      await this.serverMessage(link.userId, link.network, 'error', `${stale.length} of your messages did not reach ${link.network} before the connection was lost, and are older than ${age} s: not sent again`);
    }
    for (const e of fresh) await this.sender.send('connectionmanager', { v: 1, type: 'write', userId: link.userId, network: link.network, lines: e.lines, wseq: e.wseq });
    await this.repo.setNetwork(link.userId, link.network, { resent: conn });
    this.logger.info({ userId: link.userId, network: link.network, conn, resent: fresh.length, dropped: stale.length }, 'unconfirmed messages sent again after a reconnect');
  }

  private async nickRefused(link: Link, l: ParsedLine): Promise<void> {
    const refused = l.params[1] ?? link.nick;
    if (link.state.state === 'connected') {
      return this.serverLine(link, 'error', `${refused}: ${l.params.at(-1) ?? 'nick refused'}`, '', Date.now());
    }
    // During registration: `nick_`, then the nick with digits.
    const base = (await this.repo.nick(link.userId)) ?? refused;
    let next: string;
    if (refused === base) next = `${base}_`;
    else {
      const n = /(\d+)$/.exec(refused);
      next = refused === `${base}_` ? `${base}1` : `${base}${n ? Number(n[1]) + 1 : 1}`;
    }
    await this.repo.setNetwork(link.userId, link.network, { currentnick: next });
    await this.write(link.userId, link.network, [buildLine('NICK', next)]);
  }

  private async message(link: Link, l: ParsedLine): Promise<void> {
    const [target = '', text = ''] = l.params;
    const fromServer = !l.nick || l.nick.includes('.') || !l.prefix.includes('!');
    const ts = serverTime(l);
    if (fromServer && l.command === 'NOTICE' && !isChannel(target, link.isupport)) {
      return this.serverLine(link, 'notice', text, l.nick, ts);
    }
    const c = parseCtcp(text);
    const own = this.same(link, l.nick, link.nick);
    if (c && c.verb !== 'ACTION') {
      // CTCP requests to the user are answered; replies and the rest go to the server window.
      if (l.command === 'PRIVMSG' && !own) {
        const reply = c.verb === 'VERSION' ? this.config.IRC_CTCP_VERSION : c.verb === 'PING' ? c.args : c.verb === 'TIME' ? new Date().toString() : undefined;
        if (reply !== undefined) await this.write(link.userId, link.network, [buildLine('NOTICE', l.nick, ctcp(c.verb, reply))]);
      }
      return this.serverLine(link, 'info', `CTCP ${c.verb}${c.args ? ` ${c.args}` : ''} from ${l.nick}`, l.nick, ts);
    }
    // The user's own message coming back (echo-message) was stored when it was sent.
    if (own) return;
    const cat: MessageCategory = c?.verb === 'ACTION' ? 'action' : l.command === 'NOTICE' ? 'notice' : 'msg';
    const body = c?.verb === 'ACTION' ? c.args : text;
    // A channel message goes to its window; a private one to the query with the other user.
    const channel = isChannel(target, link.isupport);
    const name = channel ? target : l.nick;
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, name, channel ? 'group' : '1on1', link.mapping, !channel);
    if (!w) return;
    await this.store(link, [{ windowId: w.windowId, cat, body, nick: l.nick, ts }]);
  }

  private async join(link: Link, l: ParsedLine): Promise<void> {
    const channel = l.params[0] ?? '';
    if (this.same(link, l.nick, link.nick)) {
      const w = await this.repo.findOrMakeWindow(link.userId, link.network, channel, 'group', link.mapping, true);
      if (!w) return;
      await this.repo.setWindowFields(link.userId, w.windowId, { name: channel, parted: '0' });
      // The member list starts over: NAMES follows.
      await this.repo.setMembers(link.userId, w.windowId, {}, true);
      return;
    }
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, channel, 'group', link.mapping, false);
    if (!w) return;
    await this.repo.setMembers(link.userId, w.windowId, { [l.nick]: 'u' });
    await this.notifier.notifyUser(link.userId, [{ type: 'UPDATE_MEMBERS', windowId: w.windowId, members: [{ nick: l.nick, role: 'u' }] }]);
    await this.store(link, [{ windowId: w.windowId, cat: 'join', body: `${l.nick} joined`, nick: l.nick, ts: serverTime(l) }]);
  }

  private async part(link: Link, nick: string, channel: string, reason?: string): Promise<void> {
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, channel, 'group', link.mapping, false);
    if (!w) return;
    if (this.same(link, nick, link.nick)) return; // our own PART: the window went with the CLOSE
    await this.repo.removeMembers(link.userId, w.windowId, [nick]);
    await this.notifier.notifyUser(link.userId, [{ type: 'DELETE_MEMBERS', windowId: w.windowId, members: [{ nick }] }]);
    await this.store(link, [{ windowId: w.windowId, cat: 'part', body: `${nick} left${reason ? ` (${reason})` : ''}`, nick, ts: Date.now() }]);
  }

  private async kick(link: Link, by: string, channel: string, target: string, reason?: string): Promise<void> {
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, channel, 'group', link.mapping, false);
    if (!w) return;
    const line = `${target} was kicked by ${by}${reason ? ` (${reason})` : ''}`;
    if (this.same(link, target, link.nick)) {
      // Kept with its history, not rejoined on reconnect; a JOIN on it joins again.
      await this.repo.setWindowFields(link.userId, w.windowId, { parted: '1' });
      await this.repo.setMembers(link.userId, w.windowId, {}, true);
      await this.notifier.notifyUser(link.userId, [{ type: 'UPDATE_MEMBERS', windowId: w.windowId, reset: true, members: [] }]);
    } else {
      await this.repo.removeMembers(link.userId, w.windowId, [target]);
      await this.notifier.notifyUser(link.userId, [{ type: 'DELETE_MEMBERS', windowId: w.windowId, members: [{ nick: target }] }]);
    }
    await this.store(link, [{ windowId: w.windowId, cat: 'kick', body: line, nick: by, ts: Date.now() }]);
  }

  /** Someone quit: a line in every channel window they were in, and in their query. */
  private async quit(link: Link, nick: string, reason: string): Promise<void> {
    const items: NewMessage[] = [];
    for (const w of await this.withNick(link, nick)) {
      if (w.type === 'group') {
        await this.repo.removeMembers(link.userId, w.windowId, [nick]);
        await this.notifier.notifyUser(link.userId, [{ type: 'DELETE_MEMBERS', windowId: w.windowId, members: [{ nick }] }]);
      }
      items.push({ windowId: w.windowId, cat: 'quit', body: `${nick} quit${reason ? ` (${reason})` : ''}`, nick, ts: Date.now() });
    }
    await this.store(link, items);
  }

  private async nickChange(link: Link, from: string, to: string): Promise<void> {
    if (!to) return;
    if (this.same(link, from, link.nick)) {
      await this.repo.setNetwork(link.userId, link.network, { currentnick: to });
      await this.announce(link.userId, link.network, (link.state.state as WireNetworkState | undefined) ?? 'connected', to);
    }
    const items: NewMessage[] = [];
    for (const w of await this.withNick(link, from)) {
      if (w.type === 'group') {
        const role = ((await this.repo.members(link.userId, w.windowId))[from] ?? 'u') as Role;
        await this.repo.removeMembers(link.userId, w.windowId, [from]);
        await this.repo.setMembers(link.userId, w.windowId, { [to]: role });
        await this.notifier.notifyUser(link.userId, [
          { type: 'DELETE_MEMBERS', windowId: w.windowId, members: [{ nick: from }] },
          { type: 'UPDATE_MEMBERS', windowId: w.windowId, members: [{ nick: to, role }] },
        ]);
      }
      items.push({ windowId: w.windowId, cat: 'info', body: `${from} is now known as ${to}`, nick: from, ts: Date.now() });
    }
    await this.store(link, items);
  }

  private async mode(link: Link, by: string, target: string, args: string[]): Promise<void> {
    if (!isChannel(target, link.isupport)) return; // user modes: nothing to show
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, target, 'group', link.mapping, false);
    if (!w) return;
    const { modes: prefixLetters, symbols } = prefixModes(link.isupport);
    const modeString = args[0] ?? '';
    let i = 1;
    let adding = true;
    const members = await this.repo.members(link.userId, w.windowId);
    const changed: Record<string, Role> = {};
    for (const ch of modeString) {
      if (ch === '+' || ch === '-') {
        adding = ch === '+';
        continue;
      }
      const prefixIndex = prefixLetters.indexOf(ch);
      if (prefixIndex >= 0) {
        const nick = args[i++] ?? '';
        if (nick in members) changed[nick] = adding ? roleOfSymbol(symbols[prefixIndex]!) : 'u';
      } else if (ch === 'k') {
        const key = adding ? (args[i++] ?? '') : (args[i++], '');
        await this.repo.setWindowFields(link.userId, w.windowId, { password: key });
      } else if ('beIlfjL'.includes(ch)) {
        // Modes with a parameter (bans, exceptions, limits…): skip theirs.
        if (adding || 'beI'.includes(ch)) i++;
      }
    }
    if (Object.keys(changed).length > 0) {
      await this.repo.setMembers(link.userId, w.windowId, changed);
      await this.notifier.notifyUser(link.userId, [{ type: 'UPDATE_MEMBERS', windowId: w.windowId, members: Object.entries(changed).map(([nick, role]) => ({ nick, role })) }]);
    }
    await this.store(link, [{ windowId: w.windowId, cat: 'info', body: `${by} sets mode ${args.join(' ')}`, nick: by, ts: Date.now() }]);
  }

  private async topic(link: Link, channel: string, topic: string, by?: string): Promise<void> {
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, channel, 'group', link.mapping, false);
    if (!w) return;
    await this.repo.setWindowFields(link.userId, w.windowId, { topic });
    await this.notifier.notifyUser(link.userId, [{ type: 'UPDATE_WINDOW', windowId: w.windowId, topic }]);
    if (by) await this.store(link, [{ windowId: w.windowId, cat: 'info', body: `${by} changed the topic to: ${topic}`, nick: by, ts: Date.now() }]);
  }

  private async names(link: Link, channel: string, list: string): Promise<void> {
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, channel, 'group', link.mapping, false);
    if (!w) return;
    const { symbols } = prefixModes(link.isupport);
    const members: Record<string, Role> = {};
    for (const entry of list.split(' ').filter(Boolean)) {
      const { nick, role } = parseNamesEntry(entry, symbols);
      members[nick] = role;
    }
    await this.repo.setMembers(link.userId, w.windowId, members);
  }

  private async namesEnd(link: Link, channel: string): Promise<void> {
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, channel, 'group', link.mapping, false);
    if (!w) return;
    const members = await this.repo.members(link.userId, w.windowId);
    const role = (members[link.nick] ?? 'u') as Role;
    await this.repo.setWindowFields(link.userId, w.windowId, { userMode: role });
    await this.notifier.notifyUser(link.userId, [
      { type: 'UPDATE_MEMBERS', windowId: w.windowId, reset: true, members: Object.entries(members).map(([nick, r]) => ({ nick, role: r as Role })) },
    ]);
  }

  /** Someone went away or came back (away-notify): said in the query with them, if there is one. */
  private async away(link: Link, nick: string, reason?: string): Promise<void> {
    if (!nick || this.same(link, nick, link.nick)) return;
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, nick, '1on1', link.mapping, false);
    if (!w) return;
    await this.store(link, [{ windowId: w.windowId, cat: 'info', body: reason ? `${nick} is away: ${reason}` : `${nick} is back`, nick, ts: Date.now() }]);
  }

  private async joinFailed(link: Link, channel: string, reason: string): Promise<void> {
    await this.serverLine(link, 'error', `Cannot join ${channel}: ${reason}`, '', Date.now());
    const windows = await this.repo.windows(link.userId, link.network);
    const folded = foldCase(channel, link.mapping);
    const w = windows.find((x) => x.type === 'group' && x.folded === folded);
    if (w && (await this.repo.dropWindow(link.userId, w))) {
      await this.notifier.notifyUser(link.userId, [{ type: 'DELETE_WINDOW', windowId: w.windowId }]);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private same(link: Link, a: string, b: string): boolean {
    return a !== '' && foldCase(a, link.mapping) === foldCase(b, link.mapping);
  }

  /** The user's windows on this network where `nick` is: channels listing them, and the query with them. */
  private async withNick(link: Link, nick: string): Promise<IrcWindow[]> {
    const folded = foldCase(nick, link.mapping);
    const out: IrcWindow[] = [];
    for (const w of await this.repo.windows(link.userId, link.network)) {
      if (w.type === '1on1' && w.folded === folded) out.push(w);
      else if (w.type === 'group' && w.folded !== SERVER_WINDOW && nick in (await this.repo.members(link.userId, w.windowId))) out.push(w);
    }
    return out;
  }

  /** Messages a line brings: kept for the run when one is under way, else stored now. */
  private async store(link: Link, items: NewMessage[]): Promise<void> {
    const marked = items.map((m) => ({ ...m, seq: link.line?.seq }));
    if (link.pending) link.pending.push(...marked);
    else await this.save(link, marked);
  }

  /** Stores messages once per line; one whose window is gone (dropped elsewhere) finds it again. */
  private async save(link: Link, items: NewMessage[]): Promise<void> {
    const conn = items.some((m) => m.seq !== undefined) ? link.line?.conn : undefined;
    const gids = await this.repo.addMessages(link.userId, link.network, items, this.config.IRC_WINDOW_BACKLOG_MAX, conn);
    const lost = items.filter((_, i) => gids[i] === 0);
    for (const m of lost) this.repo.forgetWindow(link.userId, m.windowId);
    if (lost.length > 0) this.logger.info({ userId: link.userId, network: link.network, windows: lost.map((m) => m.windowId) }, 'messages for windows that are gone: dropped');
  }

  private serverText(link: Link, l: ParsedLine): Promise<void> {
    return this.serverLine(link, 'server', l.params.slice(1).join(' '), '', Date.now());
  }

  /** A line of this connection in its server window, in order with the run under way. */
  private async serverLine(link: Link, cat: MessageCategory, body: string, nick: string, ts: number): Promise<void> {
    const w = await this.repo.findOrMakeWindow(link.userId, link.network, SERVER_WINDOW, 'group', 'ascii', true);
    if (w) await this.store(link, [{ windowId: w.windowId, cat, body, nick, ts }]);
  }

  /** A line in the network's server window (made when missing). */
  async serverMessage(userId: number, network: string, cat: MessageCategory, body: string, line?: LineMark, nick = '', ts = Date.now()): Promise<void> {
    const w = await this.repo.findOrMakeWindow(userId, network, SERVER_WINDOW, 'group', 'ascii', true);
    if (!w) return;
    const gids = await this.repo.addMessages(userId, network, [{ windowId: w.windowId, cat, body, nick, ts, seq: line?.seq }], this.config.IRC_WINDOW_BACKLOG_MAX, line?.conn);
    if (gids[0] === 0) this.repo.forgetWindow(userId, w.windowId);
  }

  /**
   * The user's own messages: kept in the outbox (`ircoutbox`) and queued for connection-manager in
   * one step, until it says the server handled them (`sent`), so a connection lost before that
   * sends them after reconnecting. With `own` (a SEND's client id) each write is kept once.
   */
  async writeOwn(userId: number, network: string, lines: string[], ts = Date.now(), own?: OwnSend): Promise<void> {
    for (let i = 0; i < lines.length; i += 50) {
      await this.repo.keepOut(userId, network, lines.slice(i, i + 50), ts, own && { ...own, part: i / 50 });
    }
  }

  /** connection-manager wrote the user's messages up to `wseq`. */
  async sent(e: Event<'sent'>): Promise<void> {
    await this.repo.confirmOut(e.userId, e.network, e.wseq);
  }

  async write(userId: number, network: string, lines: string[]): Promise<void> {
    for (let i = 0; i < lines.length; i += 50) await this.sender.send('connectionmanager', { v: 1, type: 'write', userId, network, lines: lines.slice(i, i + 50) });
  }

  async notifyUser(userId: number, notifications: Parameters<Notifier['notifyUser']>[1]): Promise<void> {
    await this.notifier.notifyUser(userId, notifications);
  }

  /** UPDATE_NETWORKS to the user's sessions: this network's state. */
  async announce(userId: number, network: string, state: WireNetworkState, currentNick?: string): Promise<void> {
    await this.notifier.notifyUser(userId, [{ type: 'UPDATE_NETWORKS', networks: [{ name: network, state, ...(currentNick ? { currentNick } : {}) }] }]);
  }
}

/** The server's time of a line (server-time), or now. */
function serverTime(l: ParsedLine): number {
  const t = l.tags.time ? Date.parse(l.tags.time) : NaN;
  return Number.isFinite(t) ? t : Date.now();
}
