import { inbox, ircClientMsg, ircOutbox, networks, window, windowList, windowMsgs } from '@parley/key-schema';
import { useTestRedis } from '@parley/testing';
import { INBOX_SCHEMAS } from '@parley/protocol';
import { IrcRepository, ownSend, SERVER_WINDOW } from '../src/irc/irc.repository';

/** irc-parser's Redis steps on their own (real Redis). */
describe('IrcRepository (real Redis)', () => {
  const redis = useTestRedis();
  const repo = () => new IrcRepository(redis.space.redis);

  it('finds a window by network, case-folded name and type, and makes it once', async () => {
    const r = repo();
    const made = await r.findOrMakeWindow(7, 'testnet', '#Tea[1]', 'group', 'rfc1459', true);
    expect(made).toEqual({ windowId: 1, made: true });
    // rfc1459: [ and { are the same letter; a query of the same name is another window.
    expect(await r.findOrMakeWindow(7, 'testnet', '#tea{1}', 'group', 'rfc1459', true)).toEqual({ windowId: 1, made: false });
    expect(await r.findOrMakeWindow(7, 'testnet', '#tea{1}', '1on1', 'rfc1459', false)).toBeUndefined();
    expect(await r.findOrMakeWindow(7, 'other', '#tea[1]', 'group', 'rfc1459', true)).toEqual({ windowId: 2, made: true });
    expect(await redis.space.redis.hget(window(7, 1), 'name')).toBe('#Tea[1]');
    expect((await r.windows(7, 'testnet')).map((w) => w.windowId)).toEqual([1]);
    await r.findOrMakeWindow(7, 'testnet', SERVER_WINDOW, 'group', 'ascii', true);
    expect((await r.windows(7, 'testnet')).map((w) => w.folded).sort()).toEqual(['#tea{1}', SERVER_WINDOW]);
  });

  it('stores the messages of a line once, however often the line is handled', async () => {
    const r = repo();
    const { windowId } = (await r.findOrMakeWindow(7, 'testnet', '#tea', 'group', 'rfc1459', true))!;
    const msg = (seq: number, body = `line ${seq}`) => ({ windowId, cat: 'msg' as const, body, nick: 'bob', ts: 1_700_000_000_000, seq });
    expect(await r.addMessages(7, 'testnet', [msg(5)], 100, 'c1')).toEqual([1]);
    // The same line again (its batch redelivered after a crash): nothing.
    expect(await r.addMessages(7, 'testnet', [msg(5)], 100, 'c1')).toEqual([-1]);
    expect(await r.addMessages(7, 'testnet', [msg(4)], 100, 'c1')).toEqual([-1]);
    // A run cut differently the second time: the lines handled before are skipped, the rest stored.
    expect(await r.addMessages(7, 'testnet', [msg(6), msg(7)], 100, 'c1')).toEqual([2, 3]);
    expect(await r.addMessages(7, 'testnet', [msg(6), msg(7), msg(8)], 100, 'c1')).toEqual([-1, -1, 4]);
    // The first line of another connection is new.
    expect(await r.addMessages(7, 'testnet', [msg(1, 'new socket')], 100, 'c2')).toEqual([5]);
    expect((await redis.space.redis.lrange(windowMsgs(7, windowId), 0, -1)).map((m) => (JSON.parse(m) as { body: string }).body)).toEqual(['new socket', 'line 8', 'line 7', 'line 6', 'line 5']);
    expect(await redis.space.redis.hget(networks(7, 'testnet'), 'lastline')).toBe('c2:1');
  });

  it('stores a run over several windows with each window’s gids in order, and skips a window that is gone', async () => {
    const r = repo();
    const a = (await r.findOrMakeWindow(7, 'testnet', '#a', 'group', 'rfc1459', true))!.windowId;
    const b = (await r.findOrMakeWindow(7, 'testnet', '#b', 'group', 'rfc1459', true))!.windowId;
    const m = (windowId: number, body: string) => ({ windowId, cat: 'msg' as const, body, nick: 'bob', ts: 1 });
    expect(await r.addMessages(7, 'testnet', [m(a, 'a1'), m(b, 'b1'), m(a, 'a2'), m(99, 'gone'), m(b, 'b2')], 100)).toEqual([1, 1, 2, 0, 2]);
    const bodies = async (w: number) => (await redis.space.redis.lrange(windowMsgs(7, w), 0, -1)).map((x) => JSON.parse(x) as { gid: number; body: string });
    expect(await bodies(a)).toEqual([expect.objectContaining({ gid: 2, body: 'a2' }), expect.objectContaining({ gid: 1, body: 'a1' })]);
    expect((await bodies(b)).map((x) => x.body)).toEqual(['b2', 'b1']);
  });

  it('keeps a window’s backlog bounded, and drops a window with what hangs on it', async () => {
    const r = repo();
    const w = (await r.findOrMakeWindow(7, 'testnet', '#tea', 'group', 'rfc1459', true))!;
    for (let i = 0; i < 5; i++) await r.addMessages(7, 'testnet', [{ windowId: w.windowId, cat: 'msg', body: `m${i}`, nick: 'bob', ts: i }], 3);
    expect(await redis.space.redis.llen(windowMsgs(7, w.windowId))).toBe(3);
    await r.setMembers(7, w.windowId, { bob: '@' });
    const [listed] = await r.windows(7, 'testnet');
    expect(await r.dropWindow(7, listed!)).toBe(true);
    expect(await redis.space.redis.exists(window(7, w.windowId), windowMsgs(7, w.windowId), `names:7:${w.windowId}`)).toBe(0);
    expect(await redis.space.redis.smembers(windowList(7))).toEqual([]);
  });

  it('keeps reconnect timers in Redis, each taken once', async () => {
    const r = repo();
    await r.scheduleRetry(7, 'testnet', 1_000);
    await r.scheduleRetry(8, 'testnet', 5_000);
    expect(await r.takeDueRetries(2_000)).toEqual([{ userId: 7, network: 'testnet' }]);
    expect(await r.takeDueRetries(2_000)).toEqual([]);
    expect(await r.takeDueRetries(6_000)).toEqual([{ userId: 8, network: 'testnet' }]);
  });

  it("stores and queues the user's own SEND once per client id, however often it is handled", async () => {
    const r = repo();
    const { windowId } = (await r.findOrMakeWindow(7, 'testnet', '#tea', 'group', 'rfc1459', true))!;
    const own = ownSend(7, windowId, 'c-1');
    const items = [{ windowId, cat: 'msg' as const, body: 'hello', nick: 'alice', ts: 1_000 }];
    const first = await r.addOwnMessages(7, 'testnet', items, 100, '', own);
    expect(first).toEqual({ ts: 1_000, gids: [1] });
    // Handled again later (its batch redelivered after a crash, or retried from a new session).
    expect(await r.addOwnMessages(7, 'testnet', [{ ...items[0]!, ts: 2_000 }], 100, '', own)).toEqual(first);
    expect(await r.backlog(7, windowId)).toHaveLength(1);
    expect(await r.ownMessages(own)).toEqual({ gid: 1, ts: 1_000 });
    expect(await r.ownMessages(ownSend(7, windowId, 'c-2'))).toBeUndefined();
    // Its writes: each queued for connection-manager in the same step as it is kept, once.
    expect(await r.keepOut(7, 'testnet', ['PRIVMSG #tea :hello'], 1_000, { ...own, part: 0 })).toEqual({ wseq: 1, queued: true });
    expect(await r.keepOut(7, 'testnet', ['PRIVMSG #tea :hello'], 1_000, { ...own, part: 0 })).toEqual({ wseq: 1, queued: false });
    expect(await r.keepOut(7, 'testnet', ['PRIVMSG #tea :more'], 1_000, { ...own, part: 1 })).toEqual({ wseq: 2, queued: true });
    const raw = (await redis.space.redis.lrange(inbox('connectionmanager'), 0, -1)).reverse();
    // Written by the script: each a valid inbox message.
    const queued = raw.map((m) => INBOX_SCHEMAS.connectionmanager.parse(JSON.parse(m)) as { type: string; lines: string[]; wseq: number });
    expect(queued.map(({ type, lines, wseq }) => ({ type, lines, wseq }))).toEqual([
      { type: 'write', lines: ['PRIVMSG #tea :hello'], wseq: 1 },
      { type: 'write', lines: ['PRIVMSG #tea :more'], wseq: 2 },
    ]);
    expect(await redis.space.redis.zcard(ircOutbox(7, 'testnet'))).toBe(2);
    // What it remembers expires (a day).
    const ttl = await redis.space.redis.ttl(ircClientMsg(7, windowId, 'c-1'));
    expect(ttl).toBeGreaterThan(3600);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
    // Without a client id (/me, /msg) every write is its own.
    expect(await r.keepOut(7, 'testnet', ['PRIVMSG #tea :x'], 1_000)).toEqual({ wseq: 3, queued: true });
    expect(await r.keepOut(7, 'testnet', ['PRIVMSG #tea :x'], 1_000)).toEqual({ wseq: 4, queued: true });
  });
});
