import { crc16, keySlot } from './slot';
import { KeyPartError } from './encode';
import { type HashKey, type ListKey } from './key';
import * as keys from './mas';

describe('MAS keys: the exact strings', () => {
  it.each<[string, () => string, string]>([
    ['user', () => keys.user(7), 'user:7'],
    ['sessionList', () => keys.sessionList(7), 'sessionlist:7'],
    ['session', () => keys.session(7, 'abc'), 'session:7:abc'],
    ['sessionLastRequest', () => keys.sessionLastRequest(), 'sessionlastrequest'],
    ['outbox', () => keys.outbox(7, 'abc'), 'outbox:7:abc'],
    ['sessionReplies', () => keys.sessionReplies(7, 'abc'), 'sessionreplies:7:abc'],
    ['sessionEnd', () => keys.sessionEnd(7, 'abc'), 'sessionend:7:abc'],
    ['userIndex', () => keys.userIndex(), 'index:user'],
    ['users', () => keys.users(), 'users'],
    ['friends', () => keys.friends(7), 'friends:7'],
    ['settings', () => keys.settings(7), 'settings:7'],
    ['windowList', () => keys.windowList(7), 'windowlist:7'],
    ['networks', () => keys.networks(7, 'Libera'), 'networks:7:libera'],
    ['window', () => keys.window(7, 3), 'window:7:3'],
    ['windowMsgs', () => keys.windowMsgs(7, 3), 'windowmsgs:7:3'],
    ['group', () => keys.group('Lobby'), 'group:lobby'],
    ['groupMembers', () => keys.groupMembers('Lobby'), 'groupmembers:lobby'],
    ['groupBacklog', () => keys.groupBacklog('Lobby'), 'groupbacklog:lobby'],
    ['names', () => keys.names(7, 3), 'names:7:3'],
    ['userInbox', () => keys.userInbox(7), 'inbox:7'],
    ['noteList', () => keys.noteList(7, 3), 'notelist:7:3'],
    ['urls', () => keys.urls(7, 3), 'urls:7:3'],
    ['note', () => keys.note('0b6c2a4e-1d3f-4a5b-8c7d-9e0f1a2b3c4d'), 'note:0b6c2a4e-1d3f-4a5b-8c7d-9e0f1a2b3c4d'],
    ['nextAvailableUserId', () => keys.nextAvailableUserId(), 'nextavailableuserId'],
    ['passwordResetToken', () => keys.passwordResetToken('tok_3n'), 'passwordresettoken:tok_3n'],
    ['authToken', () => keys.authToken('ab12'), 'authtoken:ab12'],
    ['userKeyPrefix + id is user(id)', () => `${keys.userKeyPrefix()}42`, keys.user(42)],
    ['authTokenPrefix + hash is authToken(hash)', () => `${keys.authTokenPrefix()}ab12`, keys.authToken('ab12')],
    ['sessionKeyPrefix + sid is session(id, sid)', () => `${keys.sessionKeyPrefix(42)}s3ss10n`, keys.session(42, 's3ss10n')],
    ['outboxKeyPrefix + sid is outbox(id, sid)', () => `${keys.outboxKeyPrefix(42)}s3ss10n`, keys.outbox(42, 's3ss10n')],
    ['gatewayChannel', () => keys.gatewayChannel('1234-ab12'), 'notify:gateway:1234-ab12'],
    ['gatewaysChannel', () => keys.gatewaysChannel(), 'notify:gateways'],
    ['userAuthTokens', () => keys.userAuthTokens(7), 'authtokens:7'],
    ['rateLimit', () => keys.rateLimit('login-account', 'Alice@Example.com'), 'ratelimit:login-account:Alice%40Example.com'],
    ['inbox loopbackparser', () => keys.inbox('loopbackparser'), 'inbox:loopbackparser'],
    ['inbox ircparser', () => keys.inbox('ircparser'), 'inbox:ircparser'],
    ['inbox connectionmanager', () => keys.inbox('connectionmanager'), 'inbox:connectionmanager'],
    ['inboxDead', () => keys.inboxDead('ircparser'), 'inbox:ircparser:dead'],
    ['inboxStats', () => keys.inboxStats('ircparser'), 'inbox:ircparser:stats'],
    ['inboxProcessing', () => keys.inboxProcessing('ircparser', 'host-1.pid@9'), '{inbox:ircparser}:processing:host-1.pid@9'],
    ['inboxHandoff', () => keys.inboxHandoff('ircparser', 'c1'), '{inbox:ircparser}:handoff:c1'],
    ['inboxOwners', () => keys.inboxOwners('ircparser'), '{inbox:ircparser}:owners'],
    ['inboxConsumers', () => keys.inboxConsumers('ircparser'), '{inbox:ircparser}:consumers'],
    ['inboxTakes', () => keys.inboxTakes('ircparser'), '{inbox:ircparser}:takes'],
    ['inboxKeyPrefix', () => keys.inboxKeyPrefix('connectionmanager'), '{inbox:connectionmanager}:'],
  ])('%s', (_name, build, expected) => {
    expect(build()).toBe(expected);
  });

  it('keeps the seed names of the fields that are not keys', () => {
    expect(keys.NEXT_WINDOW_ID_FIELD).toBe('nextwindowid');
    expect(keys.INBOX_DEAD_FIELD).toBe('dead');
    expect(keys.INBOX_NAMES).toEqual(['loopbackparser', 'ircparser', 'connectionmanager']);
  });

  it('accepts ids as numbers or as the decimal strings Redis hands back', () => {
    expect(keys.window('7', '3')).toBe(keys.window(7, 3));
  });

  it.each<[string, () => string]>([
    ['user id 0', () => keys.user(0)],
    ['user id with a leading zero', () => keys.user('07')],
    ['user id reaching into another key', () => keys.user('7:3')],
    ['window id glob', () => keys.window(7, '*')],
    ['session id with a colon', () => keys.session(7, 'a:b')],
    ['session id with a hash tag', () => keys.outbox(7, '{x}')],
    ['reset token with a space', () => keys.passwordResetToken('a b')],
    ['unknown inbox', () => keys.inbox('other' as keys.InboxName)],
    ['consumer id with a colon', () => keys.inboxHandoff('ircparser', 'a:b')],
    ['network with a colon', () => keys.networks(7, 'a:b')],
    ['empty room', () => keys.group('')],
  ])('refuses %s', (_name, build) => {
    expect(build).toThrow(KeyPartError);
  });

  it('folds room names like IRC channel names and encodes them', () => {
    expect(keys.group('#Tea[Room]')).toBe(keys.group('#tea{room}'));
    expect(keys.groupMembers('a:b')).toBe('groupmembers:a%3Ab');
  });

  it('gives a Key only from a builder', () => {
    const ok: HashKey = keys.user(7);
    // @ts-expect-error a template string is not a Key
    const handMade: HashKey = `user:${7}`;
    // @ts-expect-error a list key is not a hash key
    const wrongType: HashKey = keys.outbox(7, 's');
    const asString: string = keys.windowMsgs(7, 3) satisfies ListKey;
    expect([ok, handMade, wrongType, asString]).toHaveLength(4);
  });
});

