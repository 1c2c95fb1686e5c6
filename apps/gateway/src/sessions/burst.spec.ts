import { buildBurst, decodeSettings, type Snapshot } from './burst';

const entry = (windowId: number, network: string, name: string, type: 'group' | '1on1' = 'group') => ({ windowId, network, name, type });
const msg = (gid: number) => JSON.stringify({ gid, ts: gid * 1000, cat: 'msg', body: `m${gid}`, nick: 'bob' });

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return { nick: 'alice', settings: {}, friends: [], friendRequests: [], networks: [], windows: [], offline: [], ...over };
}

describe('buildBurst', () => {
  it('orders the burst: settings, friends, networks, windows by id with members, their messages, FINISH_INIT', () => {
    const problems: string[] = [];
    const burst = buildBurst(
      snapshot({
        windows: [
          { entry: entry(5, 'libera', '#b'), fields: { name: '#b', topic: 't' }, names: {}, backlog: [msg(9), msg(8)] },
          { entry: entry(2, 'parley', '#a'), fields: { userMode: '@' }, names: { bob: '+' }, backlog: [] },
        ],
      }),
      10,
      (what) => problems.push(what),
    );
    expect(burst.notifications.map((n) => n.type)).toEqual(['UPDATE_SETTINGS', 'UPDATE_FRIENDS', 'UPDATE_NETWORKS', 'NETWORK_LIST', 'ADD_WINDOW', 'UPDATE_MEMBERS', 'ADD_WINDOW', 'ADD_MESSAGES', 'FINISH_INIT']);
    expect(burst.notifications[3]).toEqual({ type: 'NETWORK_LIST', networks: [] });
    expect(burst.notifications[4]).toMatchObject({ windowId: 2, name: '#a', role: '@', visible: true, sounds: false });
    expect(burst.notifications[7]).toEqual({ type: 'ADD_MESSAGES', messages: [{ windowId: 5, messages: [JSON.parse(msg(8)), JSON.parse(msg(9))] }] });
    expect(burst.carried).toEqual(['5:8', '5:9']);
    expect(problems).toEqual([]);
  });

  it("lists a room's service bots among its members, as operators marked bot, and leaves out a nick no list could show", () => {
    const burst = buildBurst(
      snapshot({ windows: [{ entry: entry(2, 'parley', '#a'), fields: {}, names: { bob: '+' }, userIds: { bob: 7 }, bots: ['Botty', 'bad nick'], backlog: [] }] }),
      10,
      () => undefined,
    );
    const members = burst.notifications.find((n) => n.type === 'UPDATE_MEMBERS');
    expect(members).toEqual({ type: 'UPDATE_MEMBERS', windowId: 2, reset: true, members: [{ nick: 'bob', userId: 7, role: '+' }, { nick: 'Botty', role: '@', bot: true }] });
  });

  it('keeps at most maxBacklogMsgs of the newest messages per window', () => {
    const burst = buildBurst(snapshot({ windows: [{ entry: entry(1, 'parley', '#a'), fields: {}, names: {}, backlog: [msg(3), msg(2), msg(1)] }] }), 2, () => undefined);
    expect(burst.carried).toEqual(['1:2', '1:3']);
  });

  it('leaves out what does not fit the protocol, and says so', () => {
    const problems: string[] = [];
    const burst = buildBurst(
      snapshot({
        settings: { good: '1', 'bad key': '2', obj: '{"a":1}' },
        windows: [{ entry: entry(1, 'parley', '#a'), fields: { userMode: 'x', topic: 'ok' }, names: {}, backlog: ['{', JSON.stringify({ gid: -1 }), msg(4)] }],
        friends: [{ userId: 7, nick: null, lastSeen: null, online: false }],
      }),
      10,
      (what) => problems.push(what),
    );
    expect(burst.notifications[0]).toEqual({ type: 'UPDATE_SETTINGS', settings: { good: 1, 'bad key': 2 } });
    expect(burst.notifications[1]).toEqual({ type: 'UPDATE_FRIENDS', reset: true, friends: [] });
    expect(burst.notifications[4]).toMatchObject({ type: 'ADD_WINDOW', role: 'u' });
    expect(burst.carried).toEqual(['1:4']);
    expect(problems).toEqual(['setting left out of the burst', 'message left out of the burst', 'message left out of the burst']);
  });

  it('shows the built-in network first, then IRC networks with their state', () => {
    const burst = buildBurst(snapshot({ networks: [{ name: 'libera', fields: { state: 'weird', currentnick: 'al' } }] }), 10, () => undefined);
    expect(burst.notifications[2]).toEqual({
      type: 'UPDATE_NETWORKS',
      networks: [
        { name: 'parley', state: 'connected', currentNick: 'alice' },
        { name: 'libera', state: 'disconnected', currentNick: 'al' },
      ],
    });
  });
});

describe('buildBurst: direct messages', () => {
  const dm = (gid: number, from = 7) => JSON.stringify({ id: `5-7-${gid}`, from, to: 5, gid, ts: gid * 1000, body: `d${gid}`, nick: 'bob' });
  const dmWindow = { entry: entry(3, 'parley', '7', '1on1'), fields: { name: 'bob', targetUserId: '7', unread: '4' }, names: {}, backlog: [msg(2), msg(1)] };

  it('carries every offline message of a 1on1 window beyond maxBacklogMsgs, once, in order, and says up to where', () => {
    const burst = buildBurst(
      snapshot({ windows: [dmWindow], offline: [2, 3, 4].map((g) => ({ packet: dm(g), score: 100 + g })) }),
      1,
      () => undefined,
    );
    const page = burst.notifications.find((n) => n.type === 'ADD_MESSAGES');
    expect(page).toMatchObject({ messages: [{ windowId: 3, messages: [{ gid: 2 }, { gid: 3, body: 'd3', userId: 7, nick: 'bob' }, { gid: 4 }] }] });
    expect(burst.carried).toEqual(['3:2', '3:3', '3:4']);
    expect(burst.offlineUpTo).toBe(104);
    expect(burst.notifications.find((n) => n.type === 'ADD_WINDOW')).toMatchObject({ windowType: '1on1', userId: 7, unread: 4 });
  });

  it('has no offline mark without offline messages, and leaves out a packet it cannot read', () => {
    expect(buildBurst(snapshot({ windows: [dmWindow] }), 5, () => undefined).offlineUpTo).toBeUndefined();
    const problems: string[] = [];
    const burst = buildBurst(snapshot({ windows: [dmWindow], offline: [{ packet: 'not json', score: 1 }] }), 0, (what) => problems.push(what));
    expect(problems).toEqual(['offline message left out of the burst']);
    expect(burst.offlineUpTo).toBe(1);
  });

  it('sends a FRIEND_REQUEST for each request waiting for the user', () => {
    const burst = buildBurst(snapshot({ friendRequests: [{ userId: 9, nick: 'carol' }, { userId: 10, nick: null }] }), 5, () => undefined);
    expect(burst.notifications.filter((n) => n.type === 'FRIEND_REQUEST')).toEqual([{ type: 'FRIEND_REQUEST', userId: 9, nick: 'carol' }]);
  });
});

describe('decodeSettings', () => {
  it('reads JSON values and takes anything else as a string', () => {
    expect(decodeSettings({ a: 'true', b: '"x"', c: 'plain words', d: '3.5' }, () => undefined)).toEqual({ a: true, b: 'x', c: 'plain words', d: 3.5 });
  });
});
