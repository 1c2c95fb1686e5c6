import { KeyPartError } from './encode';
import { imKeys } from './im';

describe('IM keys: the exact strings (default prefix)', () => {
  const im = imKeys();

  it.each<[string, () => string, string]>([
    ['user', () => im.user(7), 'im:user:7'],
    ['userLogin', () => im.userLogin(7), 'im:user:login:7'],
    ['userGroup', () => im.userGroup('Lobby'), 'im:user:group:lobby'],
    ['userGroupMembers', () => im.userGroupMembers('Lobby'), 'im:user:group:lobby:members'],
    ['contactFriend', () => im.contactFriend(7), 'im:user:contact:friend:7'],
    ['blackListGroup', () => im.blackListGroup('Lobby'), 'im:black-list:group:lobby'],
    ['blackListUser', () => im.blackListUser(7), 'im:black-list:user:7'],
    ['friendRequest', () => im.friendRequest(7), 'im:message:friend-request:7'],
    ['groupRequest', () => im.groupRequest('Lobby'), 'im:message:group-request:lobby'],
    ['messageSend', () => im.messageSend(7), 'im:message:send:7'],
    ['messageReceive, user', () => im.messageReceive({ userId: 7 }), 'im:message:receive:7'],
    ['messageReceive, room', () => im.messageReceive({ room: 'Lobby' }), 'im:message:receive:group:lobby'],
    ['messageOffline', () => im.messageOffline(7), 'im:message:offline:7'],
    ['messageFail', () => im.messageFail(7, 8), 'im:message:fail:from:7:to:8'],
    ['readReceipt', () => im.readReceipt('m-1001'), 'im:message:read-receipt:m-1001'],
    ['clusterServerOffline', () => im.clusterServerOffline(), 'im:cluster:server:offline'],
    ['app', () => im.app('demo-app'), 'im:app:demo-app'],
    ['appConnection', () => im.appConnection('demo-app'), 'im:app:demo-app:connection'],
    ['conversation, smaller id first', () => im.conversation(9, 7), 'im:conversation:7:9'],
    ['clientMsg', () => im.clientMsg(7, 'abc-1'), 'im:clientmsg:7:abc-1'],
    ['presence', () => im.presence(), 'im:presence'],
    ['dmUsers', () => im.dmUsers(), 'im:dm-users'],
    ['offlineFloor', () => im.offlineFloor(), 'im:offline-floor'],
  ])('%s', (_name, build, expected) => {
    expect(build()).toBe(expected);
  });

  it('exposes its prefix', () => {
    expect(im.prefix).toBe('im:');
  });
});

describe('imKeys prefix', () => {
  it('puts every key under the given prefix', () => {
    const keys = imKeys('ouyunc.im-2:');
    expect(keys.contactFriend(7)).toBe('ouyunc.im-2:user:contact:friend:7');
    expect(keys.clusterServerOffline()).toBe('ouyunc.im-2:cluster:server:offline');
  });

  it.each(['', 'im', ':', 'ouyunc:im:', 'i m:', 'im*:', '{im}:', `${'x'.repeat(33)}:`])('refuses the prefix %j', (prefix) => {
    expect(() => imKeys(prefix)).toThrow(KeyPartError);
  });
});

describe('IM keys never collide', () => {
  const im = imKeys();
  const rooms = ['members', 'a:members', 'Lobby', 'lobby:members', '42', 'group', 'x{y}', 'g:', ':'];

  it('keeps user:group:<g> and user:group:<g>:members apart for every g', () => {
    const all = rooms.flatMap((g) => [im.userGroup(g), im.userGroupMembers(g)]);
    expect(new Set(all).size).toBe(all.length);
    for (const g of rooms) expect(im.userGroup(g).split(':')).toHaveLength(4);
  });

  it("keeps a room's receive timeline apart from a user's", () => {
    expect(im.messageReceive({ room: '42' })).not.toBe(im.messageReceive({ userId: 42 }));
  });

  it('gives distinct keys across builders', () => {
    const all = [
      im.user(42), im.userLogin(42), im.contactFriend(42), im.blackListUser(42), im.friendRequest(42),
      im.messageSend(42), im.messageReceive({ userId: 42 }), im.messageOffline(42), im.messageFail(42, 42),
      ...rooms.flatMap((g) => [im.userGroup(g), im.userGroupMembers(g), im.blackListGroup(g), im.groupRequest(g), im.messageReceive({ room: g })]),
      im.app('login'), im.appConnection('login'), im.readReceipt('42'), im.clusterServerOffline(),
      im.conversation(42, 43), im.clientMsg(42, '43'), im.presence(), im.dmUsers(), im.offlineFloor(),
    ];
    expect(new Set(all).size).toBe(all.length);
  });

  it.each<[string, () => string]>([
    ['a user id that is not a number', () => im.user('me')],
    ['an app key with a colon', () => im.app('a:connection')],
    ['a message id with a glob', () => im.readReceipt('m*')],
    ['an empty room', () => im.userGroup('')],
    ['a client message id with a colon', () => im.clientMsg(7, 'a:b')],
    ['a conversation with a user id that is not a number', () => im.conversation(7, 'x')],
  ])('refuses %s', (_name, build) => {
    expect(build).toThrow(KeyPartError);
  });
});
