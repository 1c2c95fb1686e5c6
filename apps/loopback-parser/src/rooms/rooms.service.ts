import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hash, type Options, verify } from '@node-rs/argon2';
import { RequestReplies } from '@parley/inbox';
import { BUILTIN_NETWORK, historyPage, URLS_MAX, type InboxMessageOfType, type RequestOf } from '@parley/protocol';
import { APP_CONFIG } from '@parley/runtime';
import { parseCommand, type RoomCommand } from './commands';
import { urlsIn } from './links';
import { ObjectStoreError } from '@parley/object-store';
import { BotsService } from './bots.service';
import type { RoomsConfig } from './rooms.config';
import { RoomObjects } from './room-objects.repository';
import { type ReplyAddress, RoomsRepository, type RoomWindow, type SendItem } from './rooms.repository';

// 2 is Argon2id (a const enum in @node-rs/argon2 that type-stripping compilers cannot inline).
const ARGON2ID = { algorithm: 2 as unknown as Options['algorithm'] };



const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The nick a room's webhook posts under. */
export const WEBHOOK_NICK = 'webhook';

/** How long a client message id keeps a retried SEND from being stored twice (s). */
const DEDUPE_TTL_S = 24 * 3600;

type Request = InboxMessageOfType<'loopbackparser', 'request'>;

/**
 * The requests of rooms on the built-in network. Checks what needs no Redis (names, commands,
 * passwords against their hash), then runs the room's Lua script, which changes the room, tells the
 * members and stores the answer in one step.
 */
/** Where the answer of a forwarded request goes. */
const replyAddress = ({ userId, sessionId, requestId, gateway }: Request): ReplyAddress => ({ userId, sessionId, requestId, gateway });

/** Aliases one account may reserve. */
const ALIASES_MAX = 10;

@Injectable()
export class RoomsService {
  constructor(
    private readonly repo: RoomsRepository,
    private readonly objects: RoomObjects,
    private readonly bots: BotsService,
    private readonly replies: RequestReplies,
    @Inject(APP_CONFIG) private readonly config: RoomsConfig,
  ) {}

  async handle(message: Request): Promise<void> {
    const to = replyAddress(message);
    // A request delivered twice (after a crash) is not done twice: each script checks first that
    // its answer is still awaited, and an answer is stored only over a pending claim.
    const body = message.request;
    // The hot path (SEND) does not need the nick: the room's member list has it.
    const needsNick = body.id === 'CREATE' || body.id === 'JOIN' || body.id === 'NOTE_ADD' || body.id === 'NOTE_EDIT' || body.id === 'NOTE_DELETE';
    const nick = needsNick ? await this.repo.nick(to.userId) : '';
    if (nick === undefined) return void (await this.replies.fail(to, 'FORBIDDEN', 'this account no longer exists'));
    switch (body.id) {
      case 'CREATE':
        return this.create(to, nick, body);
      case 'JOIN':
        return this.join(to, nick, body);
      case 'CLOSE':
      case 'SEND':
      case 'EDIT':
      case 'FETCH':
      case 'COMMAND':
      case 'UPDATE_TOPIC':
      case 'UPDATE_PASSWORD':
      case 'READ':
        return this.inWindow(to, nick, body);
      case 'NOTES':
      case 'NOTE_ADD':
      case 'NOTE_EDIT':
      case 'NOTE_DELETE':
      case 'URLS':
        return this.windowExtras(to, nick, body);
      case 'CHAT':
      case 'UPDATE':
      case 'SET':
      case 'REQUEST_FRIEND':
      case 'FRIEND_VERDICT':
      case 'REMOVE_FRIEND':
      case 'BLOCK':
      case 'UNBLOCK':
      case 'LOGOUT':
        return void (await this.replies.fail(to, 'BAD_REQUEST', `${body.id} is not a room request`));
    }
  }