describe('members and fields', () => {
  it('builds and parses sessionlastrequest members', () => {
    expect(keys.sessionRef(7, 'abc')).toBe('7:abc');
    expect(keys.parseSessionRef('7:abc')).toEqual({ userId: 7, sessionId: 'abc' });
    expect(() => keys.parseSessionRef('7')).toThrow(KeyPartError);
    expect(() => keys.parseSessionRef('x:abc')).toThrow(KeyPartError);
  });

  it('keeps e-mail addresses and nicks apart in index:user', () => {
    expect(keys.userIndexField.email('Ann@Example.ORG')).toBe('email:ann@example.org');
    expect(keys.userIndexField.nick('Ann')).toBe('nick:ann');
    expect(keys.userIndexField.email('x')).not.toBe(keys.userIndexField.nick('x'));
    expect(() => keys.userIndexField.nick('')).toThrow(KeyPartError);
  });

  it('builds windowlist members with the folded, encoded name', () => {
    expect(keys.windowListEntry({ windowId: 3, network: 'parley', name: 'Tea Room', type: 'group' })).toBe('3:parley:tea%20room:group');
    expect(keys.windowListEntry({ windowId: 4, network: 'Libera', name: '#Chan[1]', type: 'group' }, 'ascii')).toBe(
      '4:libera:#chan%5B1%5D:group',
    );
    expect(keys.windowListEntry({ windowId: 4, network: 'Libera', name: '#Chan[1]', type: 'group' }, 'rfc1459')).toBe(
      '4:libera:#chan%7B1%7D:group',
    );
    expect(keys.windowListEntry({ windowId: '5', network: 'libera', name: 'Nick^', type: '1on1' })).toBe('5:libera:nick~:1on1');
  });

  it('parses windowlist members back', () => {
    const member = keys.windowListEntry({ windowId: 3, network: 'Libera', name: '#A:B c', type: 'group' });
    expect(keys.parseWindowListEntry(member)).toEqual({ windowId: 3, network: 'libera', name: '#a:b c', type: 'group' });
  });

  it.each(['', '3:libera:x', '3:libera:x:group:extra', '0:libera:x:group', '3:Libera:x:group', '3:libera::group', '3:libera:%41:group', '3:libera:x:channel'])(
    'refuses the windowlist member %j',
    (member) => {
      expect(() => keys.parseWindowListEntry(member)).toThrow(KeyPartError);
    },
  );
});

describe('Redis Cluster slots of the courier keys', () => {
  it('implements the cluster slot function (reference values from the Redis docs)', () => {
    expect(crc16('123456789')).toBe(0x31c3);
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo{hash_tag}')).toBe(2515);
    expect(keySlot('bar{hash_tag}')).toBe(2515);
  });

  it.each(keys.INBOX_NAMES)('puts every courier key of %s in the slot of its inbox', (name) => {
    const slot = keySlot(keys.inbox(name));
    expect(slot).toBe(crc16(`inbox:${name}`) % 16384);
    const courierKeys = [
      keys.inboxProcessing(name, 'c-1'),
      keys.inboxHandoff(name, 'c-1'),
      keys.inboxOwners(name),
      keys.inboxConsumers(name),
      keys.inboxTakes(name),
    ];
    for (const key of courierKeys) expect(keySlot(key)).toBe(slot);
  });

  it('lets a Lua script rebuild the handoff key from the prefix', () => {
    expect(`${keys.inboxKeyPrefix('ircparser')}handoff:c-1`).toBe(keys.inboxHandoff('ircparser', 'c-1'));
  });
});

describe('windowListEntrySuffix', () => {
  it('is what follows the window id in the entry', () => {
    const entry = { network: 'parley', name: '#Tea Room', type: 'group' as const };
    expect(`7${keys.windowListEntrySuffix(entry)}`).toBe(keys.windowListEntry({ windowId: 7, ...entry }));
  });
});
