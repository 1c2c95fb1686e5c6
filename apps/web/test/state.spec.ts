/**
 * @jest-environment node
 */
import type { Member, Message, Notification } from '@parley/protocol';
import {
  type Action,
  type ChatState,
  initialState,
  mergeMessages,
  reduce,
  sortMembers,
  WINDOW_MESSAGES_KEPT,
  windowLabel,
  windowOrder,
} from '../src/lib/state';
import { type AddWindow, windowFields } from './fixtures';

const ME = 7;
const T0 = new Date(2024, 2, 5, 10, 0).getTime();

const ntf = (n: Notification): Action => ({ type: 'ntf', n });
const addWindow = (windowId: number, over: Partial<AddWindow> = {}): Action => ntf({ type: 'ADD_WINDOW', ...windowFields(windowId, over) });
const msg = (gid: number, over: Partial<Message> = {}): Message => ({ gid, ts: T0 + gid * 1000, cat: 'msg', body: `line ${gid}`, nick: 'bob', userId: 8, ...over });
const addMessage = (windowId: number, m: Message): Action => ntf({ type: 'ADD_MESSAGE', ...m, windowId });
const finish: Action = ntf({ type: 'FINISH_INIT' });
const session = (resumed = false): Action => ({ type: 'session', userId: ME, resumed });
const networks = (...list: { name: string; state: 'connected' | 'connecting' | 'disconnected'; currentNick?: string }[]): Action =>
  ntf({ type: 'UPDATE_NETWORKS', networks: list });

const run = (actions: Action[], state: ChatState = initialState()): ChatState => actions.reduce(reduce, state);
const win = (state: ChatState, windowId: number) => {
  const w = state.windows[windowId];
  if (!w) throw new Error(`no window ${windowId}`);
  return w;
};

/** A session after its burst: #room1 (active), #room2, a 1on1 with bob (3), and an IRC channel (4). */
const ready = (actions: Action[] = []): ChatState =>
  run([
    session(),
    networks({ name: 'parley', state: 'connected', currentNick: 'me' }, { name: 'libera', state: 'connected', currentNick: 'me_irc' }),
    addWindow(1, { name: '#alpha' }),
    addWindow(2, { name: '#beta' }),
    addWindow(3, { name: 'bob', windowType: '1on1', userId: 8 }),
    addWindow(4, { network: 'libera', name: '#chan' }),
    ntf({ type: 'ADD_MESSAGES', messages: [{ windowId: 1, messages: [msg(1), msg(2)] }] }),
    finish,
    ...actions,
  ]);

describe('reduce: the init burst', () => {
  it('collects windows and messages and selects the first window at FINISH_INIT', () => {
    const s1 = run([
      session(),
      addWindow(5, { network: 'libera', name: '#aaa' }),
      addWindow(3, { name: '#zeta' }),
      addWindow(9, { name: 'bob', windowType: '1on1' }),
      addWindow(4, { name: '#Alpha' }),
      ntf({ type: 'ADD_MESSAGES', messages: [{ windowId: 3, messages: [msg(2), msg(1)] }, { windowId: 4, messages: [msg(10)] }] }),
    ]);
    expect(s1.initDone).toBe(false);
    expect(s1.active).toBeUndefined();
    expect(win(s1, 3).messages.map((m) => m.gid)).toEqual([1, 2]);
    expect(win(s1, 3).unread).toBe(0);
    expect(win(s1, 3).hasOlder).toBe(true);

    const s2 = reduce(s1, finish);
    expect(s2.initDone).toBe(true);
    expect(s2.active).toBe(4); // Parley rooms first, by name: #Alpha before #zeta
    expect(win(s2, 4).markerGid).toBeUndefined();
    expect(win(s2, 4).seenGid).toBe(10);
    expect(windowOrder(s2).map((w) => w.windowId)).toEqual([4, 3, 9, 5]);
  });

  it('keeps the active window across a burst when it still exists', () => {
    const s = run([addWindow(1), addWindow(2), finish, { type: 'select', windowId: 2 }, session(false), addWindow(1), addWindow(2), finish]);
    expect(s.active).toBe(2);
  });

  it('selects the first window when the active one is gone after a new burst', () => {
    const s = run([addWindow(1), addWindow(2), finish, { type: 'select', windowId: 2 }, session(false), addWindow(1), addWindow(3, { name: '#aaa' }), finish]);
    expect(s.active).toBe(3);
  });

  it('marks a window that says how many are unread before those messages', () => {
    const s = run([
      session(),
      addWindow(1, { name: '#a' }),
      addWindow(2, { name: 'bob', windowType: '1on1', userId: 8, unread: 2 }),
      ntf({ type: 'ADD_MESSAGES', messages: [{ windowId: 2, messages: [msg(1), msg(2, { userId: ME, nick: 'me' }), msg(3), msg(4)] }] }),
      finish,
    ]);
    expect(win(s, 2).unread).toBe(2);
    const selected = reduce(s, { type: 'select', windowId: 2 });
    expect(win(selected, 2).markerGid).toBe(2);
    expect(win(selected, 2).unread).toBe(0);
  });

  it('selects a window added after the burst when none is active', () => {
    const s = run([session(), finish]);
    expect(s.active).toBeUndefined();
    expect(run([addWindow(6)], s).active).toBe(6);
  });
});