  /**
   * SENDs of one user, in order, pipelined: the rooms are looked up first (remembered, so usually
   * without Redis); consecutive SENDs of one session into one room make one run, stored and fanned
   * out in one script (each member's sessions reached once per run); then every script is issued
   * before any is awaited. Each script checks its own requests are still awaited, so handling them
   * again after a failure does no harm.
   */
  async sendMany(messages: Request[]): Promise<void> {
    type Step = { fail: ReplyAddress; windowId: number } | { room: string; windowId: number; to: ReplyAddress; items: SendItem[] };
    const steps: Step[] = [];
    for (const m of messages) {
      if (m.request.id !== 'SEND') throw new Error('sendMany takes SEND requests only');
      const to = replyAddress(m);
      const window = await this.repo.roomWindow(m.userId, m.request.windowId);
      if (!window) {
        steps.push({ fail: to, windowId: m.request.windowId });
        continue;
      }
      const item = this.sendItem(to, window.room, m.request);
      const last = steps.at(-1);
      if (last && 'items' in last && last.room === window.room && last.to.sessionId === to.sessionId) last.items.push(item);
      else steps.push({ room: window.room, windowId: window.windowId, to, items: [item] });
    }
    const issued = steps.map((step) =>
      'fail' in step ? this.replies.fail(step.fail, 'NOT_FOUND', `window ${step.windowId} is not a room of yours`) : this.send(step.to, step.room, step.windowId, step.items),
    );
    await Promise.all(issued);
  }

  private sendItem(to: ReplyAddress, room: string, body: RequestOf<'SEND'>): SendItem {
    return { to, text: body.text, cat: 'msg', urls: urlsIn(body.text), clientMsgKey: this.repo.clientMsgKey(room, to.userId, body.clientMsgId) };
  }

  /** Issues the send script at once (no await before it): sendMany relies on that for order. */
  private send(to: ReplyAddress, room: string, wid: number, items: SendItem[], dedupeTtl = DEDUPE_TTL_S): Promise<number> {
    return this.repo.send(this.repo.roomKeys(room), { uid: to.userId, wid, sid: to.sessionId, ...this.base(), dedupeTtl, urlsMax: URLS_MAX }, items);
  }

  /**
   * A post with the room's API key (checked by the gateway): into the room as its integration, or
   * as one of the room's service bots.
   */
  async webhook(room: string, text: string, bot?: string, action = false): Promise<void> {
    if (bot !== undefined) return this.bots.webhook(room, bot, text, action);
    await this.repo.send(this.repo.roomKeys(room), { nick: WEBHOOK_NICK, dedupeTtl: 0, urlsMax: URLS_MAX, ...this.base() }, [{ text, cat: action ? 'action' : 'msg', urls: urlsIn(text) }]);
  }

  private base() {
    return { now: Date.now(), maxBacklog: this.config.ROOM_BACKLOG_MAX, burst: this.config.ROOM_JOIN_BACKLOG };
  }

  private async create(to: ReplyAddress, nick: string, body: RequestOf<'CREATE'>): Promise<void> {
    const passwordHash = body.password ? await hash(body.password, ARGON2ID) : '';
    await this.repo.run('create', this.repo.roomKeys(body.name), { uid: to.userId, nick, name: body.name, suffix: this.repo.suffix(body.name), passwordHash, ...this.base() }, to);
  }

  private async join(to: ReplyAddress, nick: string, body: RequestOf<'JOIN'>): Promise<void> {
    if (body.network !== BUILTIN_NETWORK) return void (await this.replies.fail(to, 'BAD_REQUEST', 'not a room of the built-in network'));
    // The password is checked here (argon2 is too slow for a Lua step); the script then checks
    // that the hash it was checked against is still the room's.
    // An auto-kick of the room (the object store's AutoKick, edited live) refuses the join.
    const kick = this.objects.autoKickOf(body.name, nick);
    if (kick) return void (await this.replies.fail(to, 'BANNED', `you may not join ${body.name}${kick.reason ? `: ${kick.reason}` : ''}`));
    const stored = await this.repo.roomPassword(body.name);
    const passwordChecked = stored && body.password !== undefined && (await verify(stored, body.password)) ? stored : '';
    const keys = this.repo.roomKeys(body.name);
    await this.repo.run('join', keys, { uid: to.userId, nick, suffix: this.repo.suffix(body.name), passwordChecked, ...this.base() }, to);
    // The room's access list makes the new member operator or voiced (a no-op if the join failed).
    const level = this.objects.accessOf(body.name, nick);
    if (level) await this.repo.run('access', keys.slice(0, 5), { uid: to.userId, role: level === 'op' ? '@' : '+', ...this.base() });
  }

