import { InboxSender, Notifier } from '@parley/inbox';
import { inbox, ircRetry, networks, sessionList, users } from '@parley/key-schema';
import type { InboxMessage } from '@parley/protocol';
import { createLogger } from '@parley/runtime';
import { useTestRedis } from '@parley/testing';
import type { IrcConfig } from '../src/irc/irc.config';
import { IrcRepository } from '../src/irc/irc.repository';
import { IrcService } from '../src/irc/irc.service';
import { TEST_NETWORKS, testIrcConfig } from './fixtures';

/** Users away too long lose their IRC connections, and get them back with their next session (real Redis). */
describe('away disconnect (real Redis)', () => {
  const redis = useTestRedis();
  const config: IrcConfig = testIrcConfig({ IRC_AWAY_DISCONNECT_DAYS: 30, IRC_AWAY_SWEEP_MS: 60_000, IRC_CTCP_VERSION: 'x', IRC_SECRET_KEY: undefined });
  const defs = TEST_NETWORKS;

  /** What was sent to connection-manager, in order (without the sender's sentAt stamp). */
  async function sent(): Promise<InboxMessage<'connectionmanager'>[]> {
    return (await redis.space.redis.lrange(inbox('connectionmanager'), 0, -1)).reverse().map((r) => {
      const { sentAt, ...m } = JSON.parse(r) as InboxMessage<'connectionmanager'>;
      expect(typeof sentAt).toBe('number');
      return m;
    });
  }

  it('closes the networks of a user unseen since the cutoff (not of one seen since), and reconnects them when the user is back', async () => {
    const r = redis.space.redis;
    const repo = new IrcRepository(r);
    const irc = new IrcService(repo, new Notifier(r), new InboxSender(r), defs, config, createLogger('test', 'silent'));
    const now = Date.now();
    for (const [userId, seen] of [[7, now - 40 * 86_400_000], [8, now - 1_000]] as const) {
      await r.sadd(users(), userId);
      await r.hset(`user:${userId}`, 'nick', `user${userId}`);
      await r.zadd(sessionList(userId), seen, `sess${userId}abcd`);
      await repo.findOrMakeWindow(userId, 'testnet', '#tea', 'group', 'rfc1459', true);
      await repo.setNetwork(userId, 'testnet', { state: 'connected', currentnick: `user${userId}` });
    }
    expect(await irc.sweepAway(now - 30 * 86_400_000)).toBe(1);
    expect(await sent()).toEqual([{ v: 1, type: 'disconnect', userId: 7, network: 'testnet', reason: 'Away for a while; back when I am' }]);
    expect(await r.hmget(networks(7, 'testnet'), 'away', 'closed')).toEqual(['1', '1']);
    // The connection goes: no back-off reconnect (it was closed on purpose).
    await irc.disconnected({ v: 1, type: 'disconnected', userId: 7, network: 'testnet', reason: 'closed' });
    expect(await r.zscore(ircRetry(), '7:testnet')).toBeNull();

    // The user opens Parley again.
    await irc.active(7);
    const connect = (await sent()).at(-1);
    expect(connect).toMatchObject({ type: 'connect', userId: 7, network: 'testnet', nick: 'user7' });
    expect(await r.hmget(networks(7, 'testnet'), 'away', 'closed', 'state')).toEqual([null, null, 'connecting']);
    // A second session start changes nothing.
    await irc.active(7);
    expect((await sent()).filter((m) => m.type === 'connect')).toHaveLength(1);
  });
});
