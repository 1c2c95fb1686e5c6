import { Inject, Injectable } from '@nestjs/common';
import { RequestReplies, type ReplyAddress } from '@parley/inbox';
import { parseCaseMapping } from '@parley/key-schema';
import { type InboxMessageOfType, type RequestOf, StoredMessage } from '@parley/protocol';
import { APP_CONFIG } from '@parley/runtime';
import { NETWORKS } from '../networks/networks.module';
import type { NetworkDefinition } from '../networks/networks';
import type { IrcConfig } from './irc.config';
import { IrcRepository, type OwnSend, ownSend, SERVER_WINDOW } from './irc.repository';
import { IrcService } from './irc.service';
import { buildLine, ctcp, isChannel, type Isupport, splitText } from './lines';

type Request = InboxMessageOfType<'ircparser', 'request'>;

const WINDOW_REQUESTS = ['CLOSE', 'SEND', 'EDIT', 'FETCH', 'COMMAND', 'UPDATE_TOPIC', 'UPDATE_PASSWORD', 'READ'] as const;
type WindowRequest = RequestOf<(typeof WINDOW_REQUESTS)[number]>;
const isWindowRequest = (body: Request['request']): body is WindowRequest => (WINDOW_REQUESTS as readonly string[]).includes(body.id);

/** Room for what a server adds when it relays a line (`:nick!user@host `). */
const RELAY_OVERHEAD = 100;

/** What a window of the request is, as irc-parser needs it. */
interface Target {
  windowId: number;
  network: string;
  /** The channel or nick (as shown); `*` for the server window. */
  name: string;
  type: 'group' | '1on1';
  server: boolean;
}

/**
 * The client requests on IRC windows: JOIN, CLOSE, SEND, CHAT, UPDATE_TOPIC, UPDATE_PASSWORD,
 * FETCH, READ and the slash commands. Each is answered once; what the server then says comes
 * back as lines (and, where the server does not echo, the user's own message is stored at once).
 */
@Injectable()
export class IrcRequests {
  constructor(
    private readonly irc: IrcService,
    private readonly repo: IrcRepository,
    private readonly replies: RequestReplies,
    @Inject(NETWORKS) private readonly networks: Map<string, NetworkDefinition>,
    @Inject(APP_CONFIG) private readonly config: IrcConfig,
  ) {}

  async handle(message: Request): Promise<void> {
    const { userId, sessionId, requestId, gateway } = message;
    const to: ReplyAddress = { userId, sessionId, requestId, gateway };
    // A request handled again after a crash finds its answer stored: nothing is done twice.
    if (!(await this.replies.isPending(to))) return;
    const body = message.request;
    if (body.id === 'JOIN') return this.join(to, body.network, body.name, body.password);
    if (body.id === 'CHAT') {
      if (!body.network || !body.nick) return void (await this.replies.fail(to, 'BAD_REQUEST', 'CHAT on IRC names a network and a nick'));
      if (!this.networks.has(body.network)) return this.unknownNetwork(to, body.network);
      const w = await this.repo.findOrMakeWindow(userId, body.network, body.nick, '1on1', await this.mapping(userId, body.network), true);
      return void (await this.replies.answer(to, { status: 'OK', windowId: w!.windowId }));
    }
    if (!isWindowRequest(body)) return void (await this.replies.fail(to, 'BAD_REQUEST', `${body.id} is not an IRC request`));
    const target = await this.target(userId, body.windowId);
    if (!target) return void (await this.replies.fail(to, 'NOT_FOUND', `window ${body.windowId} is not yours`));
    return this.inWindow(to, target, body);
  }

