import { InboxSender, Notifier } from '@parley/inbox';
import { inbox, networks } from '@parley/key-schema';
import type { InboxMessage } from '@parley/protocol';
import { createLogger } from '@parley/runtime';
import { useTestRedis } from '@parley/testing';
import type { IrcConfig } from '../src/irc/irc.config';
import { IrcRepository } from '../src/irc/irc.repository';
import { IrcService } from '../src/irc/irc.service';
import { TEST_NETWORKS, testIrcConfig } from './fixtures';

/** Capability negotiation and SASL PLAIN, the server's side played line by line (real Redis). */
describe('IrcService, the server played line by line (real Redis): CAP, SASL, AWAY', () => {
  const redis = useTestRedis();
  const config: IrcConfig = testIrcConfig();
  const defs = TEST_NETWORKS;
  const service = (overrides: Partial<IrcConfig> = {}) =>
    new IrcService(new IrcRepository(redis.space.redis), new Notifier(redis.space.redis), new InboxSender(redis.space.redis), defs, { ...config, ...overrides }, createLogger('test', 'silent'));

  /** The lines irc-parser asked connection-manager to write, in order. */
  async function written(): Promise<string[]> {
    const raw = await redis.space.redis.lrange(inbox('connectionmanager'), 0, -1);
    return raw
      .reverse()
      .map((r) => JSON.parse(r) as InboxMessage<'connectionmanager'>)
      .flatMap((m) => (m.type === 'write' ? m.lines : []));
  }
  let seq = 0;
  const line = (irc: IrcService, text: string) => irc.data({ v: 1, type: 'data', userId: 7, network: 'testnet', conn: 'c1', seq: ++seq, line: text });

  it('asks for the capabilities it wants, authenticates with the sealed credentials, then ends registration', async () => {
    const irc = service();
    await irc.setSasl(7, 'testnet', { account: 'alice', password: 'hunter2' });
    const stored = await redis.space.redis.hget(networks(7, 'testnet'), 'sasl');
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('hunter2');

    await irc.connected({ v: 1, type: 'connected', userId: 7, network: 'testnet', conn: 'c1' });
    await line(irc, ':irc.test CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL');
    await line(irc, ':irc.test CAP * LS :server-time unknown-cap');
    // What both LS lines offered, asked for in one REQ.
    expect(await written()).toEqual(['CAP REQ :multi-prefix sasl server-time']);
    await line(irc, ':irc.test CAP * ACK :server-time multi-prefix sasl');
    expect((await written()).at(-1)).toBe('AUTHENTICATE PLAIN');
    await line(irc, 'AUTHENTICATE +');
    expect((await written()).at(-1)).toBe(`AUTHENTICATE ${Buffer.from('alice\0alice\0hunter2').toString('base64')}`);
    await line(irc, ':irc.test 903 alice :SASL authentication successful');
    expect((await written()).at(-1)).toBe('CAP END');
    expect(await redis.space.redis.hget(networks(7, 'testnet'), 'caps')).toBe('server-time multi-prefix sasl');
  });

  it('goes on without SASL when it has no credentials, and when authentication fails', async () => {
    const irc = service();
    await irc.connected({ v: 1, type: 'connected', userId: 7, network: 'testnet', conn: 'c2' });
    await line(irc, ':irc.test CAP * LS :sasl multi-prefix');
    expect(await written()).toEqual(['CAP REQ multi-prefix']);
    await line(irc, ':irc.test CAP * ACK :multi-prefix');
    expect((await written()).at(-1)).toBe('CAP END');

    await irc.setSasl(7, 'testnet', { account: 'alice', password: 'wrong' });
    await irc.connected({ v: 1, type: 'connected', userId: 7, network: 'testnet', conn: 'c3' });
    await line(irc, ':irc.test CAP * LS :sasl');
    await line(irc, ':irc.test CAP * ACK :sasl');
    await line(irc, 'AUTHENTICATE +');
    await line(irc, ':irc.test 904 alice :SASL authentication failed');
    expect((await written()).slice(-4)).toEqual(['CAP REQ sasl', 'AUTHENTICATE PLAIN', `AUTHENTICATE ${Buffer.from('alice\0alice\0wrong').toString('base64')}`, 'CAP END']);
  });

  it('says in the query with someone when they go away and come back (away-notify), and nowhere without a query', async () => {
    const irc = service();
    const repo = new IrcRepository(redis.space.redis);
    await irc.connected({ v: 1, type: 'connected', userId: 7, network: 'testnet', conn: 'c9' });
    await line(irc, ':irc.test 001 alice :Welcome');
    const { windowId } = (await repo.findOrMakeWindow(7, 'testnet', 'bob', '1on1', 'rfc1459', true))!;
    await line(irc, ':bob!b@host AWAY :lunch');
    await line(irc, ':carol!c@host AWAY :gone');
    await line(irc, ':bob!b@host AWAY');
    const bodies = (await repo.backlog(7, windowId)).map((m) => (JSON.parse(m) as { body: string }).body);
    expect(bodies).toEqual(['bob is back', 'bob is away: lunch']);
    expect((await repo.windows(7, 'testnet')).filter((w) => w.type === '1on1').map((w) => w.folded)).toEqual(['bob']);
  });

  /** The write messages irc-parser sent connection-manager, in order. */
  async function writes(): Promise<Extract<InboxMessage<'connectionmanager'>, { type: 'write' }>[]> {
    const raw = await redis.space.redis.lrange(inbox('connectionmanager'), 0, -1);
    return raw
      .reverse()
      .map((r) => JSON.parse(r) as InboxMessage<'connectionmanager'>)
      .flatMap((m) => (m.type === 'write' ? [m] : []));
  }
  const register = async (irc: IrcService, conn: string) => {
    await irc.connected({ v: 1, type: 'connected', userId: 7, network: 'testnet', conn });
    await irc.data({ v: 1, type: 'data', userId: 7, network: 'testnet', conn, seq: 1, line: ':irc.test 001 alice :Welcome' });
    await irc.data({ v: 1, type: 'data', userId: 7, network: 'testnet', conn, seq: 2, line: ':irc.test 376 alice :End of MOTD' });
  };

  it("sends the user's messages again after a reconnect unless connection-manager confirmed them, once per connection", async () => {
    const irc = service();
    await register(irc, 'o1');
    await irc.writeOwn(7, 'testnet', ['PRIVMSG #a :one']);
    await irc.writeOwn(7, 'testnet', ['PRIVMSG #a :two', 'PRIVMSG #a :two, more']);
    await irc.writeOwn(7, 'testnet', ['PRIVMSG #a :three']);
    const first = await writes();
    expect(first.map((w) => w.wseq)).toEqual([1, 2, 3]);
    // connection-manager wrote the first two; the link died before the third left its flood control.
    await irc.sent({ v: 1, type: 'sent', userId: 7, network: 'testnet', wseq: 2 });
    await irc.disconnected({ v: 1, type: 'disconnected', userId: 7, network: 'testnet', reason: 'gone' });
    await register(irc, 'o2');
    const again = (await writes()).slice(first.length);
    expect(again).toEqual([expect.objectContaining({ lines: ['PRIVMSG #a :three'], wseq: 3 })]);
    // The MOTD again on the same connection (/motd) sends nothing again.
    await irc.data({ v: 1, type: 'data', userId: 7, network: 'testnet', conn: 'o2', seq: 3, line: ':irc.test 376 alice :End of MOTD' });
    expect((await writes()).length).toBe(first.length + 1);
    // Once confirmed, the next reconnect has nothing to send.
    await irc.sent({ v: 1, type: 'sent', userId: 7, network: 'testnet', wseq: 3 });
    await register(irc, 'o3');
    expect((await writes()).length).toBe(first.length + 1);
  });

  it('does not send again messages older than IRC_RESEND_MAX_AGE_MS, and says so in the server window', async () => {
    const irc = service({ IRC_RESEND_MAX_AGE_MS: 60_000 });
    const repo = new IrcRepository(redis.space.redis);
    await register(irc, 'p1');
    await irc.writeOwn(7, 'testnet', ['PRIVMSG #a :stale'], Date.now() - 120_000);
    await irc.writeOwn(7, 'testnet', ['PRIVMSG #a :fresh']);
    const before = (await writes()).length;
    await irc.lost(7);
    await register(irc, 'p2');
    expect((await writes()).slice(before).map((w) => w.lines)).toEqual([['PRIVMSG #a :fresh']]);
    expect((await repo.unconfirmedOut(7, 'testnet')).map((e) => e.lines)).toEqual([['PRIVMSG #a :fresh']]);
    const server = (await repo.windows(7, 'testnet')).find((w) => w.folded === '*')!;
    const bodies = (await repo.backlog(7, server.windowId)).map((m) => (JSON.parse(m) as { body: string }).body);
    expect(bodies.filter((b) => b.includes("of your messages"))).toEqual(["1 of your messages did not reach testnet before the connection was lost, and are older than 60 s: not sent again"]);
  });

  it('leaves a line naming what no key can hold (JOIN without a channel) and goes on with the next', async () => {
    const irc = service();
    const repo = new IrcRepository(redis.space.redis);
    await irc.connected({ v: 1, type: 'connected', userId: 7, network: 'testnet', conn: 'k1' });
    const data = (seq: number, text: string) => ({ v: 1 as const, type: 'data' as const, userId: 7, network: 'testnet', conn: 'k1', seq, line: text });
    await irc.data(data(1, ':irc.test 001 alice :Welcome'));
    // Handled, not thrown (a throw would have the courier retry it and hold up the user's lines).
    await irc.dataMany([data(2, ':n!u@h JOIN'), data(3, ':n!u@h PRIVMSG alice :still here')]);
    const query = (await repo.windows(7, 'testnet')).find((w) => w.folded === 'n')!;
    expect((await repo.backlog(7, query.windowId)).map((m) => (JSON.parse(m) as { body: string }).body)).toEqual(['still here']);
  });

  it('refuses to store credentials without a server key', async () => {
    const irc = service({ IRC_SECRET_KEY: undefined });
    await expect(irc.setSasl(7, 'testnet', { account: 'a', password: 'b' })).rejects.toThrow(/IRC_SECRET_KEY/);
  });
});