describe('reduce: live messages', () => {
  it('counts unread in a window that is not active', () => {
    const s = ready([addMessage(2, msg(1)), addMessage(2, msg(2, { cat: 'action' })), addMessage(2, msg(3, { cat: 'notice' }))]);
    expect(s.active).toBe(1);
    expect(win(s, 2).unread).toBe(3);
    expect(win(s, 2).mentions).toBe(0);
    expect(win(s, 2).messages.map((m) => m.gid)).toEqual([1, 2, 3]);
  });

  it('does not count presence and info lines', () => {
    const s = ready([addMessage(2, msg(1, { cat: 'join' })), addMessage(2, msg(2, { cat: 'info' }))]);
    expect(win(s, 2).unread).toBe(0);
    expect(win(s, 2).messages).toHaveLength(2);
  });

  it('does not count in the active window while the tab is focused', () => {
    const s = ready([addMessage(1, msg(3, { body: 'hi me' }))]);
    expect(win(s, 1).unread).toBe(0);
    expect(win(s, 1).mentions).toBe(0);
    expect(win(s, 1).seenGid).toBe(3);
  });

  it('counts a mention of the own nick (UPDATE_NETWORKS of parley)', () => {
    const s = ready([addMessage(2, msg(1, { body: 'hey me, look' })), addMessage(2, msg(2, { body: 'meet me' })), addMessage(2, msg(3, { body: 'meeting' }))]);
    expect(win(s, 2).unread).toBe(3);
    expect(win(s, 2).mentions).toBe(2);
  });

  it('keeps the offered IRC networks as NETWORK_LIST says, each list replacing the one before', () => {
    const first = ready([ntf({ type: 'NETWORK_LIST', networks: [{ name: 'libera', tls: true }, { name: 'oftc', tls: true }] })]);
    expect(first.availableNetworks.map((n) => n.name)).toEqual(['libera', 'oftc']);
    const second = run([ntf({ type: 'NETWORK_LIST', networks: [{ name: 'testnet', description: 'for trials', tls: false }] })], first);
    expect(second.availableNetworks).toEqual([{ name: 'testnet', description: 'for trials', tls: false }]);
  });

  it('knows the own nick of each network', () => {
    const s = ready([addMessage(4, msg(1, { userId: undefined, body: 'me_irc: ping' })), addMessage(4, msg(2, { userId: undefined, body: 'me: ping' }))]);
    expect(win(s, 4).unread).toBe(2);
    expect(win(s, 4).mentions).toBe(1);
  });

  it('does not count own messages (userId of the session)', () => {
    const s = ready([
      addMessage(2, msg(1, { userId: ME, nick: 'me', body: 'me me me' })),
      addMessage(4, msg(1, { userId: undefined, nick: 'ME_IRC', body: 'hello' })),
    ]);
    expect(win(s, 2).unread).toBe(0);
    expect(win(s, 2).mentions).toBe(0);
    expect(win(s, 4).unread).toBe(0);
  });

  it('counts every direct message of the peer as a mention', () => {
    const s = ready([addMessage(3, msg(1)), addMessage(3, msg(2, { userId: ME, nick: 'me' }))]);
    expect(win(s, 3).unread).toBe(1);
    expect(win(s, 3).mentions).toBe(1);
  });

  it("counts every message of others as an alert in a window whose titleAlert is on (MAS's meaning)", () => {
    const quiet = ready([addMessage(2, msg(1))]);
    expect(win(quiet, 2).mentions).toBe(0);
    const loud = reduce(quiet, ntf({ type: 'UPDATE_WINDOW', windowId: 2, titleAlert: true }));
    const after = reduce(loud, addMessage(2, msg(2)));
    expect(win(after, 2).mentions).toBe(1);
    expect(win(after, 2).unread).toBe(2);
  });

  it('keeps a gid once, and a later version replaces it (edit)', () => {
    const s = ready([
      addMessage(2, msg(5, { body: 'first' })),
      addMessage(2, msg(5, { body: 'first' })),
      addMessage(2, msg(6)),
      addMessage(2, msg(5, { body: 'fixed', edited: true })),
    ]);
    const w = win(s, 2);
    expect(w.messages.map((m) => m.gid)).toEqual([5, 6]);
    expect(w.messages[0]!.body).toBe('fixed');
    expect(w.messages[0]!.edited).toBe(true);
    expect(w.unread).toBe(2);
  });

  it("takes ADD_MESSAGES after the burst as history (a join's backlog): nothing unread, more to fetch", () => {
    const s = ready([ntf({ type: 'ADD_MESSAGES', messages: [{ windowId: 2, messages: [msg(1), msg(2, { body: 'me?' })] }] })]);
    expect(win(s, 2).unread).toBe(0);
    expect(win(s, 2).mentions).toBe(0);
    expect(win(s, 2).seenGid).toBe(2);
    expect(win(s, 2).hasOlder).toBe(true);
    expect(s.alerts).toBe(0);
  });

  it('counts what the burst carries after the read watermark (readGid) as unread, and marks it', () => {
    const s = run([session(), networks({ name: 'parley', state: 'connected', currentNick: 'me' }), addWindow(4, { readGid: 2 })]);
    const burst = reduce(s, ntf({ type: 'ADD_MESSAGES', messages: [{ windowId: 4, messages: [msg(1), msg(2), msg(3, { body: 'me: look' }), msg(4, { userId: ME, nick: 'me' }), msg(5)] }] }));
    expect(win(burst, 4).unread).toBe(2);
    expect(win(burst, 4).mentions).toBe(1);
    const opened = reduce(reduce(burst, finish), { type: 'select', windowId: 4 });
    expect(win(opened, 4).markerGid).toBe(2);
    expect(win(opened, 4).unread).toBe(0);
  });

  it('puts no marker after a reload when the user wrote last (READ names only messages of others)', () => {
    const s = run([session(), networks({ name: 'parley', state: 'connected', currentNick: 'me' }), addWindow(4, { readGid: 2 })]);
    const burst = reduce(s, ntf({ type: 'ADD_MESSAGES', messages: [{ windowId: 4, messages: [msg(1), msg(2), msg(3, { userId: ME, nick: 'me' })] }] }));
    const opened = reduce(burst, finish);
    expect(opened.active).toBe(4);
    expect(win(opened, 4).unread).toBe(0);
    expect(win(opened, 4).markerGid).toBeUndefined();
    // With a line of someone else after the own one, the marker goes right before that line.
    const later = reduce(s, ntf({ type: 'ADD_MESSAGES', messages: [{ windowId: 4, messages: [msg(1), msg(2), msg(3, { userId: ME, nick: 'me' }), msg(4)] }] }));
    expect(win(reduce(later, finish), 4).markerGid).toBe(3);
  });

  it("keeps a server's unread count that reaches past the history the burst carries", () => {
    const s = run([session(), addWindow(3, { name: 'bob', windowType: '1on1', userId: 8, unread: 150, readGid: 10 })]);
    const burst = reduce(s, ntf({ type: 'ADD_MESSAGES', messages: [{ windowId: 3, messages: [msg(60), msg(61)] }] }));
    expect(win(burst, 3).unread).toBe(150);
  });

  it('ignores the counts of another session that read less than this one has seen', () => {
    const s = ready([addMessage(3, msg(9)), addMessage(3, msg(11)), { type: 'select', windowId: 3 }]);
    expect(win(s, 3).unread).toBe(0);
    const late = reduce(s, ntf({ type: 'UPDATE_WINDOW', windowId: 3, unread: 1, readGid: 9 }));
    expect(win(late, 3).unread).toBe(0);
    expect(win(late, 3).mentions).toBe(0);
  });

  it("follows the read watermark of the user's other sessions (UPDATE_WINDOW readGid)", () => {
    const s = ready([addMessage(2, msg(1)), addMessage(2, msg(2, { body: 'me?' })), addMessage(2, msg(3))]);
    expect(win(s, 2).unread).toBe(3);
    const partly = reduce(s, ntf({ type: 'UPDATE_WINDOW', windowId: 2, readGid: 2 }));
    expect(win(partly, 2).unread).toBe(1);
    expect(win(partly, 2).mentions).toBe(0);
    // Never backwards.
    const again = reduce(partly, ntf({ type: 'UPDATE_WINDOW', windowId: 2, readGid: 1 }));
    expect(win(again, 2).unread).toBe(1);
    expect(win(again, 2).readGid).toBe(2);
  });

  it('never shows more mentions than the unread count a server sends', () => {
    const s = ready([addMessage(3, msg(1)), addMessage(3, msg(2))]);
    expect(win(s, 3).mentions).toBe(2);
    expect(win(reduce(s, ntf({ type: 'UPDATE_WINDOW', windowId: 3, unread: 0 })), 3).mentions).toBe(0);
  });

  it('keeps an own message whose window is not known yet, and adds it when the window comes', () => {
    const s = ready([{ type: 'own', windowId: 42, message: msg(1, { userId: ME, nick: 'me', body: 'hi new friend' }) }]);
    expect(s.windows[42]).toBeUndefined();
    const after = reduce(s, addWindow(42, { windowType: '1on1', name: 'friend' }));
    expect(win(after, 42).messages.map((m) => m.body)).toEqual(['hi new friend']);
    expect(win(after, 42).seenGid).toBe(1); // seen: no marker above it
    expect(after.early[42]).toBeUndefined();
  });

  it('ignores messages of an unknown window', () => {
    const before = ready();
    expect(reduce(before, addMessage(99, msg(1)))).toBe(before);
  });

  it('adds own sent messages without counting them', () => {
    const s = ready([{ type: 'own', windowId: 2, message: msg(9, { userId: ME }) }]);
    expect(win(s, 2).messages.map((m) => m.gid)).toEqual([9]);
    expect(win(s, 2).seenGid).toBe(9);
    expect(win(s, 2).unread).toBe(0);
  });
});

