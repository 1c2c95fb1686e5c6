import { createHash } from 'node:crypto';
import { type ParleyClient } from '@parley/client';
import { assignedBots, botRooms, group, groupBacklog, groupBots, groupMembers, groupRoles, groupWindows, objectHash, objectId, objectValue, sessionReplies, window } from '@parley/key-schema';
import type { SequencedNotification } from '@parley/protocol';
import { type Collector, eventually } from '@parley/testing';
import { connectedSession, drained, ofType, ok, registerUser, useStack, waitFor } from './apps';

/** Rooms of the built-in network through real socket.io clients, the gateway and loopback-parser. */
describe('rooms (gateway + loopback-parser as processes)', () => {
  let n = 0;
  const stack = useStack(async (start) => {
    const gateway = await start('gateway', { REQUEST_TIMEOUT_MS: '60000' });
    await start('loopback-parser', { INBOX_CONSUMER_NAME: 'loopback-e2e' });
    return `http://127.0.0.1:${gateway.port}`;
  });
  const { apps, start } = stack;

  interface User {
    userId: number;
    nick: string;
    c: ParleyClient;
    seen: Collector<SequencedNotification>;
  }

  /** A registered, connected user whose init burst has arrived. */
  async function user(prefix = 'user'): Promise<User> {
    const nick = `${prefix}${++n}`;
    const { userId, token } = await registerUser(stack.url, nick);
    return { userId, nick, ...(await session(token)) };
  }

  /** A connected session (after its burst) of the user whose token this is. */
  async function session(token: string): Promise<{ c: ParleyClient; seen: Collector<SequencedNotification> }> {
    const s = await connectedSession(stack.url, token);
    stack.clients.push(s.c);
    return s;
  }

  let rooms = 0;
  const roomName = () => `#room${++rooms}`;

  it('CREATE makes the creator owner with a window; JOIN adds a member; SEND reaches the others once, not the sender', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const added = await waitFor(alice, 'ADD_WINDOW', (w) => w.windowId === aw);
    expect(added).toMatchObject({ network: 'parley', name, windowType: 'group', role: '*' });
    expect(await stack.space.redis.hget(group(name), 'owner')).toBe(String(alice.userId));
    expect(await alice.c.request({ id: 'CREATE', name: name.toUpperCase() })).toMatchObject({ status: 'ERROR', code: 'ERROR_EXISTS' });

    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    await waitFor(bob, 'ADD_WINDOW', (w) => w.windowId === bw);
    const members = await waitFor(bob, 'UPDATE_MEMBERS', (m) => m.windowId === bw && m.reset === true);
    expect(members.members.map((m) => [m.nick, m.role]).sort()).toEqual([[alice.nick, '*'], [bob.nick, 'u']]);
    await waitFor(alice, 'UPDATE_MEMBERS', (m) => m.windowId === aw && m.members.some((x) => x.nick === bob.nick));
    expect(await bob.c.request({ id: 'JOIN', network: 'parley', name })).toMatchObject({ status: 'ERROR', code: 'ALREADY_JOINED' });

    const sent = ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'hello <b>bob</b>', clientMsgId: 'm-1' }));
    const got = await waitFor(bob, 'ADD_MESSAGE', (m) => m.cat === 'msg');
    expect(got).toMatchObject({ windowId: bw, gid: sent.gid, ts: sent.ts, body: 'hello <b>bob</b>', nick: alice.nick, userId: alice.userId });
    // The same clientMsgId again (a retry from a new connection): stored once, same gid.
    expect(await alice.c.request({ id: 'SEND', windowId: aw, text: 'hello <b>bob</b>', clientMsgId: 'm-1' })).toEqual({ status: 'OK', gid: sent.gid, ts: sent.ts });
    const second = ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'again', clientMsgId: 'm-2' }));
    expect(second.gid).toBeGreaterThan(sent.gid);
    await waitFor(bob, 'ADD_MESSAGE', (m) => m.gid === second.gid);
    expect(ofType(bob, 'ADD_MESSAGE').filter((m) => m.cat === 'msg').map((m) => m.gid)).toEqual([sent.gid, second.gid]);
    expect(ofType(alice, 'ADD_MESSAGE').filter((m) => m.cat === 'msg')).toEqual([]);
  });

  it('a burst of SENDs (stored in runs) keeps its order, and a retry inside the burst is stored once', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    // 60 at once, every fourth a retry of the one before it (same clientMsgId and text).
    const ids = Array.from({ length: 60 }, (_, i) => (i % 4 === 3 ? i - 1 : i));
    const answers = (await Promise.all(ids.map((id) => alice.c.request({ id: 'SEND', windowId: aw, text: `burst ${id}`, clientMsgId: `b-${id}` })))).map(ok);
    ids.forEach((id, i) => {
      if (id !== i) expect(answers[i]).toEqual(answers[i - 1]);
    });
    const distinct = answers.filter((_, i) => ids[i] === i).map((a) => a.gid);
    expect(distinct).toEqual(Array.from({ length: distinct.length }, (_, k) => distinct[0]! + k));
    const received = () => ofType(bob, 'ADD_MESSAGE').filter((m) => m.cat === 'msg');
    await eventually(received, (r) => r.length >= distinct.length, 'bob got the burst');
    expect(received().map((m) => [m.gid, m.body])).toEqual(distinct.map((gid, k) => [gid, `burst ${ids.filter((id, i) => id === i)[k]}`]));
    expect(bob.c.duplicates + bob.c.gaps).toBe(0);
  });

  it('FETCH pages history by gid; EDIT changes one’s own message for everyone, and only one’s own', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    const gids: number[] = [];
    for (let i = 1; i <= 5; i++) gids.push(ok(await alice.c.request({ id: 'SEND', windowId: aw, text: `m${i}`, clientMsgId: `f-${i}` })).gid);
    const newest = ok(await bob.c.request({ id: 'FETCH', windowId: bw, limit: 2 }));
    expect(newest.messages.map((m) => m.body)).toEqual(['m4', 'm5']);
    const older = ok(await bob.c.request({ id: 'FETCH', windowId: bw, beforeGid: gids[3]!, limit: 2 }));
    expect(older.messages.map((m) => m.body)).toEqual(['m2', 'm3']);
    const newer = ok(await bob.c.request({ id: 'FETCH', windowId: bw, afterGid: gids[2]!, limit: 10 }));
    expect(newer.messages.map((m) => m.body)).toEqual(['m4', 'm5']);

    // The watermark moves forwards only; bob's other sessions hear of it, and a new one starts from it.
    const bob2 = { nick: 'bob (second session)', ...(await session(bob.c.token!)) };
    await drained(stack.space, bob2.c);
    ok(await bob.c.request({ id: 'READ', windowId: bw, gid: gids[4]! }));
    expect(await stack.space.redis.hget(window(bob.userId, bw), 'readGid')).toBe(String(gids[4]));
    expect(await waitFor(bob2, 'UPDATE_WINDOW', (w) => w.windowId === bw)).toMatchObject({ readGid: gids[4] });
    ok(await bob.c.request({ id: 'READ', windowId: bw, gid: gids[1]! }));
    expect(await bob.c.request({ id: 'READ', windowId: bw, gid: gids[4]! + 10 })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect(await stack.space.redis.hget(window(bob.userId, bw), 'readGid')).toBe(String(gids[4]));
    const bob3 = { nick: 'bob (third session)', ...(await session(bob.c.token!)) };
    expect(ofType(bob3, 'ADD_WINDOW').find((w) => w.windowId === bw)).toMatchObject({ readGid: gids[4] });
    expect(ofType(bob2, 'UPDATE_WINDOW').filter((w) => w.windowId === bw)).toHaveLength(1);
    expect(ofType(bob, 'UPDATE_WINDOW').filter((w) => w.windowId === bw && w.readGid !== undefined)).toHaveLength(0);
    ok(await alice.c.request({ id: 'EDIT', windowId: aw, gid: gids[0]!, text: 'm1 (fixed)' }));
    await waitFor(bob, 'ADD_MESSAGE', (m) => m.gid === gids[0] && m.edited === true && m.body === 'm1 (fixed)');
    expect(await bob.c.request({ id: 'EDIT', windowId: bw, gid: gids[1]!, text: 'mine now' })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    ok(await alice.c.request({ id: 'EDIT', windowId: aw, gid: gids[1]!, text: '' }));
    await waitFor(bob, 'ADD_MESSAGE', (m) => m.gid === gids[1] && m.body === '');
  });

  it('refuses a wrong room password, and a non-member cannot send, fetch or act in the room', async () => {
    const alice = await user('alice');
    const eve = await user('eve');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name, password: 'sesame open' }));
    expect(await stack.space.redis.hget(group(name), 'password')).toMatch(/^\$argon2id\$/);
    expect(await eve.c.request({ id: 'JOIN', network: 'parley', name })).toMatchObject({ status: 'ERROR', code: 'INCORRECT_PASSWORD' });
    expect(await eve.c.request({ id: 'JOIN', network: 'parley', name, password: 'wrong one' })).toMatchObject({ status: 'ERROR', code: 'INCORRECT_PASSWORD' });
    // Eve names alice's window id: it is not hers.
    expect(await eve.c.request({ id: 'SEND', windowId: aw, text: 'x', clientMsgId: 'e-1' })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect(await eve.c.request({ id: 'FETCH', windowId: aw, limit: 5 })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    const { windowId: ew } = ok(await eve.c.request({ id: 'JOIN', network: 'parley', name, password: 'sesame open' }));
    expect(await eve.c.request({ id: 'UPDATE_TOPIC', windowId: ew, topic: 'mine' })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    expect(await eve.c.request({ id: 'COMMAND', windowId: ew, command: 'kick', params: alice.nick })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    ok(await alice.c.request({ id: 'UPDATE_TOPIC', windowId: aw, topic: 'Tea & cake' }));
    await waitFor(eve, 'UPDATE_WINDOW', (w) => w.windowId === ew && w.topic === 'Tea & cake');
  });

  it('kick removes the window from every session of the kicked user; a ban by mask keeps them out', async () => {
    const alice = await user('alice');
    const mallory = await user('mallory');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: mw } = ok(await mallory.c.request({ id: 'JOIN', network: 'parley', name }));
    // Mallory's second device (a session of its own, on the rotated token).
    const phone = { ...mallory, ...(await session(mallory.c.token!)) };
    await waitFor(phone, 'ADD_WINDOW', (w) => w.windowId === mw);
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'kick', params: `${mallory.nick} be nice` }));
    await waitFor(mallory, 'DELETE_WINDOW', (w) => w.windowId === mw);
    await waitFor(phone, 'DELETE_WINDOW', (w) => w.windowId === mw);
    await waitFor(alice, 'ADD_MESSAGE', (m) => m.cat === 'kick' && m.body.includes('be nice'));
    expect(await stack.space.redis.sismember(groupMembers(name), String(mallory.userId))).toBe(0);
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'ban', params: 'mall*' }));
    expect(await mallory.c.request({ id: 'JOIN', network: 'parley', name })).toMatchObject({ status: 'ERROR', code: 'BANNED' });
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'unban', params: 'mall*' }));
    const { windowId: again } = ok(await mallory.c.request({ id: 'JOIN', network: 'parley', name }));
    // A mask ban also removes the members it matches.
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'ban', params: 'MALL*' }));
    await waitFor(mallory, 'DELETE_WINDOW', (w) => w.windowId === again);
    expect(await stack.space.redis.sismember(groupMembers(name), String(mallory.userId))).toBe(0);
  });

  it('an operator cannot ban the owner (by nick or by a mask), and a refused ban leaves nothing behind', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'op', params: bob.nick }));
    await waitFor(bob, 'UPDATE_WINDOW', (w) => w.windowId === bw && w.role === '@');
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'ban', params: alice.nick })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'ban', params: '*' })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'voice', params: alice.nick })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    expect(await stack.space.redis.hlen(`im:black-list:group:${name}`)).toBe(0);
  });

  it('invite policy: only the invited get in, and the invitee is told who invited them', async () => {
    const alice = await user('alice');
    const carol = await user('carol');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'policy', params: 'invite' }));
    expect(await carol.c.request({ id: 'JOIN', network: 'parley', name })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'invite', params: carol.nick }));
    expect(await waitFor(carol, 'ROOM_INVITE')).toMatchObject({ network: 'parley', name, nick: alice.nick });
    const { windowId: cw } = ok(await carol.c.request({ id: 'JOIN', network: 'parley', name }));
    await waitFor(carol, 'ADD_WINDOW', (w) => w.windowId === cw);
  });

  it('approval policy: the request reaches the moderators, approve lets the asker in', async () => {
    const alice = await user('alice');
    const carol = await user('carol');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'policy', params: 'approval' }));
    expect(await carol.c.request({ id: 'JOIN', network: 'parley', name })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    await waitFor(alice, 'JOIN_REQUEST', (r) => r.windowId === aw && r.userId === carol.userId);
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'approve', params: carol.nick }));
    const window = await waitFor(carol, 'ADD_WINDOW', (w) => w.name === name);
    expect(window.role).toBe('u');
  });

  it('the owner leaving hands the room over; the last member leaving removes the room and its keys', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    ok(await alice.c.request({ id: 'CLOSE', windowId: aw }));
    await waitFor(alice, 'DELETE_WINDOW', (w) => w.windowId === aw);
    await waitFor(bob, 'UPDATE_WINDOW', (w) => w.windowId === bw && w.role === '*');
    expect(await stack.space.redis.hget(group(name), 'owner')).toBe(String(bob.userId));
    ok(await bob.c.request({ id: 'NOTE_ADD', windowId: bw, text: 'bring cake' }));
    ok(await bob.c.request({ id: 'SEND', windowId: bw, text: 'https://example.org', clientMsgId: 'l-1' }));
    ok(await bob.c.request({ id: 'CLOSE', windowId: bw }));
    expect(await stack.space.redis.exists(group(name), groupMembers(name), groupRoles(name), groupWindows(name), groupBacklog(name))).toBe(0);
    // The closed window took its notes and URL list with it.
    expect(await stack.space.redis.keys(`*:${bob.userId}:${bw}`)).toEqual([]);
    expect(await stack.space.redis.keys('note:*')).toEqual([]);
  });

  it('refuses room names that could reach into other keys', async () => {
    const alice = await user('alice');
    for (const name of ['#a:b', '#a*', '#a b', `#${'x'.repeat(60)}`, 'nohash', '#']) {
      expect(await alice.c.request({ id: 'CREATE', name })).toMatchObject({ status: 'ERROR', code: 'BAD_REQUEST' });
    }
  });

  it('loses and repeats nothing when loopback-parser is SIGKILLed while messages stream into a room', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    ok(await carol.c.request({ id: 'JOIN', network: 'parley', name }));
    // A stream: 20 lanes, each sending its next message as soon as the last one is answered, so
    // 20 are always on their way however fast loopback-parser is, until 300 have gone after the
    // restart.
    const total = 300;
    let answered = 0;
    let restarted = false;
    const send = (i: number) => alice.c.request({ id: 'SEND', windowId: aw, text: `stream ${i}`, clientMsgId: `s-${i}` });
    const sends: ReturnType<typeof send>[] = [];
    const lane = async () => {
      while (!restarted || sends.length < total) {
        const sent = send(sends.length);
        sends.push(sent);
        await sent;
        answered++;
      }
    };
    const lanes = Promise.all(Array.from({ length: 20 }, lane));
    await eventually(() => answered, (k) => k >= 30, 'some answers');
    const killed = apps.get('loopback-parser')!;
    await killed.proc.kill('SIGKILL');
    // Killed mid-stream: messages were still waiting for their answer.
    expect(sends.length).toBeGreaterThan(answered);
    await start('loopback-parser', { INBOX_CONSUMER_NAME: 'loopback-e2e' });
    restarted = true;
    await lanes;
    const answers = (await Promise.all(sends)).map(ok);
    const gids = answers.map((a) => a.gid);
    expect(gids).toEqual([...gids].sort((x, y) => x - y));
    expect(new Set(gids).size).toBe(sends.length);
    for (const member of [bob, carol]) {
      const received = () => ofType(member, 'ADD_MESSAGE').filter((m) => m.cat === 'msg').map((m) => m.gid);
      await eventually(received, (r) => r.length >= sends.length, `${member.nick} got ${sends.length}`);
      expect(received()).toEqual(gids);
      expect(member.c.duplicates + member.c.gaps).toBe(0);
    }
  });

  it('the owner makes an API key (shown once, stored hashed); the webhook posts with it, and refuses a wrong one', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'apikey', params: '' })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    const { apiKey } = ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'apikey', params: '' }));
    expect(apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await stack.space.redis.hget(group(name), 'apikey')).toBe(createHash('sha256').update(apiKey!).digest('hex'));
    // What is kept for a repeat of that request does not carry the key.
    const kept = Object.values(await stack.space.redis.hgetall(sessionReplies(alice.userId, alice.c.sessionId!)));
    expect(kept.some((v) => v.includes(apiKey!))).toBe(false);

    const post = (key: string | undefined, body: unknown, room = name) =>
      fetch(`${stack.url}/api/v1/groups/${encodeURIComponent(room)}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body: JSON.stringify(body) });
    expect((await post(apiKey, { text: 'build #42 passed' })).status).toBe(202);
    const posted = await waitFor(bob, 'ADD_MESSAGE', (m) => m.body === 'build #42 passed');
    expect(posted).toMatchObject({ windowId: bw, nick: 'webhook', cat: 'msg' });
    expect(posted.userId).toBeUndefined();
    expect((await post('not-the-key', { text: 'x' })).status).toBe(401);
    expect((await post(undefined, { text: 'x' })).status).toBe(401);
    expect((await post(apiKey, { text: 'x' }, '#nosuchroom')).status).toBe(401);
    expect((await post(apiKey, { text: '' })).status).toBe(400);
    expect((await post(apiKey, { text: 'x' }, 'bad:name')).status).toBe(400);
  });

  it('notes: add, edit, delete with versions (an edit based on an old version is refused); URLs of messages are listed', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    // Alice's other device hears of her notes; the device that wrote them is not told again.
    const other = await session(alice.c.token!);
    const notesSeen = () => other.seen.items.filter((i) => i.type === 'UPDATE_NOTE' || i.type === 'DELETE_NOTE');
    const added = ok(await alice.c.request({ id: 'NOTE_ADD', windowId: aw, text: 'agenda: tea' }));
    expect(added.ver).toBe(1);
    expect(ok(await alice.c.request({ id: 'NOTE_EDIT', windowId: aw, noteId: added.noteId, ver: 1, text: 'agenda: tea, cake' })).ver).toBe(2);
    await eventually(notesSeen, (s) => s.length >= 2, 'notes on the other device');
    expect(notesSeen()).toMatchObject([
      { type: 'UPDATE_NOTE', windowId: aw, note: { noteId: added.noteId, ver: 1, text: 'agenda: tea', nick: alice.nick } },
      { type: 'UPDATE_NOTE', windowId: aw, note: { noteId: added.noteId, ver: 2, text: 'agenda: tea, cake' } },
    ]);
    // A second device still based on version 1:
    expect(await alice.c.request({ id: 'NOTE_EDIT', windowId: aw, noteId: added.noteId, ver: 1, text: 'agenda: coffee' })).toMatchObject({ status: 'ERROR', code: 'CONFLICT' });
    expect(ok(await alice.c.request({ id: 'NOTES', windowId: aw })).notes).toMatchObject([{ noteId: added.noteId, ver: 2, text: 'agenda: tea, cake', nick: alice.nick }]);
    // Notes are the window owner's: bob cannot reach them through alice's window id.
    expect(await bob.c.request({ id: 'NOTES', windowId: aw + 100 })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect(await bob.c.request({ id: 'NOTE_ADD', windowId: bw + 100, text: 'nowhere' })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect(await alice.c.request({ id: 'NOTE_DELETE', windowId: aw, noteId: added.noteId, ver: 1 })).toMatchObject({ status: 'ERROR', code: 'CONFLICT' });
    ok(await alice.c.request({ id: 'NOTE_DELETE', windowId: aw, noteId: added.noteId, ver: 2 }));
    expect(ok(await alice.c.request({ id: 'NOTES', windowId: aw })).notes).toEqual([]);
    await eventually(notesSeen, (s) => s.length >= 3, 'the delete on the other device');
    expect(notesSeen()[2]).toMatchObject({ type: 'DELETE_NOTE', windowId: aw, noteId: added.noteId });
    expect(ofType(alice, 'UPDATE_NOTE')).toEqual([]);

    ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'see https://example.org/a?b=1 and www.parley.chat', clientMsgId: 'u-1' }));
    const plain = ok(await alice.c.request({ id: 'SEND', windowId: aw, text: 'no links here', clientMsgId: 'u-2' }));
    expect(ok(await bob.c.request({ id: 'URLS', windowId: bw })).urls).toEqual(['http://www.parley.chat', 'https://example.org/a?b=1']);
    // An edit that brings a link adds it.
    ok(await alice.c.request({ id: 'EDIT', windowId: aw, gid: plain.gid, text: 'now with https://parley.example/x' }));
    expect(ok(await bob.c.request({ id: 'URLS', windowId: bw })).urls).toEqual(['https://parley.example/x', 'http://www.parley.chat', 'https://example.org/a?b=1']);
  });
  it('an auto-kick (the object store\'s AutoKick, managed with /akick) refuses matching users on join', async () => {
    const alice = await user('alice');
    const troll = await user('troll');
    const bob = await user('bob');
    const name = roomName();
    const { windowId } = ok(await alice.c.request({ id: 'CREATE', name }));
    ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'akick', params: 'add troll* no trolls here' }));
    expect(await alice.c.request({ id: 'COMMAND', windowId, command: 'akick', params: 'add troll*' })).toMatchObject({ status: 'ERROR', code: 'ERROR_EXISTS' });
    expect(ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'akick', params: 'list' })).autoKicks).toEqual([{ mask: 'troll*', reason: 'no trolls here' }]);
    expect(await troll.c.request({ id: 'JOIN', network: 'parley', name })).toMatchObject({ status: 'ERROR', code: 'BANNED', message: expect.stringContaining('no trolls here') as string });
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    // Only the owner and operators manage them.
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'akick', params: 'del troll*' })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'akick', params: 'del troll*' }));
    ok(await troll.c.request({ id: 'JOIN', network: 'parley', name }));
  });
  it('an access entry (ChanAccess, managed by the owner with /access) makes a joining user operator or voiced', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const vince = await user('vince');
    const name = roomName();
    const { windowId } = ok(await alice.c.request({ id: 'CREATE', name }));
    ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'access', params: `add ${bob.nick} op` }));
    ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'access', params: 'add vince* voice' }));
    expect(ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'access', params: 'list' })).access).toEqual([
      { mask: bob.nick.toLowerCase(), level: 'op' },
      { mask: 'vince*', level: 'voice' },
    ]);
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    await waitFor(alice, 'UPDATE_MEMBERS', (m) => m.windowId === windowId && m.members.some((x) => x.nick === bob.nick && x.role === '@'));
    await waitFor(bob, 'UPDATE_WINDOW', (w) => w.windowId === bw && w.role === '@');
    ok(await vince.c.request({ id: 'JOIN', network: 'parley', name }));
    await waitFor(alice, 'UPDATE_MEMBERS', (m) => m.windowId === windowId && m.members.some((x) => x.nick === vince.nick && x.role === '+'));
    // An operator may see the list, but only the owner changes it.
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'access', params: 'del vince*' })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    expect(ok(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'access', params: 'list' })).access).toHaveLength(2);
  });
  it('a nick alias (NickAlias, /alias) is the account\'s: nobody can register it or take it as an alias', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const { windowId } = ok(await alice.c.request({ id: 'CREATE', name: roomName() }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'CREATE', name: roomName() }));
    const spare = `spare${n}`;
    ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'alias', params: `add ${spare}` }));
    expect(ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'alias', params: 'list' })).aliases).toEqual([spare]);
    const register = (nick: string) =>
      fetch(`${stack.url}/api/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: nick, email: `${nick}@example.com`, nick, password: 'correct horse battery' }) });
    const refused = await register(spare.toUpperCase());
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('NICK_TAKEN');
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'alias', params: `add ${spare}` })).toMatchObject({ status: 'ERROR', code: 'ERROR_EXISTS' });
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'alias', params: `add ${alice.nick}` })).toMatchObject({ status: 'ERROR', code: 'ERROR_EXISTS' });
    ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'alias', params: `del ${spare}` }));
    expect((await register(spare)).status).toBe(201);
  });
  it('a service bot (BotInfo, made from outside with the seed\'s INCR + HMSET) is assigned to a room, listed, speaks, and follows live edits', async () => {
    const redis = stack.space.redis;
    const alice = await user('alice');
    const bob = await user('bob');
    const name = roomName();
    const { windowId: aw } = ok(await alice.c.request({ id: 'CREATE', name }));
    const { windowId: bw } = ok(await bob.c.request({ id: 'JOIN', network: 'parley', name }));
    // The seed's way, by hand: INCR id:BotInfo, then HMSET of its hash.
    const botNick = `Botty${n}`;
    const id = await redis.incr(objectId('BotInfo'));
    await redis.hmset(objectHash('BotInfo', id), { nick: botNick, user: 'bot', host: 'services.parley', realname: 'The room bot', created: String(Date.now()) });
    const listed = async () => ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'bot', params: 'list' })).bots ?? [];
    await eventually(listed, (bots) => bots.some((b) => b.nick === botNick), 'loopback-parser lists the new bot');
    expect((await listed()).find((b) => b.nick === botNick)).toEqual({ nick: botNick, realname: 'The room bot', assigned: false });
    // Its nick is indexed caseless, and no account may register it.
    expect(await redis.smembers(objectValue('BotInfo', 'nick', botNick.toLowerCase()))).toEqual([String(id)]);
    const register = await fetch(`${stack.url}/api/v1/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', email: `${botNick}@example.com`, nick: botNick.toUpperCase(), password: 'correct horse battery' }),
    });
    expect(register.status).toBe(409);

    // Only the owner assigns; then every member sees the bot among the operators.
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'bot', params: `assign ${botNick}` })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    expect(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'bot', params: 'assign NoSuchBot' })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'bot', params: `assign ${botNick.toLowerCase()}` }));
    expect(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'bot', params: `assign ${botNick}` })).toMatchObject({ status: 'ERROR', code: 'ERROR_EXISTS' });
    for (const [u, w] of [[alice, aw], [bob, bw]] as const) {
      await waitFor(u, 'UPDATE_MEMBERS', (m) => m.windowId === w && m.members.some((x) => x.nick === botNick && x.bot === true && x.role === '@'));
    }
    expect((await listed()).find((b) => b.nick === botNick)?.assigned).toBe(true);
    const carol = await user('carol');
    const { windowId: cw } = ok(await carol.c.request({ id: 'JOIN', network: 'parley', name }));
    const joined = await waitFor(carol, 'UPDATE_MEMBERS', (m) => m.windowId === cw && m.reset === true);
    expect(joined.members.filter((m) => m.bot)).toEqual([{ nick: botNick, role: '@', bot: true }]);

    // The owner and operators speak through it; members do not.
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'bot', params: `say ${botNick} hi` })).toMatchObject({ status: 'ERROR', code: 'FORBIDDEN' });
    ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'op', params: carol.nick }));
    const byOp = ok(await carol.c.request({ id: 'COMMAND', windowId: cw, command: 'bot', params: `say ${botNick} said by an operator` }));
    expect(await waitFor(bob, 'ADD_MESSAGE', (x) => x.gid === byOp.gid)).toMatchObject({ nick: botNick, bot: true });
    // Nobody may take the bot's nick as an alias either.
    expect(await bob.c.request({ id: 'COMMAND', windowId: bw, command: 'alias', params: `add ${botNick}` })).toMatchObject({ status: 'ERROR', code: 'ERROR_EXISTS' });
    const said = ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'bot', params: `say ${botNick} welcome, <b>all</b>` }));
    expect(said.gid).toBeGreaterThan(0);
    for (const [u, w] of [[alice, aw], [bob, bw], [carol, cw]] as const) {
      const m = await waitFor(u, 'ADD_MESSAGE', (x) => x.gid === said.gid);
      expect(m).toMatchObject({ windowId: w, nick: botNick, bot: true, cat: 'msg', body: 'welcome, <b>all</b>' });
      expect(m.userId).toBeUndefined();
    }
    const acted = ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'bot', params: `act ${botNick} waves` }));
    expect(await waitFor(bob, 'ADD_MESSAGE', (x) => x.gid === acted.gid)).toMatchObject({ cat: 'action', body: 'waves', nick: botNick, bot: true });

    // Through the room's API key, as the bot.
    const { apiKey } = ok(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'apikey', params: '' }));
    const post = (body: unknown) =>
      fetch(`${stack.url}/api/v1/groups/${encodeURIComponent(name)}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey! }, body: JSON.stringify(body) });
    expect((await post({ text: 'deploy done', bot: botNick.toLowerCase() })).status).toBe(202);
    expect(await waitFor(bob, 'ADD_MESSAGE', (x) => x.body === 'deploy done')).toMatchObject({ nick: botNick, bot: true, cat: 'msg' });
    const refused = await post({ text: 'x', bot: 'NoSuchBot' });
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await post({ text: 'x', bot: 'a b' })).status).toBe(400);

    // An operator renames the bot in Redis: every member's list follows at once, without a restart.
    const renamed = `Robo${n}`;
    await redis.hset(objectHash('BotInfo', id), 'nick', renamed);
    for (const [u, w] of [[alice, aw], [bob, bw], [carol, cw]] as const) {
      await waitFor(u, 'DELETE_MEMBERS', (m) => m.windowId === w && m.members.some((x) => x.nick === botNick));
      await waitFor(u, 'UPDATE_MEMBERS', (m) => m.windowId === w && m.members.some((x) => x.nick === renamed && x.bot === true));
    }
    expect(await redis.hgetall(groupBots(name))).toEqual({ [String(id)]: renamed });
    // A new session's burst lists it too.
    const again = await session(bob.c.token!);
    const burst = await waitFor({ ...again, nick: bob.nick }, 'UPDATE_MEMBERS', (m) => m.windowId === bw && m.reset === true);
    expect(burst.members.filter((m) => m.bot)).toEqual([{ nick: renamed, role: '@', bot: true }]);

    // The BotInfo deleted by hand (DEL): the bot leaves the room's member list, and its traces go.
    await redis.del(objectHash('BotInfo', id));
    for (const [u, w] of [[alice, aw], [bob, bw], [carol, cw]] as const) {
      await waitFor(u, 'DELETE_MEMBERS', (m) => m.windowId === w && m.members.some((x) => x.nick === renamed));
    }
    expect(await redis.hgetall(groupBots(name))).toEqual({});
    expect(await redis.scard(botRooms(id))).toBe(0);
    expect(await redis.sismember(assignedBots(), String(id))).toBe(0);
    expect(await alice.c.request({ id: 'COMMAND', windowId: aw, command: 'bot', params: `say ${renamed} anyone?` })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
  });

  it('a bot assigned to a room leaves with the room, and the owner may unassign it', async () => {
    const redis = stack.space.redis;
    const alice = await user('alice');
    const name = roomName();
    const { windowId } = ok(await alice.c.request({ id: 'CREATE', name }));
    const other = roomName();
    const { windowId: ow } = ok(await alice.c.request({ id: 'CREATE', name: other }));
    const id = await redis.incr(objectId('BotInfo'));
    const botNick = `Helper${n}`;
    await redis.hmset(objectHash('BotInfo', id), { nick: botNick });
    await eventually(async () => ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'bot', params: 'list' })).bots ?? [], (b) => b.some((x) => x.nick === botNick), 'the bot is known');
    ok(await alice.c.request({ id: 'COMMAND', windowId, command: 'bot', params: `assign ${botNick}` }));
    ok(await alice.c.request({ id: 'COMMAND', windowId: ow, command: 'bot', params: `assign ${botNick}` }));
    expect((await redis.smembers(botRooms(id))).sort()).toEqual([name, other].sort());
    ok(await alice.c.request({ id: 'COMMAND', windowId: ow, command: 'bot', params: `unassign ${botNick}` }));
    await waitFor(alice, 'DELETE_MEMBERS', (m) => m.windowId === ow && m.members.some((x) => x.nick === botNick));
    expect(await alice.c.request({ id: 'COMMAND', windowId: ow, command: 'bot', params: `unassign ${botNick}` })).toMatchObject({ status: 'ERROR', code: 'NOT_FOUND' });
    expect(await redis.smembers(botRooms(id))).toEqual([name]);
    // The last member leaves: the room goes, and with it the bot's assignment.
    ok(await alice.c.request({ id: 'CLOSE', windowId }));
    expect(await redis.exists(groupBots(name), group(name))).toBe(0);
    expect(await redis.smembers(botRooms(id))).toEqual([]);
    expect(await redis.sismember(assignedBots(), String(id))).toBe(0);
    // A room made again under that name starts without bots.
    const { windowId: again } = ok(await alice.c.request({ id: 'CREATE', name }));
    const fresh = await waitFor(alice, 'UPDATE_MEMBERS', (m) => m.windowId === again && m.reset === true);
    expect(fresh.members.some((m) => m.bot)).toBe(false);

    // A bot renamed while no loopback-parser runs: the next one to start brings its rooms in line.
    ok(await alice.c.request({ id: 'COMMAND', windowId: ow, command: 'bot', params: `assign ${botNick}` }));
    await apps.get('loopback-parser')!.proc.kill('SIGKILL');
    await redis.hset(objectHash('BotInfo', id), 'nick', `Later${n}`);
    await start('loopback-parser', { INBOX_CONSUMER_NAME: 'loopback-e2e' });
    await waitFor(alice, 'UPDATE_MEMBERS', (m) => m.windowId === ow && m.members.some((x) => x.nick === `Later${n}` && x.bot === true));
    expect(await redis.hgetall(groupBots(other))).toEqual({ [String(id)]: `Later${n}` });

    // Renamed to a person's nick (an operator's mistake): the bot leaves the room rather than pass for them.
    await redis.hset(objectHash('BotInfo', id), 'nick', alice.nick);
    await waitFor(alice, 'DELETE_MEMBERS', (m) => m.windowId === ow && m.members.some((x) => x.nick === `Later${n}`));
    const line = await waitFor(alice, 'ADD_MESSAGE', (m) => m.windowId === ow && m.cat === 'info' && m.body.includes('left'));
    expect(line.body).toBe(`the service bot Later${n} left: its new nick ${alice.nick} is a person's`);
    expect(await redis.hgetall(groupBots(other))).toEqual({});
    expect(await redis.sismember(assignedBots(), String(id))).toBe(0);
  });
});