  private async inWindow(to: ReplyAddress, t: Target, body: WindowRequest): Promise<void> {
    const ok = () => this.replies.answer(to, { status: 'OK' });
    switch (body.id) {
      case 'SEND': {
        if (t.server) return void (await this.replies.fail(to, 'BAD_REQUEST', 'the server window takes commands: /quote <line> sends a raw line'));
        const said = await this.say(to, t, 'PRIVMSG', body.text, 'msg', ownSend(to.userId, t.windowId, body.clientMsgId));
        if (!said) return void (await this.replies.fail(to, 'NOT_AVAILABLE', `not connected to ${t.network}: the text was not sent`));
        return void (await this.replies.answer(to, { status: 'OK', ...said }));
      }
      case 'CLOSE':
        await this.close(to.userId, t);
        return void (await ok());
      case 'UPDATE_TOPIC':
        await this.irc.write(to.userId, t.network, [buildLine('TOPIC', t.name, body.topic)]);
        return void (await ok());
      case 'UPDATE_PASSWORD':
        await this.irc.write(to.userId, t.network, [body.password === null ? buildLine('MODE', t.name, '-k', '*') : buildLine('MODE', t.name, '+k', body.password)]);
        return void (await ok());
      case 'FETCH':
        return void (await this.replies.answer(to, { status: 'OK', messages: await this.fetch(to.userId, t.windowId, body.limit, body.beforeGid, body.afterGid) }));
      case 'READ':
        if (!(await this.repo.markRead(to.userId, t.windowId, body.gid, to.sessionId))) return void (await this.replies.fail(to, 'NOT_FOUND', 'no such message'));
        return void (await ok());
      case 'EDIT':
        return void (await this.replies.fail(to, 'BAD_REQUEST', 'IRC messages cannot be edited'));
      case 'COMMAND':
        return this.command(to, t, body.command.toLowerCase(), body.params);
    }
  }