describe('reduce: selecting windows', () => {
  it('resets the counts and sets the marker after what was seen', () => {
    const s = ready([addMessage(2, msg(1)), addMessage(2, msg(2)), { type: 'select', windowId: 2 }, { type: 'select', windowId: 1 }, addMessage(2, msg(3, { body: 'me!' })), addMessage(2, msg(4))]);
    expect(win(s, 2).unread).toBe(2);
    expect(win(s, 2).mentions).toBe(1);
    const selected = reduce(s, { type: 'select', windowId: 2 });
    expect(selected.active).toBe(2);
    expect(win(selected, 2).unread).toBe(0);
    expect(win(selected, 2).mentions).toBe(0);
    expect(win(selected, 2).markerGid).toBe(2);
    expect(win(selected, 2).seenGid).toBe(4);
  });

  it('sets no marker when there is nothing new', () => {
    const s = ready([{ type: 'select', windowId: 2 }]);
    expect(win(s, 2).markerGid).toBeUndefined();
    expect(reduce(ready(), { type: 'select', windowId: 1 }).windows[1]!.markerGid).toBeUndefined();
  });

  it('opens a window asked for before its ADD_WINDOW when it arrives', () => {
    const s1 = ready([{ type: 'select', windowId: 99 }]);
    expect(s1.active).toBe(1);
    expect(s1.windows[99]).toBeUndefined();
    expect(run([addWindow(5, { name: '#other' })], s1).active).toBe(1);
    const s2 = run([addWindow(99, { name: 'carol', windowType: '1on1' })], s1);
    expect(s2.active).toBe(99);
    expect(s2.wanted).toBeUndefined();
  });
});