  /** Notes and URLs of any window of the user. */
  private async windowExtras(to: ReplyAddress, nick: string, body: RequestOf<'NOTES' | 'NOTE_ADD' | 'NOTE_EDIT' | 'NOTE_DELETE' | 'URLS'>): Promise<void> {
    // The reads check the window here; the note scripts check it in the same step as their write.
    const reading = body.id === 'NOTES' || body.id === 'URLS';
    if (reading && !(await this.repo.windowExists(to.userId, body.windowId))) return void (await this.replies.fail(to, 'NOT_FOUND', `window ${body.windowId} is not yours`));
    switch (body.id) {
      case 'NOTES': {
        const notes = (await this.repo.notes(to.userId, body.windowId))
          .map(({ noteId, fields }) => ({ noteId, ver: Number(fields.ver), nick: fields.nick ?? '', ts: Number(fields.timestamp), text: fields.msg ?? '' }))
          .filter((n) => n.ver > 0)
          .sort((a, b) => a.ts - b.ts);
        return void (await this.replies.answer(to, { status: 'OK', notes }));
      }
      case 'URLS':
        return void (await this.replies.answer(to, { status: 'OK', urls: await this.repo.urls(to.userId, body.windowId, body.limit ?? URLS_MAX) }));
      case 'NOTE_ADD': {
        const noteId = randomBytes(12).toString('base64url');
        return void (await this.repo.run('notes', this.repo.noteKeys(to.userId, body.windowId, noteId), { uid: to.userId, wid: body.windowId, op: 'add', noteId, nick, text: body.text, now: Date.now() }, to));
      }
      case 'NOTE_EDIT':
      case 'NOTE_DELETE': {
        const op = body.id === 'NOTE_EDIT' ? 'edit' : 'delete';
        const text = body.id === 'NOTE_EDIT' ? body.text : '';
        return void (await this.repo.run('notes', this.repo.noteKeys(to.userId, body.windowId, body.noteId), { uid: to.userId, wid: body.windowId, op, noteId: body.noteId, ver: body.ver, nick, text, now: Date.now() }, to));
      }
    }
  }

  private async inWindow(to: ReplyAddress, nick: string, body: RequestOf<'CLOSE' | 'SEND' | 'EDIT' | 'FETCH' | 'COMMAND' | 'UPDATE_TOPIC' | 'UPDATE_PASSWORD' | 'READ'>): Promise<void> {
    const window = await this.repo.roomWindow(to.userId, body.windowId);
    if (!window) return void (await this.replies.fail(to, 'NOT_FOUND', `window ${body.windowId} is not a room of yours`));
    const { room, windowId: wid } = window;
    const keys = this.repo.roomKeys(room);
    const common = { uid: to.userId, wid, suffix: this.repo.suffix(room), ...this.base() };
    switch (body.id) {
      case 'CLOSE':
        return void (await this.repo.run('leave', keys, common, to));
      case 'SEND':
        return void (await this.send(to, room, wid, [this.sendItem(to, room, body)]));
      case 'EDIT':
        return void (await this.repo.run('edit', keys.slice(0, 5), { ...common, gid: body.gid, text: body.text, urls: urlsIn(body.text), urlsMax: URLS_MAX }, to));
      case 'UPDATE_TOPIC':
        return void (await this.repo.run('topic', keys.slice(0, 5), { ...common, topic: body.topic }, to));
      case 'UPDATE_PASSWORD': {
        const passwordHash = body.password === null ? '' : await hash(body.password, ARGON2ID);
        return void (await this.repo.run('settings', keys.slice(0, 5), { ...common, passwordHash }, to));
      }
      case 'FETCH':
        return this.fetch(to, room, body);
      case 'READ':
        return void (await this.repo.run('read', keys.slice(0, 5), { ...common, gid: body.gid }, to));
      case 'COMMAND':
        return this.command(to, window, keys, common, parseCommand(body.command, body.params));
    }
  }

