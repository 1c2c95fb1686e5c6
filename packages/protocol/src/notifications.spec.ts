import {
  NOTIFICATION_TYPES,
  Notification,
  type NotificationOf,
  type NotificationType,
  SequencedNotification,
} from './notifications';

const message = { gid: 12, ts: 1_700_000_000_000, cat: 'msg', body: 'hi', nick: 'alice', userId: 2 } as const;

// A record keyed by type: adding a notification without an example here fails compilation.
const VALID: { [T in NotificationType]: NotificationOf<T> } = {
  ADD_WINDOW: {
    type: 'ADD_WINDOW',
    windowId: 1,
    network: 'parley',
    name: '#lobby',
    windowType: 'group',
    topic: '',
    role: '@',
    visible: true,
    sounds: false,
    titleAlert: true,
  },
  UPDATE_WINDOW: { type: 'UPDATE_WINDOW', windowId: 1, topic: 'new topic' },
  DELETE_WINDOW: { type: 'DELETE_WINDOW', windowId: 1 },
  ADD_MESSAGE: { type: 'ADD_MESSAGE', windowId: 1, ...message },
  ADD_MESSAGES: { type: 'ADD_MESSAGES', messages: [{ windowId: 1, messages: [message, { ...message, gid: 13, cat: 'join', body: '' }] }] },
  NETWORK_LIST: { type: 'NETWORK_LIST', networks: [{ name: 'libera', description: 'Libera.Chat', tls: true }, { name: 'testnet', tls: false }] },
  UPDATE_MEMBERS: { type: 'UPDATE_MEMBERS', windowId: 1, reset: true, members: [{ nick: 'alice', userId: 2, role: '*' }, { nick: 'guest', role: 'u' }, { nick: 'Botty', role: '@', bot: true }] },
  DELETE_MEMBERS: { type: 'DELETE_MEMBERS', windowId: 1, members: [{ nick: 'guest' }] },
  UPDATE_SETTINGS: { type: 'UPDATE_SETTINGS', settings: { theme: 'dark', fontSize: 13, sounds: true } },
  UPDATE_FRIENDS: { type: 'UPDATE_FRIENDS', reset: true, friends: [{ userId: 3, nick: 'bob', online: false, lastSeen: 1_700_000_000_000 }] },
  FRIEND_REQUEST: { type: 'FRIEND_REQUEST', userId: 3, nick: 'bob' },
  UPDATE_NETWORKS: { type: 'UPDATE_NETWORKS', networks: [{ name: 'libera', state: 'connecting', currentNick: 'alice_' }, { name: 'parley', state: 'connected' }] },
  READ_RECEIPT: { type: 'READ_RECEIPT', windowId: 4, userId: 3, gid: 12 },
  JOIN_REQUEST: { type: 'JOIN_REQUEST', windowId: 4, userId: 9, nick: 'carol' },
  ROOM_INVITE: { type: 'ROOM_INVITE', network: 'parley', name: '#tea', nick: 'alice' },
  UPDATE_NOTE: { type: 'UPDATE_NOTE', windowId: 4, note: { noteId: 'n0te1234abcd', ver: 2, nick: 'bob', ts: 1700000000000, text: 'buy milk' } },
  DELETE_NOTE: { type: 'DELETE_NOTE', windowId: 4, noteId: 'n0te1234abcd' },
  FINISH_INIT: { type: 'FINISH_INIT' },
};

const INVALID: [string, unknown][] = [
  ['unknown type', { type: 'ADD_EVERYTHING' }],
  ['ADD_WINDOW without role', { ...VALID.ADD_WINDOW, role: undefined }],
  ['ADD_WINDOW with a bad window type', { ...VALID.ADD_WINDOW, windowType: 'channel' }],
  ['ADD_MESSAGE without windowId', { ...VALID.ADD_MESSAGE, windowId: undefined }],
  ['ADD_MESSAGE with an unknown category', { ...VALID.ADD_MESSAGE, cat: 'yell' }],
  ['ADD_MESSAGES with a flat list', { type: 'ADD_MESSAGES', messages: [message] }],
  ['UPDATE_MEMBERS with bot: false (only true is sent)', { type: 'UPDATE_MEMBERS', windowId: 1, members: [{ nick: 'x', role: 'u', bot: false }] }],
  ['NETWORK_LIST without tls', { type: 'NETWORK_LIST', networks: [{ name: 'libera' }] }],
  ['UPDATE_MEMBERS with a bad role', { type: 'UPDATE_MEMBERS', windowId: 1, members: [{ nick: 'x', role: 'o' }] }],
  ['UPDATE_MEMBERS with a nick containing a space', { type: 'UPDATE_MEMBERS', windowId: 1, members: [{ nick: 'a b', role: 'u' }] }],
  ['UPDATE_NETWORKS with an unknown state', { type: 'UPDATE_NETWORKS', networks: [{ name: 'libera', state: 'asleep' }] }],
  ['UPDATE_FRIENDS without online', { type: 'UPDATE_FRIENDS', friends: [{ userId: 3, nick: 'bob' }] }],
  ['READ_RECEIPT with a string gid', { ...VALID.READ_RECEIPT, gid: '12' }],
];

describe('Notification', () => {
  it.each(Object.values(VALID).map((n) => [n.type, n] as const))('accepts a valid %s', (_type, notification) => {
    expect(Notification.parse(notification)).toEqual(notification);
  });
  it.each(INVALID)('refuses %s', (_case, value) => {
    expect(Notification.safeParse(value).success).toBe(false);
  });
  it('NOTIFICATION_TYPES lists every type of the union once', () => {
    expect([...NOTIFICATION_TYPES].sort()).toEqual(Object.keys(VALID).sort());
    expect(new Set(NOTIFICATION_TYPES).size).toBe(NOTIFICATION_TYPES.length);
  });
});

describe('SequencedNotification', () => {
  it('accepts seq plus a notification', () => {
    expect(SequencedNotification.parse({ seq: 7, ...VALID.READ_RECEIPT })).toEqual({ seq: 7, ...VALID.READ_RECEIPT });
  });
  it.each([
    ['no seq', VALID.FINISH_INIT],
    ['seq 0', { seq: 0, ...VALID.FINISH_INIT }],
    ['a bad notification', { seq: 1, type: 'NOPE' }],
  ])('refuses %s', (_case, value) => {
    expect(SequencedNotification.safeParse(value).success).toBe(false);
  });
});