describe('reduce: windows', () => {
  it('DELETE_WINDOW of the active window selects another', () => {
    const s = ready([ntf({ type: 'DELETE_WINDOW', windowId: 1 })]);
    expect(s.windows[1]).toBeUndefined();
    expect(s.active).toBe(2);
  });

  it('DELETE_WINDOW of another window keeps the active one', () => {
    const s = ready([ntf({ type: 'DELETE_WINDOW', windowId: 3 })]);
    expect(s.windows[3]).toBeUndefined();
    expect(s.active).toBe(1);
  });

  it('DELETE_WINDOW of the last window leaves none active', () => {
    const s = run([session(), addWindow(1), finish, ntf({ type: 'DELETE_WINDOW', windowId: 1 })]);
    expect(s.windows).toEqual({});
    expect(s.active).toBeUndefined();
  });

  it('UPDATE_WINDOW changes fields and keeps messages', () => {
    const s = ready([ntf({ type: 'UPDATE_WINDOW', windowId: 1, topic: 'tea' })]);
    expect(win(s, 1).topic).toBe('tea');
    expect(win(s, 1).messages).toHaveLength(2);
  });

  it('labels an IRC server window with its network', () => {
    expect(windowLabel({ network: 'libera', name: '*' })).toBe('libera');
    expect(windowLabel({ network: 'libera', name: '#chan' })).toBe('#chan');
    expect(windowLabel({ network: 'parley', name: '*' })).toBe('*');
  });
});