  private async command(to: ReplyAddress, window: RoomWindow, keys: string[], common: Record<string, unknown>, command: RoomCommand): Promise<void> {
    switch (command.kind) {
      case 'error':
        return void (await this.replies.fail(to, 'BAD_REQUEST', command.message));
      case 'me':
        return void (await this.send(to, window.room, window.windowId, [{ to, text: command.text, cat: 'action', urls: urlsIn(command.text) }], 0));
      case 'topic':
        return void (await this.repo.run('topic', keys.slice(0, 5), { ...common, topic: command.text }, to));
      case 'policy':
        return void (await this.repo.run('settings', keys.slice(0, 5), { ...common, policy: command.policy }, to));
      case 'bans': {
        // A read: no script needed, but the same rule as the moderation that changes them.
        const { role, policy, bans } = await this.repo.roomAccess(window.room, to.userId);
        if (role !== '*' && role !== '@') return void (await this.replies.fail(to, 'FORBIDDEN', 'only the owner and operators see the bans of this room'));
        return void (await this.replies.answer(to, { status: 'OK', bans, policy }));
      }
      case 'akick':
        return this.autoKick(to, window.room, command);
      case 'access':
        return this.access(to, window.room, command);
      case 'alias':
        return this.alias(to, command);
      case 'bot':
        return this.bots.command(to, window, command);
      case 'apikey': {
        // Shown once to the owner; stored only as its SHA-256.
        const apiKey = randomBytes(32).toString('base64url');
        return void (await this.repo.run('moderate', keys, { ...common, action: 'apikey', apiKey, apiKeyHash: sha256(apiKey) }, to));
      }
      case 'moderate': {
        const target = command.mask !== undefined ? { mask: command.mask } : await this.targetUser(command.nick!);
        if (!target) return void (await this.replies.fail(to, 'NOT_FOUND', `no user ${command.nick}`));
        return void (await this.repo.run('moderate', keys, { ...common, action: command.action, target, reason: command.reason }, to));
      }
    }
  }

  /**
   * `/alias add|del|list`: extra nicks of the user's account on the built-in network (NickAlias
   * objects); nobody can register one of them. The alias is written, then the account index is
   * checked again: a registration that won the race in between makes the alias go back.
   */
  private async alias(to: ReplyAddress, command: Extract<RoomCommand, { kind: 'alias' }>): Promise<void> {
    const store = this.objects.store;
    const mine = async () => {
      const ids = await store.find('NickAlias', { account: String(to.userId) });
      const out: { id: number; nick: string }[] = [];
      for (const id of ids) {
        const o = await store.get('NickAlias', id);
        if (o?.nick) out.push({ id, nick: o.nick });
      }
      return out.sort((a, b) => a.nick.localeCompare(b.nick));
    };
    const taken = async (nick: string) => {
      const owner = await this.repo.userIdByNick(nick);
      return owner !== undefined && owner !== to.userId;
    };
    switch (command.op) {
      case 'list':
        return void (await this.replies.answer(to, { status: 'OK', aliases: (await mine()).map((a) => a.nick) }));
      case 'add': {
        const nick = command.nick!;
        const existing = await mine();
        if (existing.some((a) => a.nick === nick)) return void (await this.replies.fail(to, 'ERROR_EXISTS', `${nick} is your alias already`));
        if (existing.length >= ALIASES_MAX) return void (await this.replies.fail(to, 'BAD_REQUEST', `at most ${ALIASES_MAX} aliases per account`));
        if (await taken(nick)) return void (await this.replies.fail(to, 'ERROR_EXISTS', `${nick} is someone's nick`));
        if (this.objects.botByNick(nick)) return void (await this.replies.fail(to, 'ERROR_EXISTS', `${nick} is a service bot's nick`));
        let id: number;
        try {
          id = await store.create('NickAlias', { nick, account: String(to.userId), created: Date.now() });
        } catch (err) {
          if (err instanceof ObjectStoreError && err.code === 'UNIQUE') return void (await this.replies.fail(to, 'ERROR_EXISTS', `${nick} is reserved by another account`));
          throw err;
        }
        if (await taken(nick)) {
          await store.delete('NickAlias', id);
          return void (await this.replies.fail(to, 'ERROR_EXISTS', `${nick} is someone's nick`));
        }
        return void (await this.replies.answer(to, { status: 'OK' }));
      }
      case 'del': {
        const found = (await mine()).find((a) => a.nick === command.nick);
        if (!found) return void (await this.replies.fail(to, 'NOT_FOUND', `${command.nick ?? ''} is not one of your aliases`));
        await store.delete('NickAlias', found.id);
        return void (await this.replies.answer(to, { status: 'OK' }));
      }
    }
  }

