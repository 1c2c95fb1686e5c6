import { groupBacklog, groupRoles, networks, outbox, session, sessionList, sessionReplies, settings, window, windowList, windowListEntry, windowMsgs, friends, imKeys, objectHash, objectId } from '@parley/key-schema';
import { Notifier } from '@parley/inbox';
import { NETWORK, ObjectStore, TypeRegistry } from '@parley/object-store';
import { eventually, useTestRedis } from '@parley/testing';
import type { Socket } from 'socket.io-client';
import { emitRaw, GatewayFixture, waitForType } from './gateway.fixture';

describe('socket.io sessions (real Redis, real sockets)', () => {
  const redis = useTestRedis();
  const gw = new GatewayFixture(() => redis.space);
  const r = () => redis.space.redis;

  beforeEach(() => gw.start());
  afterEach(() => gw.stop());
  afterAll(() => gw.cleanup());

  it('starts a session with the MAS keys and an init burst built from what Redis holds', async () => {
    const me = await gw.user('alice');
    const bob = await gw.user('bob');
    // What other apps would have written: a setting, a friend, a room window, an IRC window.
    await r().hset(settings(me.userId), 'theme', '"dark"', 'fontSize', '14');
    await r().sadd(friends(me.userId), bob.userId);
    await r().hset(imKeys().presence(), String(bob.userId), '1700000000000'); // im-router: bob's last session ended then
    await r().sadd(windowList(me.userId), windowListEntry({ windowId: 1, network: 'parley', name: '#tea', type: 'group' }), windowListEntry({ windowId: 2, network: 'libera', name: '#node', type: 'group' }));
    await r().hset(window(me.userId, 1), 'name', '#tea', 'type', 'group', 'network', 'parley', 'topic', 'Tea time', 'userMode', '*', 'visible', 'true');
    await r().hset(window(me.userId, 2), 'name', '#node', 'type', 'group', 'network', 'libera', 'topic', '', 'userMode', 'u');
    // A room's members are the room's own (loopback-parser's grouproles), not a names hash.
    await r().hset(groupRoles('#tea'), String(me.userId), '*alice', String(bob.userId), 'ubob');
    const msg = (gid: number, body: string) => JSON.stringify({ gid, ts: 1_700_000_000_000 + gid, cat: 'msg', body, nick: 'bob' });
    await r().lpush(groupBacklog('#tea'), msg(1, 'first'), msg(2, 'second'), msg(3, 'third')); // newest on the left
    await r().lpush(windowMsgs(me.userId, 2), msg(7, 'irc line'), 'not json');
    await r().hset(networks(me.userId, 'libera'), 'state', 'connected', 'currentnick', 'alice_');
    // An operator's Network objects, one that does not fit (no host) left out.
    const store = new ObjectStore(r(), new TypeRegistry([NETWORK]));
    await store.create('Network', { name: 'libera', host: 'irc.libera.chat', port: 6697, tls: true, password: 'secret', description: 'Libera.Chat' });
    await r().hset(objectHash('Network', 99), 'name', 'broken', 'port', '6667');
    await eventually(() => gw.networkList(), (list) => list.length === 1, 'the gateway has the Network');

    const { client, seen } = gw.client(me.token, { maxBacklogMsgs: 2 });
    const ack = await client.connect();
    expect(ack).toMatchObject({ status: 'OK', userId: me.userId, resumed: false });
    const burst = await waitForType(seen, 'FINISH_INIT');
    expect(burst).toHaveLength(1);
    expect(seen.items.map((n) => n.type)).toEqual([
      'UPDATE_SETTINGS', 'UPDATE_FRIENDS', 'UPDATE_NETWORKS', 'NETWORK_LIST', 'ADD_WINDOW', 'UPDATE_MEMBERS', 'ADD_WINDOW', 'ADD_MESSAGES', 'ADD_MESSAGES', 'FINISH_INIT',
    ]);
    expect(seen.items.map((n) => n.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const [settingsN, friendsN, networksN, networkList, room, members, irc, roomMsgs, ircMsgs] = seen.items;
    // The offered IRC networks (the object store's Network objects), without host or password.
    expect(networkList).toEqual({ type: 'NETWORK_LIST', seq: 4, networks: [{ name: 'libera', description: 'Libera.Chat', tls: true }] });
    expect(settingsN).toMatchObject({ settings: { theme: 'dark', fontSize: 14 } });
    expect(friendsN).toMatchObject({ reset: true, friends: [{ userId: bob.userId, nick: 'bob', online: false, lastSeen: 1_700_000_000_000 }] });
    expect(networksN).toMatchObject({ networks: [{ name: 'parley', state: 'connected', currentNick: 'alice' }, { name: 'libera', state: 'connected', currentNick: 'alice_' }] });
    expect(room).toMatchObject({ windowId: 1, network: 'parley', name: '#tea', windowType: 'group', topic: 'Tea time', role: '*', visible: true });
    expect(members).toMatchObject({ windowId: 1, reset: true });
    expect((members as { members: unknown[] }).members).toEqual(expect.arrayContaining([{ nick: 'alice', userId: me.userId, role: '*' }, { nick: 'bob', userId: bob.userId, role: 'u' }]));
    expect(irc).toMatchObject({ windowId: 2, network: 'libera', name: '#node', role: 'u' });
    // The last two messages of the room, oldest first; the unreadable IRC entry is left out.
    expect(roomMsgs).toMatchObject({ messages: [{ windowId: 1, messages: [{ gid: 2, body: 'second' }, { gid: 3, body: 'third' }] }] });
    expect(ircMsgs).toMatchObject({ messages: [{ windowId: 2, messages: [{ gid: 7, body: 'irc line' }] }] });

    const sid = ack.sessionId;
    expect(await r().zscore(sessionList(me.userId), sid)).not.toBeNull();
    const hash = await r().hgetall(session(me.userId, sid));
    expect(hash).toMatchObject({ sendRcvNext: '1', listenRcvNext: '11', clientName: 'test' });
    expect(hash.initPending).toBeUndefined();
    expect(Number(hash.timeStamp)).toBeGreaterThan(0);
  });

  it('tells connected users the new IRC network list when an operator edits the Network objects in Redis', async () => {
    const me = await gw.user();
    const bob = await gw.user();
    const a = gw.client(me.token);
    const b = gw.client(bob.token);
    await a.client.connect();
    await b.client.connect();
    await waitForType(a.seen, 'FINISH_INIT');
    await waitForType(b.seen, 'FINISH_INIT');
    expect(a.seen.items.find((n) => n.type === 'NETWORK_LIST')).toMatchObject({ networks: [] });
    // Bob's socket is away while the list changes: his session gets it when it resumes.
    b.client.disconnect();
    // The seed's way, from outside: INCR id:Network, then HMSET of its hash.
    const id = await r().incr(objectId('Network'));
    await r().hmset(objectHash('Network', id), { name: 'testnet', host: '127.0.0.1', port: '6667', description: 'for trials' });
    const [, added] = await waitForType(a.seen, 'NETWORK_LIST', 2);
    expect(added).toMatchObject({ networks: [{ name: 'testnet', description: 'for trials', tls: false }] });
    expect(await b.client.connect()).toMatchObject({ resumed: true });
    const [, resumedWith] = await waitForType(b.seen, 'NETWORK_LIST', 2);
    expect(resumedWith).toMatchObject({ networks: [{ name: 'testnet' }] });
    // Made unusable (a port out of range): it is no longer offered.
    await r().hset(objectHash('Network', id), 'port', '70000');
    const [, , gone] = await waitForType(a.seen, 'NETWORK_LIST', 3);
    expect(gone).toMatchObject({ networks: [] });
    await r().hset(objectHash('Network', id), 'port', '6697', 'tls', 'true');
    const [, , , back] = await waitForType(a.seen, 'NETWORK_LIST', 4);
    expect(back).toMatchObject({ networks: [{ name: 'testnet', tls: true }] });
    await r().del(objectHash('Network', id));
    const lists = await waitForType(b.seen, 'NETWORK_LIST', 5);
    expect(lists[4]).toMatchObject({ networks: [] });
    // A new session's burst has the list as it is now.
    const c = gw.client(me.token);
    await c.client.connect();
    await waitForType(c.seen, 'FINISH_INIT');
    expect(c.seen.items.find((n) => n.type === 'NETWORK_LIST')).toMatchObject({ networks: [] });
  });

  it("gives a second session the first one's SET as UPDATE_SETTINGS, and does not echo it to the first", async () => {
    const me = await gw.user();
    const a = gw.client(me.token);
    const b = gw.client(me.token);
    await a.client.connect();
    await b.client.connect();
    await waitForType(a.seen, 'FINISH_INIT');
    await waitForType(b.seen, 'FINISH_INIT');
    expect(await a.client.request({ id: 'SET', settings: { theme: 'light', sounds: false } })).toEqual({ status: 'OK' });
    // The burst's UPDATE_SETTINGS, then the echo of the SET.
    const updates = await waitForType(b.seen, 'UPDATE_SETTINGS', 2);
    expect(updates[1]).toMatchObject({ type: 'UPDATE_SETTINGS', settings: { theme: 'light', sounds: false } });
    expect(await r().hgetall(settings(me.userId))).toEqual({ theme: '"light"', sounds: 'false' });
    // The first session got nothing new: its own SET is answered, not echoed.
    expect(await a.client.request({ id: 'SET', settings: { x: 1 } })).toEqual({ status: 'OK' });
    await waitForType(b.seen, 'UPDATE_SETTINGS', 3);
    expect(a.seen.items.filter((n) => n.type === 'UPDATE_SETTINGS')).toHaveLength(1);
  });

  it('ends the session a reloaded page had (init replaces), but not one that a socket still holds', async () => {
    const me = await gw.user();
    const first = gw.client(me.token);
    const a = await first.client.connect();
    await waitForType(first.seen, 'FINISH_INIT');
    // A duplicated tab carries the same id while the first tab still holds it: nothing ends.
    const dup = gw.client(me.token, { replaces: a.sessionId });
    await dup.client.connect();
    await waitForType(dup.seen, 'FINISH_INIT');
    expect(await r().exists(session(me.userId, a.sessionId))).toBe(1);
    // The first page is reloaded: its socket goes, and the new page names the session it had.
    first.client.disconnect();
    await eventually(() => r().hget(session(me.userId, a.sessionId), 'connected'), (v) => v === '0', 'the old session detached');
    const reloaded = gw.client(me.token, { replaces: a.sessionId });
    const b = await reloaded.client.connect();
    await waitForType(reloaded.seen, 'FINISH_INIT');
    expect(b.sessionId).not.toBe(a.sessionId);
    expect(await r().exists(session(me.userId, a.sessionId))).toBe(0);
    expect(await r().zscore(sessionList(me.userId), a.sessionId)).toBeNull();
  });

  it('resumes a dropped session with exactly the notifications it missed, in order', async () => {
    const me = await gw.user();
    const a = gw.client(me.token);
    const b = gw.client(me.token);
    await a.client.connect();
    const first = await b.client.connect();
    await waitForType(b.seen, 'FINISH_INIT');
    const lastSeq = b.client.lastSeq;
    b.client.disconnect();
    for (const n of [1, 2, 3]) expect(await a.client.request({ id: 'SET', settings: { n } })).toEqual({ status: 'OK' });
    const resumed = await b.client.connect();
    expect(resumed).toMatchObject({ status: 'OK', sessionId: first.sessionId, resumed: true });
    const updates = await waitForType(b.seen, 'UPDATE_SETTINGS', 4);
    const missed = b.seen.items.filter((n) => n.seq > lastSeq);
    expect(missed.map((n) => [n.seq, n.type, (n as { settings?: unknown }).settings])).toEqual([
      [lastSeq + 1, 'UPDATE_SETTINGS', { n: 1 }],
      [lastSeq + 2, 'UPDATE_SETTINGS', { n: 2 }],
      [lastSeq + 3, 'UPDATE_SETTINGS', { n: 3 }],
    ]);
    expect(updates).toHaveLength(4);
    expect(b.client.duplicates).toBe(0);
    expect(b.client.gaps).toBe(0);
  });

  it('delivers batches on ntfs by default, and one ntf per notification to a client that asks so', async () => {
    const me = await gw.user();
    const batched = gw.client(me.token);
    const single = gw.client(me.token, { batch: false });
    const events = { ntf: 0, ntfs: 0 };
    (single.client.socket as unknown as Socket).on('ntf', () => events.ntf++);
    (single.client.socket as unknown as Socket).on('ntfs', () => events.ntfs++);
    let batches = 0;
    (batched.client.socket as unknown as Socket).on('ntfs', () => batches++);
    await batched.client.connect();
    await single.client.connect();
    await waitForType(batched.seen, 'FINISH_INIT');
    const burst = await waitForType(single.seen, 'FINISH_INIT');
    expect(events).toEqual({ ntf: burst[0]!.seq, ntfs: 0 });
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(batched.seen.items.length);
    expect(await batched.client.request({ id: 'SET', settings: { k: 1 } })).toEqual({ status: 'OK' });
    await waitForType(single.seen, 'UPDATE_SETTINGS', 2);
    expect(events.ntf).toBe(single.client.lastSeq);
    expect(single.client.duplicates + single.client.gaps + batched.client.duplicates + batched.client.gaps).toBe(0);
  });

  it('executes a request once when its seq is repeated, and refuses a seq that skips ahead', async () => {
    const me = await gw.user();
    const watcher = gw.client(me.token);
    await watcher.client.connect();
    await waitForType(watcher.seen, 'FINISH_INIT');
    const { client } = gw.client(me.token);
    await client.connect();
    const emit = (payload: unknown) => emitRaw(client, 'req', payload);
    const set = { seq: 1, id: 'SET', settings: { color: 'red' } };
    expect(await emit(set)).toEqual({ status: 'OK' });
    expect(await emit(set)).toEqual({ status: 'OK' });
    expect(await emit({ ...set, seq: 5 })).toEqual({ status: 'ERROR', code: 'BAD_SEQ', message: 'expected seq 2' });
    expect(await emit({ seq: 2, id: 'SET', settings: { color: 'blue' } })).toEqual({ status: 'OK' });
    await waitForType(watcher.seen, 'UPDATE_SETTINGS', 3);
    // The repeat of seq 1 told nobody anything: one UPDATE_SETTINGS per executed SET.
    expect(watcher.seen.items.filter((n) => n.type === 'UPDATE_SETTINGS').map((n) => (n as { settings: unknown }).settings)).toEqual([{}, { color: 'red' }, { color: 'blue' }]);
  });

  it('hands backend requests over through their inbox or queue and relays the stored answer', async () => {
    await gw.restart({ REQUEST_TIMEOUT_MS: '60000' });
    const me = await gw.user();
    const { client } = gw.client(me.token);
    const ack = await client.connect();
    const sentAfter = Date.now();
    const answered = client.request({ id: 'CREATE', name: '#tea' });
    // Play loopback-parser: take the envelope and answer through RequestReplies.
    const [, raw] = (await redis.space.connect().brpop('inbox:loopbackparser', 0))!;
    const envelope = JSON.parse(raw) as { type: string; userId: number; sessionId: string; requestId: string; gateway: string; request: unknown; traceId: string; sentAt: number };
    // The gateway names itself: the answer goes to its channel, and it is the one holding the session.
    // It gives the request a trace id (its log lines and the backend's carry it) and the time it was sent.
    expect(envelope).toEqual({ v: 1, type: 'request', traceId: envelope.traceId, sentAt: envelope.sentAt, userId: me.userId, sessionId: ack.sessionId, requestId: '1', gateway: envelope.gateway, request: { id: 'CREATE', name: '#tea' } });
    expect(envelope.traceId).toMatch(/^[0-9a-f]{16}$/);
    expect(envelope.sentAt).toBeGreaterThanOrEqual(sentAfter);
    expect(envelope.sentAt).toBeLessThanOrEqual(Date.now());
    expect(envelope.gateway).toMatch(/^\d+-[0-9a-f]{8}$/);
    expect(await r().hget(session(me.userId, ack.sessionId), 'gateway')).toBe(envelope.gateway);
    expect(await r().hget(sessionReplies(me.userId, ack.sessionId), '1')).toMatch(/^P\d+$/);
    const { RequestReplies } = await import('@parley/inbox');
    await new RequestReplies(r()).answer({ userId: me.userId, sessionId: ack.sessionId, requestId: '1', gateway: envelope.gateway }, { status: 'OK', windowId: 9 });
    expect(await answered).toEqual({ status: 'OK', windowId: 9 });
  });

  it('delivers an answer whose announcement was lost while its subscription was down (a Redis restart), without waiting for the timeout', async () => {
    await gw.restart({ REQUEST_TIMEOUT_MS: '600000' });
    const me = await gw.user();
    const { client } = gw.client(me.token);
    const ack = await client.connect();
    const answered = client.request({ id: 'CREATE', name: '#lost' });
    await redis.space.connect().brpop('inbox:loopbackparser', 0);
    // In one transaction: the gateway's subscription is cut, and the answer is stored with no
    // announcement, as a backend's would be while the subscription is down.
    await r().multi().call('CLIENT', 'KILL', 'TYPE', 'pubsub').hset(sessionReplies(me.userId, ack.sessionId), '1', JSON.stringify({ status: 'OK', windowId: 5 })).exec();
    expect(await answered).toEqual({ status: 'OK', windowId: 5 });
  });

  it('answers TIMEOUT when no backend answers in time, and the stored answer when the request is repeated later', async () => {
    await gw.restart({ REQUEST_TIMEOUT_MS: '300' });
    const me = await gw.user();
    const { client } = gw.client(me.token);
    const ack = await client.connect();
    const emit = (payload: unknown) => emitRaw<{ status: string; code?: string }>(client, 'req', payload);
    const req = { seq: 1, id: 'BLOCK', userId: 99 };
    expect(await emit(req)).toMatchObject({ status: 'ERROR', code: 'TIMEOUT' });
    const { RequestReplies } = await import('@parley/inbox');
    const gateway = (await r().hget(session(me.userId, ack.sessionId), 'gateway'))!;
    await new RequestReplies(r()).fail({ userId: me.userId, sessionId: ack.sessionId, requestId: '1', gateway }, 'NOT_AVAILABLE', 'later');
    expect(await emit(req)).toEqual({ status: 'ERROR', code: 'NOT_AVAILABLE', message: 'later' });
    // It went to im-router's queue once, with an id that makes a re-drive a no-op.
    expect(await r().exists(`bull:im-router:req-${me.userId}-${ack.sessionId}-1`)).toBe(1);
  });

  it("drives a gateway request again when its claim was left by a gateway that died before answering", async () => {
    const me = await gw.user();
    const { client } = gw.client(me.token);
    const ack = await client.connect();
    // What a gateway killed between claim and answer leaves: seq 1 claimed a minute ago, no answer.
    await r().hset(session(me.userId, ack.sessionId), 'sendRcvNext', 2);
    await r().hset(sessionReplies(me.userId, ack.sessionId), '1', `P${Date.now() - 60_000}`);
    expect(await client.request({ id: 'SET', settings: { again: true } })).toEqual({ status: 'OK' });
    expect(await r().hget(settings(me.userId), 'again')).toBe('true');
    expect(await r().hget(sessionReplies(me.userId, ack.sessionId), '1')).toBe('{"status":"OK"}');
  });

  it("adds a queue request's job again at once when its claim was left by a gateway killed before it added the job", async () => {
    await gw.restart({ REQUEST_TIMEOUT_MS: '600000' });
    const me = await gw.user();
    const { client } = gw.client(me.token);
    const ack = await client.connect();
    // Claimed just now by a gateway that died before its add: pending, far from stale, no job.
    await r().hset(session(me.userId, ack.sessionId), 'sendRcvNext', 2);
    await r().hset(sessionReplies(me.userId, ack.sessionId), '1', `P${Date.now()}`);
    const job = `bull:im-router:req-${me.userId}-${ack.sessionId}-1`;
    expect(await r().exists(job)).toBe(0);
    const answered = client.request({ id: 'BLOCK', userId: 99 });
    // The repeat brings the job (im-router would take it; answered here in its place), long before the timeout.
    await eventually(() => r().exists(job), (k) => k === 1, 'the job added again');
    const { RequestReplies } = await import('@parley/inbox');
    const gateway = (await r().hget(session(me.userId, ack.sessionId), 'gateway'))!;
    await new RequestReplies(r()).answer({ userId: me.userId, sessionId: ack.sessionId, requestId: '1', gateway }, { status: 'OK' });
    expect(await answered).toEqual({ status: 'OK' });
  });

  it('claims a socket’s requests in the order they were sent, whatever each had to look up first', async () => {
    await gw.restart({ REQUEST_TIMEOUT_MS: '200' });
    const me = await gw.user();
    for (let w = 1; w <= 21; w++) await r().hset(window(me.userId, w), 'name', `#r${w}`, 'type', 'group', 'network', 'parley');
    const { client } = gw.client(me.token);
    await client.connect();
    // Window 1 is looked up once (then remembered); windows 2..21 each need Redis first.
    await client.request({ id: 'SEND', windowId: 1, text: 'warm', clientMsgId: 'w' });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => client.request({ id: 'SEND', windowId: i % 2 ? 2 + (i >> 1) : 1, text: `m${i}`, clientMsgId: `c${i}` })));
    // No backend runs here: every one is claimed in turn and times out; none is refused as out of order.
    expect(answers.map((a) => (a.status === 'ERROR' ? a.code : a.status))).toEqual(Array.from({ length: 40 }, () => 'TIMEOUT'));
    expect(await r().hget(session(me.userId, client.sessionId!), 'sendRcvNext')).toBe('42');
  });

  it('answers NOT_FOUND for a window the user does not have', async () => {
    const me = await gw.user();
    const { client } = gw.client(me.token);
    await client.connect();
    expect(await client.request({ id: 'SEND', windowId: 42, text: 'hi', clientMsgId: 'c1' })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect(await client.request({ id: 'UPDATE', windowId: 42, visible: false })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
  });

  it('echoes UPDATE of a window to the other sessions', async () => {
    const me = await gw.user();
    await r().hset(window(me.userId, 3), 'name', 'tea', 'type', 'group', 'network', 'parley');
    const a = gw.client(me.token);
    const b = gw.client(me.token);
    await a.client.connect();
    await b.client.connect();
    expect(await a.client.request({ id: 'UPDATE', windowId: 3, sounds: true })).toEqual({ status: 'OK' });
    const [update] = await waitForType(b.seen, 'UPDATE_WINDOW');
    expect(update).toMatchObject({ windowId: 3, sounds: true });
    expect(await r().hget(window(me.userId, 3), 'sounds')).toBe('true');
  });

  it('starts an expired session afresh: resumed false, with a full burst', async () => {
    await gw.restart({ SESSION_IDLE_TTL_MS: '1000', SESSION_EXPIRY_INTERVAL_MS: '100' });
    const me = await gw.user();
    const { client, seen } = gw.client(me.token);
    const first = await client.connect();
    await waitForType(seen, 'FINISH_INIT');
    client.disconnect();
    // The scheduled expiry job removes the idle session with its outbox.
    await eventually(() => r().exists(session(me.userId, first.sessionId)), (n) => n === 0, 'session expired');
    expect(await r().exists(outbox(me.userId, first.sessionId))).toBe(0);
    expect(await r().zscore(sessionList(me.userId), first.sessionId)).toBeNull();
    const again = await client.connect();
    expect(again.resumed).toBe(false);
    expect(again.sessionId).not.toBe(first.sessionId);
    await waitForType(seen, 'FINISH_INIT', 2);
    expect(client.lastSeq).toBe(seen.items.filter((n) => n.seq <= client.lastSeq).at(-1)!.seq);
  });

  it('starts afresh when the outbox was cut while the client was away (never a silent hole)', async () => {
    const me = await gw.user();
    const { client, seen } = gw.client(me.token);
    const first = await client.connect();
    await waitForType(seen, 'FINISH_INIT');
    client.disconnect();
    await new Notifier(r(), 3).notifyUser(me.userId, [1, 2, 3, 4].map((n) => ({ type: 'UPDATE_SETTINGS' as const, settings: { n } })));
    expect(await r().hget(session(me.userId, first.sessionId), 'reinit')).toBe('1');
    const again = await client.connect();
    expect(again.resumed).toBe(false);
    await waitForType(seen, 'FINISH_INIT', 2);
    expect(client.gaps).toBe(0);
  });

  it('ends the oldest session past the cap with TOO_MANY_SESSIONS', async () => {
    await gw.restart({ SESSION_MAX_PER_USER: '2' });
    const me = await gw.user();
    const oldest = gw.client(me.token);
    const terminated = new Promise((resolve) => oldest.client.on('terminate', resolve));
    const s1 = await oldest.client.connect();
    await gw.client(me.token).client.connect();
    await gw.client(me.token).client.connect();
    expect(await terminated).toMatchObject({ code: 'TOO_MANY_SESSIONS' });
    expect(await r().zcard(sessionList(me.userId))).toBe(2);
    expect(await r().exists(session(me.userId, s1.sessionId))).toBe(0);
  });

  it('LOGOUT ends the session, closes its socket and revokes its token', async () => {
    const me = await gw.user();
    const { client } = gw.client(me.token);
    const ack = await client.connect();
    const terminated = new Promise((resolve) => client.on('terminate', resolve));
    expect(await client.request({ id: 'LOGOUT' })).toEqual({ status: 'OK' });
    expect(await terminated).toMatchObject({ code: 'LOGOUT' });
    expect(await r().exists(session(me.userId, ack.sessionId))).toBe(0);
    const profile = await fetch(`${gw.url}/api/v1/profile`, { headers: { authorization: `Bearer ${client.token}` } });
    expect(profile.status).toBe(401);
  });

  it('rotates the token of a token-authenticated socket on each new session', async () => {
    await gw.restart({ TOKEN_ROTATION_GRACE_MS: '0' });
    const me = await gw.user();
    const { client } = gw.client(me.token);
    const ack = await client.connect();
    expect(ack.token).toBeDefined();
    expect(ack.token).not.toBe(me.token);
    const profile = (token: string) => fetch(`${gw.url}/api/v1/profile`, { headers: { authorization: `Bearer ${token}` } });
    expect((await profile(ack.token!)).status).toBe(200);
    expect((await profile(me.token)).status).toBe(401);
    // The session runs on the new token: logging that out over HTTP ends it.
    const terminated = new Promise((resolve) => client.on('terminate', resolve));
    expect((await gw.post('logout', {}, { authorization: `Bearer ${ack.token}` })).status).toBe(204);
    expect(await terminated).toMatchObject({ code: 'LOGOUT' });
  });

  it('authenticates a socket by cookie and rotates the cookie on the handshake', async () => {
    const me = await gw.user();
    const handshake = await fetch(`${gw.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie: `parley_token=${me.token}` } });
    expect(handshake.status).toBe(200);
    const setCookie = handshake.headers.get('set-cookie') ?? '';
    const fresh = /parley_token=([A-Za-z0-9_-]+)/.exec(setCookie)?.[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(me.token);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const { client } = gw.client('', { token: undefined, extraHeaders: { cookie: `parley_token=${fresh}` } });
    const ack = await client.connect();
    expect(ack).toMatchObject({ status: 'OK', userId: me.userId });
    // A cookie socket never sees a token in JavaScript.
    expect(ack.token).toBeUndefined();
    // Another site's page opening a socket: the user's cookie is not used (cross-site WebSocket hijacking).
    const foreign = await fetch(`${gw.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie: `parley_token=${fresh}`, origin: 'https://evil.example' } });
    expect(foreign.headers.get('set-cookie')).toBeNull();
    const ours = await fetch(`${gw.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie: `parley_token=${fresh}`, origin: gw.url } });
    expect(ours.headers.get('set-cookie')).toMatch(/parley_token=/);
  });

  it('counts sockets, sessions, notifications, requests and bad payloads on /metrics', async () => {
    const me = await gw.user();
    const { client, seen } = gw.client(me.token);
    await client.connect();
    await waitForType(seen, 'FINISH_INIT');
    await client.request({ id: 'SET', settings: { a: 1 } });
    await emitRaw(client, 'req', { seq: 'x' });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1]);
    expect(value(/^parley_gateway_sockets\{[^}]*\} (\d+)$/m)).toBe(1);
    expect(value(/^parley_gateway_sessions_total\{[^}]*kind="new"[^}]*\} (\d+)$/m)).toBe(1);
    expect(value(/^parley_gateway_notifications_sent_total\{[^}]*\} (\d+)$/m)).toBe(seen.items.length);
    expect(value(/^parley_gateway_requests_total\{[^}]*id="SET"[^}]*status="OK"[^}]*\} (\d+)$/m)).toBe(1);
    expect(value(/^parley_gateway_bad_payloads_total\{[^}]*event="req"[^}]*\} (\d+)$/m)).toBe(1);
  });

  it('refuses a socket without a valid token', async () => {
    const { client } = gw.client('not-a-token');
    await expect(client.connect()).rejects.toThrow('UNAUTHORIZED');
  });

  it('answers thousands of malformed payloads with errors and keeps serving', async () => {
    const me = await gw.user();
    const { client, seen } = gw.client(me.token);
    // Untyped: this test sends what the event map forbids.
    const raw = client.socket as unknown as Socket;
    // Sent before init (socket.io sends buffered events before the client's init): refused, the socket stays.
    const before = emitRaw(client, 'req', { seq: 1, id: 'SET', settings: {} });
    await client.connect();
    expect(await before).toMatchObject({ status: 'ERROR', code: 'NO_SESSION' });
    await waitForType(seen, 'FINISH_INIT');
    const junk: unknown[] = [null, 0, 'x', [], {}, { seq: 0 }, { seq: -1, id: 'SET' }, { seq: 1.5 }, { seq: '1', id: 'SET' }, { seq: 1e20 }, { id: 'SET', settings: {} }, { seq: 1, id: 'NOPE' }, { seq: 1, id: 'SET' }, { seq: 1, id: 'SET', settings: { 'bad key': 1 } }, { seq: 1, id: 'SEND', windowId: 'x' }, { seq: 1, id: 'SET', settings: { a: { nested: true } } }];
    const answers: unknown[] = [];
    for (let i = 0; i < 2000; i++) {
      const payload = junk[i % junk.length];
      raw.emit('ack', payload);
      raw.emit('init', payload); // no callback: counted and dropped
      raw.emit('nonsense', payload);
      if (i % 4 === 0) answers.push(await emitRaw(client, 'req', payload));
      if (i % 4 === 1) answers.push(await emitRaw(client, 'init', payload));
    }
    expect(answers.every((a) => (a as { status: string }).status === 'ERROR')).toBe(true);
    // The first malformed request with seq 1 (a SET without settings) used seq 1 up: a repeat gets its answer; seq 2 works.
    const replay = await emitRaw(client, 'req', { seq: 1, id: 'SET', settings: {} });
    expect(replay).toMatchObject({ status: 'ERROR', code: 'BAD_REQUEST' });
    expect(await emitRaw(client, 'req', { seq: 2, id: 'SET', settings: { still: 'here' } })).toEqual({ status: 'OK' });
    const res = await gw.post('login', '{"username": ', {});
    expect(res.status).toBe(400);
    for (let round = 0; round < 40; round++) {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => gw.post(i % 2 ? 'register' : 'login', i % 3 ? '[1,2' : { username: 5, password: null }).then((r) => r.status)),
      );
      expect(statuses.every((status) => status === 400)).toBe(true);
    }
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect(client.socket.connected).toBe(true);
  });
});