describe('reduce: members', () => {
  const member = (nick: string, role: Member['role'] = 'u'): Member => ({ nick, role });
  const nicks = (s: ChatState, windowId = 1) => win(s, windowId).members.map((m) => `${m.role}${m.nick}`);

  it('UPDATE_MEMBERS with reset replaces the list, sorted by role * @ + u then nick', () => {
    const s = ready([
      ntf({ type: 'UPDATE_MEMBERS', windowId: 1, members: [member('old')] }),
      ntf({ type: 'UPDATE_MEMBERS', windowId: 1, reset: true, members: [member('zed'), member('Bob', '+'), member('amy', '@'), member('carl', '*'), member('al'), member('ann', '@')] }),
    ]);
    expect(nicks(s)).toEqual(['*carl', '@amy', '@ann', '+Bob', 'ual', 'uzed']);
  });

  it('UPDATE_MEMBERS without reset merges by nick (case-insensitive)', () => {
    const s = ready([
      ntf({ type: 'UPDATE_MEMBERS', windowId: 1, reset: true, members: [member('bob'), member('carol')] }),
      ntf({ type: 'UPDATE_MEMBERS', windowId: 1, members: [member('Bob', '@'), member('dave')] }),
    ]);
    expect(nicks(s)).toEqual(['@Bob', 'ucarol', 'udave']);
  });

  it('DELETE_MEMBERS removes by nick (case-insensitive)', () => {
    const s = ready([
      ntf({ type: 'UPDATE_MEMBERS', windowId: 1, reset: true, members: [member('bob'), member('carol', '@'), member('dave')] }),
      ntf({ type: 'DELETE_MEMBERS', windowId: 1, members: [{ nick: 'CAROL' }, { nick: 'nobody' }] }),
    ]);
    expect(nicks(s)).toEqual(['ubob', 'udave']);
  });

  it('sortMembers does not change its input', () => {
    const list = [member('b'), member('a', '*')];
    expect(sortMembers(list).map((m) => m.nick)).toEqual(['a', 'b']);
    expect(list.map((m) => m.nick)).toEqual(['b', 'a']);
  });
});