  /** `/access add|del|list`: who is made operator or voiced on joining (the owner manages it). */
  private async access(to: ReplyAddress, room: string, command: Extract<RoomCommand, { kind: 'access' }>): Promise<void> {
    const role = await this.repo.role(room, to.userId);
    if (command.op !== 'list' && role !== '*') return void (await this.replies.fail(to, 'FORBIDDEN', 'only the owner manages the access list of this room'));
    if (command.op === 'list' && role !== '*' && role !== '@') return void (await this.replies.fail(to, 'FORBIDDEN', 'only the owner and operators see the access list of this room'));
    const entries = this.objects.accessList(room);
    const existing = entries.find((a) => a.mask === command.mask);
    switch (command.op) {
      case 'list':
        return void (await this.replies.answer(to, { status: 'OK', access: entries.map(({ mask, level }) => ({ mask, level })) }));
      case 'add': {
        // Adding a mask again changes its level.
        await this.objects.put('ChanAccess', { room: room.toLowerCase(), mask: command.mask, level: command.level, creator: String(to.userId), created: Date.now() }, existing?.id);
        return void (await this.replies.answer(to, { status: 'OK' }));
      }
      case 'del':
        if (!existing) return void (await this.replies.fail(to, 'NOT_FOUND', `${command.mask ?? ''} is not on the access list of this room`));
        await this.objects.remove('ChanAccess', existing.id);
        return void (await this.replies.answer(to, { status: 'OK' }));
    }
  }

  /** `/akick add|del|list`: the room's auto-kick masks (owner and operators). */
  private async autoKick(to: ReplyAddress, room: string, command: Extract<RoomCommand, { kind: 'akick' }>): Promise<void> {
    const role = await this.repo.role(room, to.userId);
    if (role !== '*' && role !== '@') return void (await this.replies.fail(to, 'FORBIDDEN', 'only the owner and operators manage the auto-kicks of this room'));
    const entries = this.objects.autoKicks(room);
    const existing = entries.find((k) => k.mask === command.mask);
    switch (command.op) {
      case 'list':
        return void (await this.replies.answer(to, { status: 'OK', autoKicks: entries.map(({ mask, reason }) => ({ mask, reason })) }));
      case 'add': {
        if (existing) return void (await this.replies.fail(to, 'ERROR_EXISTS', `${command.mask} is an auto-kick of this room already`));
        await this.objects.put('AutoKick', { room: room.toLowerCase(), mask: command.mask, reason: command.reason, creator: String(to.userId), created: Date.now() });
        return void (await this.replies.answer(to, { status: 'OK' }));
      }
      case 'del':
        if (!existing) return void (await this.replies.fail(to, 'NOT_FOUND', `${command.mask ?? ''} is no auto-kick of this room`));
        await this.objects.remove('AutoKick', existing.id);
        return void (await this.replies.answer(to, { status: 'OK' }));
    }
  }

  private async targetUser(nick: string): Promise<{ uid: number; nick: string } | undefined> {
    const uid = await this.repo.userIdByNick(nick);
    const stored = uid === undefined ? undefined : await this.repo.nick(uid);
    return uid === undefined || stored === undefined ? undefined : { uid, nick: stored };
  }

  /** A page of history by gid: the newest, older than `beforeGid`, or newer than `afterGid`. */
  private async fetch(to: ReplyAddress, room: string, body: RequestOf<'FETCH'>): Promise<void> {
    if (!(await this.repo.isMember(room, to.userId, body.windowId))) return void (await this.replies.fail(to, 'NOT_FOUND', 'not in this room'));
    await this.replies.answer(to, { status: 'OK', messages: historyPage(await this.repo.backlog(room), body, body.windowId) });
  }
}
