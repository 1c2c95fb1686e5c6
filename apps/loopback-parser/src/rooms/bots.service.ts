import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RequestReplies } from '@parley/inbox';
import { URLS_MAX } from '@parley/protocol';
import { APP_CONFIG, LOGGER, type Logger } from '@parley/runtime';
import type { RoomCommand } from './commands';
import { urlsIn } from './links';
import { RoomObjects } from './room-objects.repository';
import { type ReplyAddress, RoomsRepository, type RoomWindow } from './rooms.repository';
import type { RoomsConfig } from './rooms.config';

type BotCommand = Extract<RoomCommand, { kind: 'bot' }>;

/**
 * Service bots in rooms. A bot is a `BotInfo` object (made by operators with the admin CLI or
 * `redis-cli`); a room's owner assigns it (`/bot assign`), it is then in the room's member list
 * (`groupbots:<room>`), and the owner and operators speak through it (`/bot say`, `/bot act`), as
 * does the room's integration (the webhook's `bot`). An edit of the BotInfo in Redis (its nick) or
 * its removal reaches every room it is in: each loopback-parser follows the object cache and runs
 * bot.lua's idempotent `sync` for the bot's rooms.
 */
@Injectable()
export class BotsService implements OnApplicationBootstrap, OnModuleDestroy {
  private unsubscribe: (() => void) | undefined;
  /** Syncs one after another (a rename right after another must not overtake it). */
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: RoomsRepository,
    private readonly objects: RoomObjects,
    private readonly replies: RequestReplies,
    @Inject(APP_CONFIG) private readonly config: RoomsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** After the object cache has loaded (onModuleInit): follow changes, then check every assigned bot. */
  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.objects.onChange(({ type, id }) => {
      if (type === 'BotInfo') this.queueSync(id);
    });
    // A bot edited or deleted while no loopback-parser ran is caught here.
    for (const id of await this.repo.assignedBotIds()) this.queueSync(id);
    await this.syncing;
  }

  onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    return this.syncing;
  }

  private queueSync(botId: number): void {
    this.syncing = this.syncing.then(() => this.sync(botId)).catch((err: unknown) => this.logger.error({ err, botId }, 'a service bot could not be brought up to date in its rooms'));
  }

  /**
   * Brings every room of the bot in line with its BotInfo now (gone, unusable, or renamed to an
   * account's nick: it leaves them). bot.lua reads the nick itself; the account check is for the
   * nick read here, and counts only if the script finds the same one.
   */
  async sync(botId: number): Promise<void> {
    const rooms = await this.repo.roomsOfBot(botId);
    if (rooms.length === 0) return;
    const nick = (await this.repo.botNick(botId)) ?? '';
    const nickTaken = nick !== '' && (await this.nickOfSomeone(nick));
    for (const room of rooms) {
      await this.repo.run('bot', this.repo.botKeys(room, botId), { op: 'sync', room, botId, nick, nickTaken, ...this.base() });
    }
  }

  /** An account has this nick, or has reserved it as an alias. */
  private async nickOfSomeone(nick: string): Promise<boolean> {
    if ((await this.repo.userIdByNick(nick)) !== undefined) return true;
    return (await this.objects.store.find('NickAlias', { nick: nick.toLowerCase() })).length > 0;
  }

  async command(to: ReplyAddress, window: RoomWindow, command: BotCommand): Promise<void> {
    if (command.op === 'list') {
      const assigned = await this.repo.botsOf(window.room);
      const bots = this.objects.bots().map((b) => ({ nick: b.nick, realname: b.realname, assigned: assigned.has(b.id) }));
      return void (await this.replies.answer(to, { status: 'OK', bots }));
    }
    const bot = this.objects.botByNick(command.nick);
    // A bot unassigned after its BotInfo went is found by the nick the room still shows.
    const id = bot?.id ?? (command.op === 'unassign' ? [...(await this.repo.botsOf(window.room))].find(([, n]) => n.toLowerCase() === command.nick.toLowerCase())?.[0] : undefined);
    if (id === undefined) return void (await this.replies.fail(to, 'NOT_FOUND', `there is no service bot ${command.nick}`));
    const room = (await this.repo.roomName(window.room)) ?? window.room;
    const common = { uid: to.userId, wid: window.windowId, room, botId: id, nick: bot?.nick ?? command.nick, ...this.base() };
    switch (command.op) {
      case 'assign':
        // Accounts cannot register a bot's nick; one who had it (or an alias of it) before the bot was made keeps it.
        if (await this.nickOfSomeone(common.nick)) return void (await this.replies.fail(to, 'ERROR_EXISTS', `${common.nick} is the nick of an account`));
        return void (await this.repo.run('bot', this.repo.botKeys(window.room, id), { ...common, op: 'assign' }, to));
      case 'unassign':
        return void (await this.repo.run('bot', this.repo.botKeys(window.room, id), { ...common, op: 'unassign' }, to));
      case 'say':
      case 'act':
        return void (await this.repo.run('bot', this.repo.botKeys(window.room, id), { ...common, op: 'say', ...this.said(command.op, command.text) }, to));
    }
  }

  /**
   * A post of the room's integration as one of its bots (the gateway checked the API key and that
   * the bot is the room's). A bot unassigned since is logged, and the post dropped.
   */
  async webhook(room: string, nick: string, text: string, action: boolean): Promise<void> {
    const assigned = [...(await this.repo.botsOf(room))].find(([, n]) => n.toLowerCase() === nick.toLowerCase());
    if (!assigned) return void this.logger.warn({ room, bot: nick }, 'a webhook post names a bot that is not assigned to the room; dropped');
    const said = await this.repo.run('bot', this.repo.botKeys(room, assigned[0]), { op: 'say', room, botId: assigned[0], nick: assigned[1], ...this.said(action ? 'act' : 'say', text), ...this.base() });
    if (typeof said !== 'number' || said === 0) this.logger.warn({ room, bot: nick }, 'a webhook post as a bot found the room or the bot gone; dropped');
  }

  private said(op: 'say' | 'act', text: string) {
    return { text, cat: op === 'act' ? 'action' : 'msg', urls: urlsIn(text), urlsMax: URLS_MAX };
  }

  private base() {
    return { now: Date.now(), maxBacklog: this.config.ROOM_BACKLOG_MAX };
  }
}