describe('reduce: friends', () => {
  const friend = (userId: number, nick: string, online = true) => ({ userId, nick, online });

  it('UPDATE_FRIENDS with reset replaces, without it upserts', () => {
    const s1 = ready([ntf({ type: 'UPDATE_FRIENDS', reset: true, friends: [friend(8, 'bob'), friend(9, 'carol')] })]);
    expect(Object.keys(s1.friends).sort()).toEqual(['8', '9']);
    const s2 = reduce(s1, ntf({ type: 'UPDATE_FRIENDS', friends: [friend(8, 'bob', false), friend(10, 'dave')] }));
    expect(Object.keys(s2.friends).sort()).toEqual(['10', '8', '9']);
    expect(s2.friends[8]!.online).toBe(false);
    const s3 = reduce(s2, ntf({ type: 'UPDATE_FRIENDS', reset: true, friends: [friend(11, 'eve')] }));
    expect(Object.keys(s3.friends)).toEqual(['11']);
  });

  it('a new friend removes their pending friend request', () => {
    const s1 = ready([ntf({ type: 'FRIEND_REQUEST', userId: 12, nick: 'fay' }), ntf({ type: 'FRIEND_REQUEST', userId: 13, nick: 'gus' }), ntf({ type: 'FRIEND_REQUEST', userId: 12, nick: 'fay' })]);
    expect(s1.friendRequests.map((r) => r.userId)).toEqual([12, 13]);
    const s2 = reduce(s1, ntf({ type: 'UPDATE_FRIENDS', friends: [friend(12, 'fay')] }));
    expect(s2.friendRequests.map((r) => r.userId)).toEqual([13]);
    expect(reduce(s2, { type: 'friendRequestHandled', userId: 13 }).friendRequests).toEqual([]);
  });
});

describe('reduce: read receipts', () => {
  it('records the peer reading, never going back', () => {
    const s = ready([ntf({ type: 'READ_RECEIPT', windowId: 3, userId: 8, gid: 5 }), ntf({ type: 'READ_RECEIPT', windowId: 3, userId: 8, gid: 4 })]);
    expect(win(s, 3).peerReadGid).toBe(5);
  });

  it('ignores a receipt of the user themselves (another session)', () => {
    const before = ready();
    const after = reduce(before, ntf({ type: 'READ_RECEIPT', windowId: 3, userId: ME, gid: 5 }));
    expect(after).toBe(before);
    expect(win(after, 3).peerReadGid).toBeUndefined();
  });
});

describe('reduce: sessions and connection', () => {
  it('a new session (resumed: false) resets the windows but keeps the active window id', () => {
    const before = ready([{ type: 'select', windowId: 2 }, ntf({ type: 'UPDATE_SETTINGS', settings: { theme: 'dark' } })]);
    const s = reduce(before, session(false));
    expect(s.windows).toEqual({});
    expect(s.initDone).toBe(false);
    expect(s.active).toBe(2);
    expect(s.userId).toBe(ME);
    expect(s.connection).toBe('online');
    expect(s.settings).toEqual({ theme: 'dark' });
  });

  it('a resumed session keeps everything', () => {
    const before = run([{ type: 'connection', state: 'reconnecting' }], ready());
    const s = reduce(before, session(true));
    expect(s.windows).toBe(before.windows);
    expect(s.initDone).toBe(true);
    expect(s.connection).toBe('online');
  });

  it('an ended connection stays ended', () => {
    const s = run([{ type: 'terminated', code: 'TOO_MANY_SESSIONS', reason: 'bye' }, { type: 'connection', state: 'online' }], ready());
    expect(s.connection).toBe('ended');
    expect(s.ended).toEqual({ code: 'TOO_MANY_SESSIONS', reason: 'bye' });
  });
});

describe('reduce: focus and alerts', () => {
  it('counts mentions and direct messages while unfocused; focus clears them', () => {
    const s = ready([
      { type: 'focus', focused: false },
      addMessage(3, msg(1)), // a direct message
      addMessage(2, msg(1, { body: 'me: hi' })), // a mention
      addMessage(2, msg(2, { body: 'nothing' })), // neither
      addMessage(3, msg(2, { userId: ME, nick: 'me' })), // own
      addMessage(1, msg(3, { body: 'hey me' })), // a mention in the active window
    ]);
    expect(s.focused).toBe(false);
    expect(s.alerts).toBe(3);
    // not looking at the active window while unfocused: it counts too
    expect(win(s, 1).unread).toBe(1);
    const focused = reduce(s, { type: 'focus', focused: true });
    expect(focused.alerts).toBe(0);
    expect(win(focused, 1).unread).toBe(0);
    expect(win(focused, 1).mentions).toBe(0);
    expect(win(focused, 2).unread).toBe(2);
  });

  it('counts no alerts while focused', () => {
    const s = ready([addMessage(3, msg(1)), addMessage(2, msg(1, { body: 'me: hi' }))]);
    expect(s.alerts).toBe(0);
  });
});

