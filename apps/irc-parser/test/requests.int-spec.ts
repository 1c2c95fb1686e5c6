import { InboxSender, Notifier, RequestReplies } from '@parley/inbox';
import { networks, sessionReplies } from '@parley/key-schema';
import { createLogger } from '@parley/runtime';
import { useTestRedis } from '@parley/testing';
import type { IrcConfig } from '../src/irc/irc.config';
import { IrcRequests } from '../src/irc/irc-requests.service';
import { IrcRepository, ownSend } from '../src/irc/irc.repository';
import { IrcService } from '../src/irc/irc.service';
import { TEST_NETWORKS, testIrcConfig } from './fixtures';

/** IRC client requests against real Redis, at the points a crash can leave them. */
describe('IrcRequests (real Redis)', () => {
  const redis = useTestRedis();
  const config: IrcConfig = testIrcConfig();
  const defs = TEST_NETWORKS;

  it('keeps for the reconnect a SEND stored by a run killed before it was queued, when it is handled again while disconnected', async () => {
    const r = redis.space.redis;
    const repo = new IrcRepository(r);
    const irc = new IrcService(repo, new Notifier(r), new InboxSender(r), defs, config, createLogger('test', 'silent'));
    const requests = new IrcRequests(irc, repo, new RequestReplies(r), defs, config);
    const { windowId } = (await repo.findOrMakeWindow(7, 'testnet', '#tea', 'group', 'rfc1459', true))!;
    // The first run stored the message, then died before its write was kept; the link went meanwhile.
    const first = await repo.addOwnMessages(7, 'testnet', [{ windowId, cat: 'msg', body: 'hello there', nick: 'alice', ts: 1_000 }], 100, '', ownSend(7, windowId, 'c-1'));
    await r.hset(networks(7, 'testnet'), 'state', 'disconnected');
    await r.hset(sessionReplies(7, 's3ss10n'), 'req-1', `P${Date.now()}`);
    await requests.handle({ v: 1, type: 'request', userId: 7, sessionId: 's3ss10n', requestId: 'req-1', gateway: '4242-0a1b2c3d', request: { id: 'SEND', windowId, text: 'hello there', clientMsgId: 'c-1' } });
    expect(JSON.parse((await r.hget(sessionReplies(7, 's3ss10n'), 'req-1'))!)).toEqual({ status: 'OK', gid: first.gids[0], ts: 1_000 });
    // Kept for the reconnect (resendOut), and stored once.
    expect((await repo.unconfirmedOut(7, 'testnet')).map((e) => e.lines)).toEqual([['PRIVMSG #tea :hello there']]);
    expect(await repo.backlog(7, windowId)).toHaveLength(1);
  });

  it('does not remember a SEND whose window was gone, so a retry once it is back is stored', async () => {
    const repo = new IrcRepository(redis.space.redis);
    const own = ownSend(7, 99, 'c-2');
    expect(await repo.addOwnMessages(7, 'testnet', [{ windowId: 99, cat: 'msg', body: 'lost', nick: 'alice', ts: 1_000 }], 100, '', own)).toMatchObject({ gids: [0] });
    expect(await repo.ownMessages(own)).toBeUndefined();
    expect(await redis.space.redis.exists(own.key)).toBe(0);
  });
});