  private async join(to: ReplyAddress, network: string, rawName: string, password?: string): Promise<void> {
    if (!this.networks.has(network)) return this.unknownNetwork(to, network);
    const state = await this.repo.network(to.userId, network);
    const isupport = JSON.parse(state.isupport || '{}') as Isupport;
    // `tea` is `#tea`.
    const name = isChannel(rawName, isupport) || /^[#&!+]/.test(rawName) ? rawName : `#${rawName}`;
    await this.irc.serverMessage(to.userId, network, 'info', `Joining ${name}`);
    const w = await this.repo.findOrMakeWindow(to.userId, network, name, 'group', parseCaseMapping(isupport.CASEMAPPING), true, password ? { password } : {});
    await this.repo.setWindowFields(to.userId, w!.windowId, { parted: '0', ...(password ? { password } : {}) });
    await this.replies.answer(to, { status: 'OK', windowId: w!.windowId });
    if (state.state === 'connected') await this.irc.write(to.userId, network, [password ? buildLine('JOIN', name, password) : buildLine('JOIN', name)]);
    // Not connected: connecting now joins every channel window at the end of the MOTD.
    else await this.irc.connect(to.userId, network);
  }

  /** Leaves a channel (PART) or a query; the server window, or the last window of a network, ends the connection. */
  private async close(userId: number, t: Target): Promise<void> {
    const windows = await this.repo.windows(userId, t.network);
    const drop = t.server ? windows : windows.filter((w) => w.windowId === t.windowId);
    if (t.type === 'group' && !t.server) await this.irc.write(userId, t.network, [buildLine('PART', t.name)]);
    for (const w of drop) await this.dropWindow(userId, w);
    const left = windows.filter((w) => !drop.includes(w) && w.folded !== SERVER_WINDOW);
    if (t.server || left.length === 0) {
      await this.irc.disconnect(userId, t.network, 'Leaving');
      for (const w of windows.filter((x) => x.folded === SERVER_WINDOW && !drop.includes(x))) await this.dropWindow(userId, w);
    }
  }

  private async dropWindow(userId: number, w: { windowId: number; network: string; folded: string; type: 'group' | '1on1' }): Promise<void> {
    if (await this.repo.dropWindow(userId, w)) await this.irc.notifyUser(userId, [{ type: 'DELETE_WINDOW', windowId: w.windowId }]);
  }

  /**
   * Sends a text as PRIVMSG/NOTICE lines (split on UTF-8 boundaries under the byte limit) and
   * stores it at once (with echo-message the server's echo is not stored again); returns the
   * first piece's gid and time, or undefined when the network is not connected.
   *
   * With `own` (a SEND's client id) it is stored and queued once, however often it is handled: the
   * store and each write are single steps that remember what they did under that id, so a
   * request redelivered after a crash between them, or retried from a new session, does only what
   * is left and answers with the first gid. Stored first, then queued: the line is never on the
   * network without being in the window.
   */
  private async say(to: ReplyAddress, t: Target, command: 'PRIVMSG' | 'NOTICE', text: string, cat: 'msg' | 'notice' | 'action', own?: OwnSend): Promise<{ gid: number; ts: number } | undefined> {
    const pieces = splitText(text, command.length + t.name.length + 3 + RELAY_OVERHEAD + (cat === 'action' ? 9 : 0));
    const lines = pieces.map((p) => buildLine(command, t.name, cat === 'action' ? ctcp('ACTION', p) : p));
    const state = await this.repo.network(to.userId, t.network);
    if (state.state !== 'connected') {
      // Stored before the link went: what of it was not queued yet is kept now (the outbox sends
      // it after the reconnect), and the answer is the first one's.
      const earlier = own && (await this.repo.ownMessages(own));
      if (earlier) {
        await this.irc.writeOwn(to.userId, t.network, lines, earlier.ts, own);
        return earlier;
      }
      await this.irc.serverMessage(to.userId, t.network, 'error', `Not connected: "${text.slice(0, 60)}" was not sent`);
      return undefined;
    }
    const nick = state.currentnick ?? '';
    const now = Date.now();
    const items = pieces.map((body) => ({ windowId: t.windowId, cat, body, nick, ts: now }));
    const max = this.config.IRC_WINDOW_BACKLOG_MAX;
    const { ts, gids } = own
      ? await this.repo.addOwnMessages(to.userId, t.network, items, max, to.sessionId, own)
      : { ts: now, gids: await this.repo.addMessages(to.userId, t.network, items, max, undefined, to.sessionId) };
    if (gids[0] === undefined || gids[0] <= 0) return undefined; // the window went meanwhile: not sent
    await this.irc.writeOwn(to.userId, t.network, lines, ts, own);
    return { gid: gids[0], ts };
  }

  private async command(to: ReplyAddress, t: Target, command: string, params: string): Promise<void> {
    const ok = () => this.replies.answer(to, { status: 'OK' });
    const write = (...lines: string[]) => this.irc.write(to.userId, t.network, lines);
    const [first = '', ...rest] = params.split(' ').filter(Boolean);
    const restText = params.slice(params.indexOf(first) + first.length).trim();
    const needs = async (what: string) => void (await this.replies.fail(to, 'BAD_REQUEST', `/${command} needs ${what}`));
    const channelOnly = async () => void (await this.replies.fail(to, 'BAD_REQUEST', `/${command} works in a channel window`));
    switch (command) {
      case 'me':
        if (!params.trim()) return needs('a text');
        if (t.server) return channelOnly();
        await this.say(to, t, 'PRIVMSG', params, 'action');
        return void (await ok());
      case 'msg':
      case 'notice': {
        if (!first || !restText) return needs('a target and a text');
        const kind = command === 'msg' ? 'PRIVMSG' : 'NOTICE';
        const target = await this.queryOrChannel(to.userId, t.network, first);
        await this.say(to, target, kind, restText, command === 'msg' ? 'msg' : 'notice');
        return void (await ok());
      }
      case 'nick':
        if (!first) return needs('a nick');
        await write(buildLine('NICK', first));
        return void (await ok());
      case 'topic':
        if (t.server || t.type !== 'group') return channelOnly();
        await write(params.trim() ? buildLine('TOPIC', t.name, params.trim()) : buildLine('TOPIC', t.name));
        return void (await ok());
      case 'whois':
        if (!first) return needs('a nick');
        await write(buildLine('WHOIS', first));
        return void (await ok());
      case 'mode':
        await write(buildLine('MODE', ...(first && /^[+-]/.test(first) && !t.server ? [t.name, ...params.trim().split(' ')] : params.trim().split(' ').filter(Boolean))));
        return void (await ok());
      case 'op':
      case 'deop':
      case 'voice':
      case 'devoice': {
        if (t.server || t.type !== 'group') return channelOnly();
        if (!first) return needs('a nick');
        const nicks = params.trim().split(' ').filter(Boolean);
        const letter = command.endsWith('op') ? 'o' : 'v';
        await write(buildLine('MODE', t.name, `${command.startsWith('de') ? '-' : '+'}${letter.repeat(nicks.length)}`, ...nicks));
        return void (await ok());
      }
      case 'kick':
        if (t.server || t.type !== 'group') return channelOnly();
        if (!first) return needs('a nick');
        await write(restText ? buildLine('KICK', t.name, first, restText) : buildLine('KICK', t.name, first));
        return void (await ok());
      case 'ban':
      case 'unban':
        if (t.server || t.type !== 'group') return channelOnly();
        if (!first) return needs('a nick or mask');
        await write(buildLine('MODE', t.name, command === 'ban' ? '+b' : '-b', first.includes('!') || first.includes('@') ? first : `${first}!*@*`));
        return void (await ok());
      case 'invite':
        if (t.server || t.type !== 'group') return channelOnly();
        if (!first) return needs('a nick');
        await write(buildLine('INVITE', first, t.name));
        return void (await ok());
      case 'part':
        if (t.server || t.type !== 'group') return channelOnly();
        await this.close(to.userId, t);
        return void (await ok());
      case 'away':
        await write(params.trim() ? buildLine('AWAY', params.trim()) : 'AWAY');
        return void (await ok());
      case 'ctcp':
        if (!first || !rest[0]) return needs('a target and a CTCP verb');
        await write(buildLine('PRIVMSG', first, ctcp(rest[0].toUpperCase(), rest.slice(1).join(' '))));
        return void (await ok());
      case 'quote':
      case 'raw':
        if (!params.trim()) return needs('a line');
        // One line, whatever it holds: CR and LF cannot be in a request's text, and
        // connection-manager would turn them into spaces anyway.
        await write(params.trim());
        return void (await ok());
      case 'join':
        if (!first) return needs('a channel');
        return this.join(to, t.network, first, rest[0]);
      case 'connect':
        await this.irc.connect(to.userId, t.network);
        return void (await ok());
      case 'sasl': {
        // `/sasl <account> <password>` (used from the next connect on), or `/sasl off`.
        if (first.toLowerCase() === 'off') {
          await this.irc.setSasl(to.userId, t.network, undefined);
          return void (await ok());
        }
        if (!first || !restText) return needs('an account and a password, or off');
        if (!this.irc.secrets) return void (await this.replies.fail(to, 'NOT_AVAILABLE', 'this server keeps no IRC credentials (IRC_SECRET_KEY is not set)'));
        await this.irc.setSasl(to.userId, t.network, { account: first, password: restText });
        return void (await ok());
      }
      case 'disconnect':
        await this.irc.disconnect(to.userId, t.network, params.trim() || 'Leaving');
        return void (await ok());
      default:
        return void (await this.replies.fail(to, 'BAD_REQUEST', `unknown command /${command}`));
    }
  }

  /** The window a /msg goes to: the channel's, or the query with the nick (made when missing). */
  private async queryOrChannel(userId: number, network: string, name: string): Promise<Target> {
    const state = await this.repo.network(userId, network);
    const isupport = JSON.parse(state.isupport || '{}') as Isupport;
    const channel = isChannel(name, isupport);
    const w = await this.repo.findOrMakeWindow(userId, network, name, channel ? 'group' : '1on1', parseCaseMapping(isupport.CASEMAPPING), !channel);
    return { windowId: w?.windowId ?? 0, network, name, type: channel ? 'group' : '1on1', server: false };
  }

  private async target(userId: number, windowId: number): Promise<Target | undefined> {
    const w = (await this.repo.windows(userId)).find((x) => x.windowId === windowId);
    if (!w) return undefined;
    const fields = await this.repo.windowFields(userId, windowId);
    return { windowId, network: w.network, name: fields.name ?? w.folded, type: w.type, server: w.folded === SERVER_WINDOW };
  }

  private async fetch(userId: number, windowId: number, limit: number, beforeGid?: number, afterGid?: number): Promise<StoredMessage[]> {
    const all = (await this.repo.backlog(userId, windowId)).flatMap((raw) => {
      const parsed = StoredMessage.safeParse(JSON.parse(raw));
      return parsed.success ? [parsed.data] : [];
    });
    // The backlog is newest first.
    const chosen = all.filter((m) => (beforeGid === undefined || m.gid < beforeGid) && (afterGid === undefined || m.gid > afterGid));
    const page = afterGid !== undefined ? chosen.slice(-limit) : chosen.slice(0, limit);
    return page.reverse();
  }

  private async mapping(userId: number, network: string) {
    const state = await this.repo.network(userId, network);
    return parseCaseMapping((JSON.parse(state.isupport || '{}') as Isupport).CASEMAPPING);
  }

  private async unknownNetwork(to: ReplyAddress, network: string): Promise<void> {
    await this.replies.fail(to, 'NOT_FOUND', `no IRC network ${network} here (${[...this.networks.keys()].join(', ') || 'none is set up'})`);
  }
}