describe('reduce: history', () => {
  it('complete means no older history', () => {
    const s0 = ready();
    expect(win(s0, 1).hasOlder).toBe(true); // the burst brought messages: there may be older ones
    expect(win(s0, 2).hasOlder).toBe(false);
    const s1 = reduce(s0, { type: 'history', windowId: 2, messages: [msg(1)], complete: false });
    expect(win(s1, 2).hasOlder).toBe(true);
    const s2 = reduce(s1, { type: 'history', windowId: 1, messages: [], complete: true });
    expect(win(s2, 1).hasOlder).toBe(false);
    expect(win(s2, 1).messages.map((m) => m.gid)).toEqual([1, 2]);
  });

  it('puts fetched history in order before the newer messages', () => {
    const base = ready([addMessage(2, msg(10)), addMessage(2, msg(11))]);
    const s1 = reduce(base, { type: 'history', windowId: 2, messages: [msg(5), msg(3), msg(4)], complete: false });
    expect(win(s1, 2).messages.map((m) => m.gid)).toEqual([3, 4, 5, 10, 11]);
    expect(win(s1, 2).hasOlder).toBe(true);
    const s2 = reduce(s1, { type: 'history', windowId: 2, messages: [msg(1), msg(2)], complete: true });
    expect(win(s2, 2).messages.map((m) => m.gid)).toEqual([1, 2, 3, 4, 5, 10, 11]);
    expect(win(s2, 2).hasOlder).toBe(false);
    expect(win(s2, 2).unread).toBe(2);
  });

  it('clear empties the view and lets history be fetched again', () => {
    const s = ready([{ type: 'clear', windowId: 1 }]);
    expect(win(s, 1).messages).toEqual([]);
    expect(win(s, 1).hasOlder).toBe(true);
  });
});

describe('mergeMessages', () => {
  const gids = (list: readonly Message[]) => list.map((m) => m.gid);

  it('returns the same list for nothing new', () => {
    const existing = [msg(1)];
    expect(mergeMessages(existing, [])).toBe(existing);
  });

  it('appends newer messages in order', () => {
    expect(gids(mergeMessages([msg(1), msg(2)], [msg(5), msg(3), msg(4)]))).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps ascending order with older, interleaved and duplicate gids; the later version wins', () => {
    const out = mergeMessages([msg(2), msg(4), msg(6)], [msg(5), msg(1), msg(4, { body: 'edited' }), msg(7), msg(7, { body: 'seven again' })]);
    expect(gids(out)).toEqual([1, 2, 4, 5, 6, 7]);
    expect(out.find((m) => m.gid === 4)!.body).toBe('edited');
    expect(out.find((m) => m.gid === 7)!.body).toBe('seven again');
  });

  it('dedupes within an incoming page of new messages', () => {
    const out = mergeMessages([msg(1)], [msg(3), msg(2), msg(3, { body: 'later' })]);
    expect(gids(out)).toEqual([1, 2, 3]);
    expect(out[2]!.body).toBe('later');
  });

  it('does not change its inputs', () => {
    const existing = [msg(2)];
    const incoming = [msg(3), msg(1)];
    mergeMessages(existing, incoming);
    expect(gids(existing)).toEqual([2]);
    expect(gids(incoming)).toEqual([3, 1]);
  });

  it(`keeps the newest ${WINDOW_MESSAGES_KEPT} messages`, () => {
    const many = Array.from({ length: WINDOW_MESSAGES_KEPT }, (_, i) => msg(i + 1));
    const appended = mergeMessages(many, [msg(WINDOW_MESSAGES_KEPT + 1), msg(WINDOW_MESSAGES_KEPT + 2)]);
    expect(appended).toHaveLength(WINDOW_MESSAGES_KEPT);
    expect(appended[0]!.gid).toBe(3);
    expect(appended[appended.length - 1]!.gid).toBe(WINDOW_MESSAGES_KEPT + 2);

    const interleaved = mergeMessages(many.filter((m) => m.gid % 2 === 0), many.filter((m) => m.gid % 2 === 1).concat(msg(WINDOW_MESSAGES_KEPT + 1)));
    expect(interleaved).toHaveLength(WINDOW_MESSAGES_KEPT);
    expect(interleaved[0]!.gid).toBe(2);
    expect(gids(interleaved)).toEqual([...gids(interleaved)].sort((a, b) => a - b));
  });
});
