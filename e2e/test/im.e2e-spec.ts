import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import { friends, imKeys, session as sessionKey, windowMsgs } from '@parley/key-schema';
import { appSigningText, type SequencedNotification } from '@parley/protocol';
import { Collector, eventually } from '@parley/testing';
import { connectedSession, ofType, ok, registerUser, startApp, useStack, waitFor } from './apps';

const im = imKeys();
const IM_ENV = { IM_EXPIRY_INTERVAL_MS: '300', IM_JOB_LOCK_MS: '1500', IM_GATEWAY_DEAD_MS: '3000' };

/** Friends, direct messages, receipts and offline delivery through real socket.io clients, the gateway and im-router (BullMQ). */
describe('IM (gateway + im-router as processes)', () => {
  let n = 0;
  const stack = useStack(async (start) => {
    const gateway = await start('gateway', { REQUEST_TIMEOUT_MS: '60000', SESSION_HEARTBEAT_MS: '500' });
    await start('im-router', IM_ENV);
    return `http://127.0.0.1:${gateway.port}`;
  });
  const { apps, start } = stack;

  interface User {
    userId: number;
    nick: string;
    token: string;
    c: ParleyClient;
    seen: Collector<SequencedNotification>;
  }

  /** A registered user, not connected yet. */
  async function account(prefix: string): Promise<{ userId: number; nick: string; token: string }> {
    const nick = `${prefix}${++n}`;
    const { userId, token } = await registerUser(stack.url, nick);
    return { userId, nick, token };
  }

  /** A registered, connected user whose init burst has arrived. */
  async function user(prefix = 'user'): Promise<User> {
    const a = await account(prefix);
    const s = await connectedSession(stack.url, a.token);
    stack.clients.push(s.c);
    return { ...a, ...s, token: s.c.token ?? a.token };
  }

  /** Another session of the user (its own token), with `maxBacklogMsgs`, on a kind of device. */
  async function session(u: { nick: string; token: string }, maxBacklogMsgs?: number, deviceType?: 'web' | 'mobile'): Promise<User & { token: string }> {
    const c = new ParleyClient({
      url: stack.url,
      token: u.token,
      clientName: 'e2e',
      transports: ['websocket'],
      ackDelayMs: 50,
      ...(maxBacklogMsgs !== undefined ? { maxBacklogMsgs } : {}),
      ...(deviceType ? { deviceType } : {}),
    });
    const seen = new Collector<SequencedNotification>();
    c.on('notification', seen.push);
    await c.connect();
    stack.clients.push(c);
    await eventually(() => seen.items.some((i) => i.type === 'FINISH_INIT'), Boolean, 'burst');
    return { userId: c.userId!, nick: u.nick, token: c.token ?? u.token, c, seen };
  }

  it('a friend request waits for the verdict; accepting makes both friends (contact hashes and friends sets in step)', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    expect(await alice.c.request({ id: 'REQUEST_FRIEND', userId: alice.userId })).toMatchObject({ status: 'ERROR', code: 'BAD_REQUEST' });
    expect(await alice.c.request({ id: 'REQUEST_FRIEND', nick: 'nobody-here' })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect(await alice.c.request({ id: 'REQUEST_FRIEND', userId: 999_999 })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });

    expect(ok(await alice.c.request({ id: 'REQUEST_FRIEND', nick: bob.nick }))).toEqual({ status: 'OK', state: 'REQUESTED' });
    expect(await waitFor(bob, 'FRIEND_REQUEST')).toMatchObject({ userId: alice.userId, nick: alice.nick });
    expect(await alice.c.request({ id: 'REQUEST_FRIEND', userId: bob.userId })).toMatchObject({ status: 'ERROR', code: 'ERROR_EXISTS' });
    // A session that starts now is told of the request that waits.
    const bob2 = await session(bob);
    expect(ofType(bob2, 'FRIEND_REQUEST')).toEqual([expect.objectContaining({ userId: alice.userId, nick: alice.nick })]);

    ok(await bob.c.request({ id: 'FRIEND_VERDICT', userId: alice.userId, allow: true }));
    expect((await waitFor(alice, 'UPDATE_FRIENDS', (u) => u.friends.some((f) => f.userId === bob.userId))).friends).toEqual([
      expect.objectContaining({ userId: bob.userId, nick: bob.nick, online: true }),
    ]);
    await waitFor(bob, 'UPDATE_FRIENDS', (u) => u.friends.some((f) => f.userId === alice.userId));
    expect(await stack.space.redis.smembers(friends(alice.userId))).toEqual([String(bob.userId)]);
    expect(await stack.space.redis.hkeys(im.contactFriend(bob.userId))).toEqual([String(alice.userId)]);
    expect(await stack.space.redis.zcard(im.friendRequest(bob.userId))).toBe(0);
    expect(await bob.c.request({ id: 'FRIEND_VERDICT', userId: alice.userId, allow: true })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect(await alice.c.request({ id: 'REQUEST_FRIEND', userId: bob.userId })).toMatchObject({ status: 'ERROR', code: 'ERROR_EXISTS' });

    // A new session lists the friend.
    const alice2 = await session(alice);
    expect(ofType(alice2, 'UPDATE_FRIENDS')[0]!.friends).toEqual([expect.objectContaining({ userId: bob.userId, nick: bob.nick })]);

    ok(await alice.c.request({ id: 'REMOVE_FRIEND', userId: bob.userId }));
    await waitFor(bob, 'UPDATE_FRIENDS', (u) => u.reset === true && u.friends.length === 0);
    expect(await stack.space.redis.exists(friends(alice.userId), friends(bob.userId), im.contactFriend(alice.userId), im.contactFriend(bob.userId))).toBe(0);
  });

  it('applies the auto-answer policy: accept all makes friends at once, refuse all refuses', async () => {
    const carol = await user('carol');
    const dave = await user('dave');
    const erin = await user('erin');
    ok(await dave.c.request({ id: 'SET', settings: { friendRequests: 'accept' } }));
    ok(await erin.c.request({ id: 'SET', settings: { friendRequests: 'refuse' } }));
    expect(ok(await carol.c.request({ id: 'REQUEST_FRIEND', userId: dave.userId }))).toEqual({ status: 'OK', state: 'FRIENDS' });
    await waitFor(dave, 'UPDATE_FRIENDS', (u) => u.friends.some((f) => f.userId === carol.userId));
    const refused = await carol.c.request({ id: 'REQUEST_FRIEND', userId: erin.userId });
    expect(refused).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    expect(ofType(erin, 'FRIEND_REQUEST')).toEqual([]);
    expect(await stack.space.redis.zcard(im.friendRequest(erin.userId))).toBe(0);
  });

  it('CHAT opens the 1on1 window on both sides; SEND reaches the peer and the sender’s other sessions, once, not the sending one', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const alice2 = await session(alice);
    const { windowId: aw } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    expect(await waitFor(alice, 'ADD_WINDOW', (w) => w.windowId === aw)).toMatchObject({ network: 'parley', windowType: '1on1', name: bob.nick, userId: bob.userId });
    const bw = (await waitFor(bob, 'ADD_WINDOW', (w) => w.windowType === '1on1')).windowId;
    expect(ok(await alice.c.request({ id: 'CHAT', userId: bob.userId })).windowId).toBe(aw);

    const first = ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'hi <b>bob</b>', clientMsgId: 'dm-1' }));
    expect(await waitFor(bob, 'ADD_MESSAGE', (m) => m.windowId === bw)).toMatchObject({ gid: first.gid, ts: first.ts, body: 'hi <b>bob</b>', nick: alice.nick, userId: alice.userId, cat: 'msg' });
    await waitFor(alice2, 'ADD_MESSAGE', (m) => m.windowId === aw && m.gid === first.gid);
    // A retry with the same clientMsgId: the first answer, nothing stored again.
    expect(await alice.c.request({ id: 'SEND', windowId: aw, text: 'hi <b>bob</b>', clientMsgId: 'dm-1' })).toEqual({ status: 'OK', gid: first.gid, ts: first.ts });
    const reply = ok(await bob.c.request({ id: 'SEND', windowId: bw, text: 'hello alice', clientMsgId: 'dm-2' }));
    expect(reply.gid).toBe(first.gid + 1);
    await waitFor(alice, 'ADD_MESSAGE', (m) => m.gid === reply.gid);
    expect(ofType(alice, 'ADD_MESSAGE').filter((m) => m.windowId === aw).map((m) => m.gid)).toEqual([reply.gid]);
    expect(ofType(bob, 'ADD_MESSAGE').filter((m) => m.windowId === bw).map((m) => m.gid)).toEqual([first.gid]);

    // The conversation's history pages by gid; both sides hold the same messages.
    for (let i = 0; i < 5; i++) ok(await alice.c.request({ id: 'SEND', windowId: aw, text: `m${i}`, clientMsgId: `dm-p${i}` }));
    const page = ok(await bob.c.request({ id: 'FETCH', windowId: bw, limit: 3 }));
    expect(page.messages.map((m) => m.body)).toEqual(['m2', 'm3', 'm4']);
    const older = ok(await bob.c.request({ id: 'FETCH', windowId: bw, beforeGid: page.messages[0]!.gid, limit: 10 }));
    expect(older.messages.map((m) => m.body)).toEqual(['hi <b>bob</b>', 'hello alice', 'm0', 'm1']);
    expect(await stack.space.redis.zcard(im.messageSend(alice.userId))).toBe(6);
    expect(await stack.space.redis.zcard(im.messageReceive({ userId: bob.userId }))).toBe(6);
    expect(await stack.space.redis.zcard(im.messageOffline(bob.userId))).toBe(0);

    // CLOSE drops bob's window; alice's next message opens it again.
    ok(await bob.c.request({ id: 'CLOSE', windowId: bw }));
    expect(await bob.c.request({ id: 'FETCH', windowId: bw, limit: 3 })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    const again = ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'still there?', clientMsgId: 'dm-3' }));
    const reopened = await waitFor(bob, 'ADD_WINDOW', (w) => w.windowType === '1on1' && w.windowId !== bw);
    expect(await waitFor(bob, 'ADD_MESSAGE', (m) => m.gid === again.gid)).toMatchObject({ windowId: reopened.windowId });
  });

  it('a direct message to an offline user is delivered once at the next login, and not again after a second login', async () => {
    const alice = await user('alice');
    const bob = await account('bob');
    const { windowId: aw } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(ok(await alice.c.request({ id: 'SEND', windowId: aw, text: `while you were out ${i}`, clientMsgId: `off-${i}` })).gid);
    expect(await stack.space.redis.zcard(im.messageOffline(bob.userId))).toBe(3);

    // No backlog asked for: the offline messages come anyway, in the burst.
    const first = await session(bob, 0);
    const page = ofType(first, 'ADD_MESSAGES').flatMap((p) => p.messages).flatMap((w) => w.messages);
    expect(page.map((m) => m.gid)).toEqual(sent);
    expect(ofType(first, 'ADD_WINDOW').find((w) => w.windowType === '1on1')).toMatchObject({ userId: alice.userId, unread: 3 });
    first.c.ack();
    await eventually(() => stack.space.redis.zcard(im.messageOffline(bob.userId)), (k) => k === 0, 'offline timeline emptied by the ack');

    const second = await session(bob, 0);
    expect(ofType(second, 'ADD_MESSAGES')).toEqual([]);
    expect(ofType(second, 'ADD_MESSAGE')).toEqual([]);

    // Away again; an im-router whose clock runs behind the acknowledged score still stores the next
    // one above it (else the next ack would remove it unseen).
    const floor = Number(await stack.space.redis.hget(im.offlineFloor(), String(bob.userId)));
    expect(floor).toBeGreaterThan(0);
    await stack.space.redis.hset(im.offlineFloor(), String(bob.userId), String(Date.now() + 3_600_000));
    first.c.socket.disconnect();
    second.c.socket.disconnect();
    await eventually(
      () => Promise.all([first.c.sessionId, second.c.sessionId].map((sid) => stack.space.redis.hget(sessionKey(bob.userId, sid!), 'connected'))),
      (flags) => flags.every((f) => f === '0'),
      'both sessions away',
    );
    ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'later', clientMsgId: 'off-later' }));
    const [, score] = await stack.space.redis.zrange(im.messageOffline(bob.userId), '0', '-1', 'WITHSCORES');
    expect(Number(score)).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it('refuses strangers when the receiver takes direct messages from friends only, and a blocked user, with the same error', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const mallory = await user('mallory');
    ok(await bob.c.request({ id: 'SET', settings: { directMessages: 'friends' } }));
    const stranger = await mallory.c.request({ id: 'CHAT', userId: bob.userId });
    expect(stranger).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });

    ok(await bob.c.request({ id: 'SET', settings: { friendRequests: 'accept' } }));
    ok(await alice.c.request({ id: 'REQUEST_FRIEND', userId: bob.userId }));
    const { windowId } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    ok(await alice.c.request({ id: 'SEND', windowId, text: 'friends may', clientMsgId: 'f-1' }));

    ok(await bob.c.request({ id: 'BLOCK', userId: alice.userId }));
    await waitFor(alice, 'UPDATE_FRIENDS', (u) => u.reset === true && u.friends.length === 0);
    const blocked = await alice.c.request({ id: 'SEND', windowId, text: 'and now?', clientMsgId: 'f-2' });
    expect(blocked).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    // The two refusals cannot be told apart.
    expect((blocked as { message: string }).message).toBe((stranger as { message: string }).message);
    expect(await alice.c.request({ id: 'REQUEST_FRIEND', userId: bob.userId })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    ok(await bob.c.request({ id: 'UNBLOCK', userId: alice.userId }));
    expect(await bob.c.request({ id: 'UNBLOCK', userId: alice.userId })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
  });

  it('READ moves the watermark (never back), tells the peer READ_RECEIPT and the reader’s other sessions the unread count', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const bob2 = await session(bob);
    const { windowId: aw } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    const gids = [];
    for (let i = 0; i < 4; i++) gids.push(ok(await alice.c.request({ id: 'SEND', windowId: aw, text: `r${i}`, clientMsgId: `r-${i}` })).gid);
    const bw = (await waitFor(bob, 'ADD_WINDOW', (w) => w.windowType === '1on1')).windowId;
    ok(await bob.c.request({ id: 'READ', windowId: bw, gid: gids[1]! }));
    expect(await waitFor(alice, 'READ_RECEIPT')).toEqual(expect.objectContaining({ windowId: aw, userId: bob.userId, gid: gids[1] }));
    expect(await waitFor(bob2, 'UPDATE_WINDOW', (w) => w.windowId === bw)).toMatchObject({ unread: 2, readGid: gids[1] });
    expect(await stack.space.redis.hkeys(im.readReceipt(`${Math.min(alice.userId, bob.userId)}-${Math.max(alice.userId, bob.userId)}-${gids[0]}`))).toEqual([String(bob.userId)]);
    // Backwards: nothing changes.
    ok(await bob.c.request({ id: 'READ', windowId: bw, gid: gids[0]! }));
    expect(await bob.c.request({ id: 'READ', windowId: bw, gid: gids[3]! + 10 })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    const bob3 = await session(bob);
    expect(ofType(bob3, 'ADD_WINDOW').find((w) => w.windowId === bw)).toMatchObject({ unread: 2, readGid: gids[1] });
    expect(ofType(alice, 'READ_RECEIPT')).toHaveLength(1);
    // The backwards READ told bob's other session nothing.
    expect(ofType(bob2, 'UPDATE_WINDOW').filter((w) => w.windowId === bw)).toHaveLength(1);
  });

  it('tells friends when a user comes online (first session) and goes offline (last session ended)', async () => {
    const alice = await user('alice');
    const bob = await account('bob');
    ok(await alice.c.request({ id: 'SET', settings: { friendRequests: 'accept' } }));
    const bobSession = await session(bob);
    ok(await bobSession.c.request({ id: 'REQUEST_FRIEND', userId: alice.userId }));
    await waitFor(alice, 'UPDATE_FRIENDS', (u) => u.friends.some((f) => f.userId === bob.userId && f.online));
    const marker = alice.seen.items.length;
    ok(await bobSession.c.request({ id: 'LOGOUT' }));
    const offline = await eventually(
      () => alice.seen.items.slice(marker).find((i) => i.type === 'UPDATE_FRIENDS' && i.friends.some((f) => f.userId === bob.userId && !f.online)),
      (x) => x !== undefined,
      'bob offline',
    );
    const entry = offline?.type === 'UPDATE_FRIENDS' ? offline.friends.find((f) => f.userId === bob.userId) : undefined;
    expect(entry?.lastSeen).toBeGreaterThan(0);
    const again = await session(bob);
    const back = await waitFor(alice, 'UPDATE_FRIENDS', (u) => u.friends.some((f) => f.userId === bob.userId && f.online) && alice.seen.items.indexOf(u) > marker);
    // A dropped socket (the session lives on, resumable): away, and direct messages go offline too.
    const mark = alice.seen.items.indexOf(back);
    again.c.socket.disconnect();
    await eventually(
      () => alice.seen.items.slice(mark + 1).find((i) => i.type === 'UPDATE_FRIENDS' && i.friends.some((f) => f.userId === bob.userId && !f.online)),
      (x) => x !== undefined,
      'bob away after his socket dropped',
    );
    const { windowId } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    ok(await alice.c.request({ id: 'SEND', windowId, text: 'are you there?', clientMsgId: 'away-1' }));
    expect(await stack.space.redis.zcard(im.messageOffline(bob.userId))).toBe(1);
    // Resumed: here again.
    await again.c.connect();
    await eventually(
      () => alice.seen.items.slice(mark + 1).filter((i) => i.type === 'UPDATE_FRIENDS' && i.friends.some((f) => f.userId === bob.userId && f.online)).length,
      (k) => k > 0,
      'bob back after resuming',
    );
  });

  it('records each session’s device in the login hash; one-per-kind ends the older session of that kind with REMOTE_LOGIN', async () => {
    const alice = await user('alice');
    ok(await alice.c.request({ id: 'SET', settings: { devicePolicy: 'onePerType' } }));
    const phone = await session(alice, 0, 'mobile');
    await eventually(() => stack.space.redis.hkeys(im.userLogin(alice.userId)), (k) => k.includes(phone.c.sessionId!), 'login recorded');
    const device = JSON.parse((await stack.space.redis.hget(im.userLogin(alice.userId), phone.c.sessionId!))!) as { type: string; sessionId: string; ip: string; loginAt: number };
    expect([device.type, device.sessionId]).toEqual(['mobile', phone.c.sessionId]);
    expect(device.ip).toContain('127.0.0.1');
    expect(device.loginAt).toBeGreaterThan(0);
    const ended = new Promise<{ code: string }>((resolve) => phone.c.on('terminate', resolve));
    const phone2 = await session(alice, 0, 'mobile');
    expect((await ended).code).toBe('REMOTE_LOGIN');
    // The web session is another kind: it stays.
    expect(ok(await alice.c.request({ id: 'SET', settings: { theme: 'dark' } }))).toEqual({ status: 'OK' });
    await eventually(() => stack.space.redis.hkeys(im.userLogin(alice.userId)), (k) => !k.includes(phone.c.sessionId!) && k.includes(phone2.c.sessionId!), 'login hash follows');
  });

  it('the scheduled expiry job drops direct messages older than IM_MESSAGE_TTL_S and keeps the rest', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const { windowId: aw } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    const fresh = ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'fresh', clientMsgId: 'e-1' }));
    // Messages of long ago (1970), as im-router would have stored them then.
    const old = { id: 'x', from: alice.userId, to: bob.userId, gid: 999, ts: 1_000, body: 'ancient', nick: alice.nick };
    await stack.space.redis.zadd(im.messageSend(alice.userId), 1_000, JSON.stringify(old));
    await stack.space.redis.zadd(im.messageReceive({ userId: bob.userId }), 1_000, JSON.stringify(old));
    await stack.space.redis.rpush(windowMsgs(alice.userId, aw), JSON.stringify({ gid: 0, ts: 1_000, cat: 'msg', body: 'ancient', nick: alice.nick }));
    await eventually(() => stack.space.redis.zcard(im.messageSend(alice.userId)), (k) => k === 1, 'old entries expired');
    const received = await eventually(() => stack.space.redis.zrange(im.messageReceive({ userId: bob.userId }), '0', '-1'), (l) => l.length === 1, 'old entries expired');
    expect(received.map((p) => (JSON.parse(p) as { gid: number }).gid)).toEqual([fresh.gid]);
    await eventually(() => stack.space.redis.lrange(windowMsgs(alice.userId, aw), 0, -1), (l) => l.length === 1, 'old history expired');
    expect(ok(await alice.c.request({ id: 'FETCH', windowId: aw, limit: 10 })).messages.map((m) => m.body)).toEqual(['fresh']);
  });

  it('im-router killed (SIGKILL) mid-stream and restarted: every direct message that got a gid arrives exactly once, in order', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const { windowId: aw } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    const bw = (await waitFor(bob, 'ADD_WINDOW', (w) => w.windowType === '1on1')).windowId;
    const answers = Array.from({ length: 60 }, (_, i) => alice.c.request({ id: 'SEND', windowId: aw, text: `k${i}`, clientMsgId: `kill-${i}` }));
    await answers[10];
    await apps.get('im-router')!.proc.kill('SIGKILL');
    await start('im-router', IM_ENV);
    const gids = (await Promise.all(answers)).map((a) => ok(a).gid);
    expect(new Set(gids).size).toBe(60);
    // A last message after them all: once it is there, everything before it is too.
    const last = ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'the end', clientMsgId: 'kill-end' }));
    await waitFor(bob, 'ADD_MESSAGE', (m) => m.gid === last.gid);
    const arrived = ofType(bob, 'ADD_MESSAGE').filter((m) => m.windowId === bw && m.gid !== last.gid);
    expect(arrived.map((m) => m.gid)).toEqual([...gids].sort((a, b) => a - b));
    expect(new Set(arrived.map((m) => m.body)).size).toBe(60);
    expect(bob.c.duplicates + bob.c.gaps).toBe(0);
  });

  it('SaaS apps: the CLI creates one; its backend logs users in with signed requests (stale, replayed and forged ones refused); its live connections are capped', async () => {
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, [join(__dirname, '..', '..', 'apps', 'im-router', 'dist', 'cli.js'), ...args], { env: { ...process.env, REDIS_URL: stack.space.url }, encoding: 'utf8' });
    const { secret } = JSON.parse(cli('app', 'create', 'demo-app', '--max-connections', '1')) as { secret: string };
    expect(() => cli('app', 'create', 'demo-app')).toThrow(/exists/);
    const login = (body: Record<string, unknown>, appKey = 'demo-app') =>
      fetch(`${stack.url}/api/v1/apps/${appKey}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const signed = (identity: string, key = secret, timestamp = Date.now()) => {
      const b = { identity, timestamp, nonce: randomBytes(12).toString('base64url') };
      return { ...b, signature: createHmac('sha256', key).update(appSigningText('demo-app', b)).digest('hex') };
    };
    const body = signed('customer-42');
    const first = await login(body);
    expect(first.status).toBe(200);
    const { userId, token } = (await first.json()) as { userId: number; token: string };
    // The same request again: a replay.
    expect([(await login(body)).status, ((await (await login(body)).json()) as { error: { code: string } }).error.code]).toEqual([401, 'REPLAYED']);
    const stale = await login(signed('customer-42', secret, Date.now() - 10 * 60_000));
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('STALE_REQUEST');
    const forged = await login(signed('customer-42', 'not the secret'));
    expect([forged.status, ((await forged.json()) as { error: { code: string } }).error.code]).toEqual([401, 'BAD_SIGNATURE']);
    expect((await login(signed('x'), 'no-such-app')).status).toBe(404);
    // The same identity again is the same Parley user.
    expect(((await (await login(signed('customer-42'))).json()) as { userId: number }).userId).toBe(userId);

    // One live connection at most: a second session is refused until the first ends.
    const one = await session({ nick: 'customer-42', token });
    expect(await stack.space.redis.hlen(im.appConnection('demo-app'))).toBe(1);
    const second = new ParleyClient({ url: stack.url, token, clientName: 'e2e', transports: ['websocket'], reconnection: false });
    stack.clients.push(second);
    await expect(second.connect()).rejects.toThrow(/TOO_MANY_CONNECTIONS/);
    expect(JSON.parse(cli('app', 'show', 'demo-app'))).toMatchObject({ appKey: 'demo-app', maxConnections: 1, connections: 1 });
    ok(await one.c.request({ id: 'LOGOUT' }));
    await eventually(() => stack.space.redis.hlen(im.appConnection('demo-app')), (k) => k === 0, 'connection released');
    const fresh = ((await (await login(signed('customer-42'))).json()) as { token: string }).token;
    const a = await session({ nick: 'customer-42', token: fresh });
    // A dropped socket frees the place; whoever takes it meanwhile keeps it: the resume is refused.
    a.c.socket.disconnect();
    await eventually(() => stack.space.redis.hlen(im.appConnection('demo-app')), (k) => k === 0, 'place freed');
    const b = await session({ nick: 'customer-42', token: ((await (await login(signed('customer-42'))).json()) as { token: string }).token });
    await expect(a.c.connect()).rejects.toThrow(/TOO_MANY_CONNECTIONS/);
    expect(await stack.space.redis.hkeys(im.appConnection('demo-app'))).toEqual([b.c.sessionId]);
  });

  it('a killed gateway is reaped: recorded with the sessions it held, its users’ devices offline, their friends told', async () => {
    const alice = await user('alice');
    const bob = await account('bob');
    ok(await alice.c.request({ id: 'SET', settings: { friendRequests: 'accept' } }));
    const other = await startApp('gateway', { REDIS_URL: stack.space.url, SESSION_HEARTBEAT_MS: '300', LOGIN_LIMIT_PER_IP: '100000' });
    try {
      await other.waitForLog('gateway listening');
      const c = new ParleyClient({ url: `http://127.0.0.1:${other.port}`, token: bob.token, clientName: 'e2e', transports: ['websocket'], reconnection: false });
      stack.clients.push(c);
      await c.connect();
      ok(await c.request({ id: 'REQUEST_FRIEND', userId: alice.userId }));
      await waitFor(alice, 'UPDATE_FRIENDS', (u) => u.friends.some((f) => f.userId === bob.userId && f.online));
      // The reaper needs IM_GATEWAY_DEAD_MS of silence: wait for the notification itself (the
      // test's timeout bounds it), not by polling.
      const offline = new Promise<void>((resolve) =>
        alice.c.on('notification', (n) => {
          if (n.type === 'UPDATE_FRIENDS' && n.friends.some((f) => f.userId === bob.userId && !f.online)) resolve();
        }),
      );
      await other.proc.kill('SIGKILL');
      await offline;
      const records = Object.values(await stack.space.redis.hgetall(im.clusterServerOffline())).map((v) => JSON.parse(v) as { sessions: string[] });
      expect(records.some((r) => r.sessions.includes(`${bob.userId}:${c.sessionId}`))).toBe(true);
      const device = JSON.parse((await stack.space.redis.hget(im.userLogin(bob.userId), c.sessionId!))!) as { offline?: number };
      expect(device.offline).toBeGreaterThan(0);
    } finally {
      await other.proc.kill('SIGKILL');
    }
  });

  it('a direct message that cannot be stored after the queue’s retries lands in the failed timeline and the sender is told', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const { windowId: aw } = ok(await alice.c.request({ id: 'CHAT', userId: bob.userId }));
    // The conversation's hash replaced by a string: every attempt of the script fails.
    await stack.space.redis.del(im.conversation(alice.userId, bob.userId));
    await stack.space.redis.set(im.conversation(alice.userId, bob.userId), 'broken');
    const answer = await alice.c.request({ id: 'SEND', windowId: aw, text: 'doomed', clientMsgId: 'x-1' });
    expect(answer).toMatchObject({ status: 'ERROR', code: 'INTERNAL' });
    const failed = await stack.space.redis.zrange(im.messageFail(alice.userId, bob.userId), '0', '-1');
    expect(failed.map((f) => JSON.parse(f) as { body: string })).toEqual([expect.objectContaining({ body: 'doomed', from: alice.userId, to: bob.userId })]);
    expect(ofType(bob, 'ADD_MESSAGE')).toEqual([]);
  });
});
