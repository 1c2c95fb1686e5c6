import {
  ClientRequest,
  REQUEST_ERROR_CODES,
  REQUEST_IDS,
  REQUEST_OWNER,
  REQUEST_RESULTS,
  RequestBody,
  RequestResponse,
  type RequestId,
  type RequestOf,
  type RequestOwner,
  type RequestResponseOf,
  type AnyRequestResponse,
  requestOwner,
  requestResponseSchema,
} from './requests';

// A record keyed by id: adding a request without an example here fails compilation.
const VALID: { [I in RequestId]: RequestOf<I> } = {
  CREATE: { id: 'CREATE', name: '#lobby', password: 'secret' },
  JOIN: { id: 'JOIN', network: 'parley', name: '#lobby' },
  CLOSE: { id: 'CLOSE', windowId: 3 },
  SEND: { id: 'SEND', windowId: 3, text: 'hello', clientMsgId: 'c-1' },
  EDIT: { id: 'EDIT', windowId: 3, gid: 10, text: '' },
  FETCH: { id: 'FETCH', windowId: 3, beforeGid: 10, limit: 50 },
  CHAT: { id: 'CHAT', userId: 8 },
  COMMAND: { id: 'COMMAND', windowId: 3, command: 'me', params: 'waves' },
  UPDATE_TOPIC: { id: 'UPDATE_TOPIC', windowId: 3, topic: 'Welcome' },
  UPDATE_PASSWORD: { id: 'UPDATE_PASSWORD', windowId: 3, password: null },
  UPDATE: { id: 'UPDATE', windowId: 3, visible: false },
  SET: { id: 'SET', settings: { theme: 'dark' } },
  READ: { id: 'READ', windowId: 3, gid: 10 },
  REQUEST_FRIEND: { id: 'REQUEST_FRIEND', userId: 8 },
  FRIEND_VERDICT: { id: 'FRIEND_VERDICT', userId: 8, allow: true },
  REMOVE_FRIEND: { id: 'REMOVE_FRIEND', userId: 8 },
  BLOCK: { id: 'BLOCK', userId: 8 },
  UNBLOCK: { id: 'UNBLOCK', userId: 8 },
  LOGOUT: { id: 'LOGOUT' },
  NOTES: { id: 'NOTES', windowId: 3 },
  NOTE_ADD: { id: 'NOTE_ADD', windowId: 3, text: 'buy milk' },
  NOTE_EDIT: { id: 'NOTE_EDIT', windowId: 3, noteId: 'note-0001', ver: 2, text: 'buy oat milk' },
  NOTE_DELETE: { id: 'NOTE_DELETE', windowId: 3, noteId: 'note-0001', ver: 3 },
  URLS: { id: 'URLS', windowId: 3, limit: 20 },
};

const MORE_VALID: RequestBody[] = [
  { id: 'JOIN', network: 'libera', name: '##linux', password: 'key' },
  // Without its prefix: irc-parser joins #linux.
  { id: 'JOIN', network: 'libera', name: 'linux' },
  { id: 'FETCH', windowId: 3, afterGid: 10, limit: 200 },
  { id: 'FETCH', windowId: 3, limit: 1 },
  { id: 'CHAT', network: 'libera', nick: 'bob' },
  { id: 'UPDATE_PASSWORD', windowId: 3, password: 'new' },
  { id: 'UPDATE', windowId: 3, sounds: true, titleAlert: false },
  { id: 'REQUEST_FRIEND', nick: 'bob' },
  { id: 'LOGOUT', allSessions: true },
];

const INVALID: [string, unknown][] = [
  ['unknown id', { id: 'DANCE' }],
  ['no id', { windowId: 3 }],
  ['not an object', 'SEND'],
  ['CREATE without #', { id: 'CREATE', name: 'lobby' }],
  ['JOIN a channel name on the built-in network', { id: 'JOIN', network: 'parley', name: '&local' }],
  ['JOIN a room name with a space', { id: 'JOIN', network: 'parley', name: '#a b' }],
  ['JOIN a channel name with a space on IRC', { id: 'JOIN', network: 'libera', name: 'li nux' }],
  ['JOIN a channel name with a comma on IRC', { id: 'JOIN', network: 'libera', name: '#a,#b' }],
  ['JOIN a bad network', { id: 'JOIN', network: 'li:bera', name: '#linux' }],
  ['CLOSE with a string windowId', { id: 'CLOSE', windowId: '3' }],
  ['SEND without clientMsgId', { id: 'SEND', windowId: 3, text: 'hi' }],
  ['SEND empty text', { id: 'SEND', windowId: 3, text: '', clientMsgId: 'c' }],
  ['SEND text over 4000 chars', { id: 'SEND', windowId: 3, text: 'x'.repeat(4001), clientMsgId: 'c' }],
  ['FETCH with beforeGid and afterGid', { id: 'FETCH', windowId: 3, beforeGid: 10, afterGid: 2, limit: 10 }],
  ['FETCH limit 0', { id: 'FETCH', windowId: 3, limit: 0 }],
  ['FETCH limit 201', { id: 'FETCH', windowId: 3, limit: 201 }],
  ['FETCH without limit', { id: 'FETCH', windowId: 3 }],
  ['CHAT with userId and nick', { id: 'CHAT', userId: 8, network: 'libera', nick: 'bob' }],
  ['CHAT with network only', { id: 'CHAT', network: 'libera' }],
  ['CHAT with nothing', { id: 'CHAT' }],
  ['CHAT with a bad nick', { id: 'CHAT', network: 'libera', nick: '9lives' }],
  ['COMMAND with the slash', { id: 'COMMAND', windowId: 3, command: '/me', params: 'x' }],
  ['UPDATE_PASSWORD without password', { id: 'UPDATE_PASSWORD', windowId: 3 }],
  ['UPDATE with a string setting', { id: 'UPDATE', windowId: 3, visible: 'yes' }],
  ['SET with a bad setting name', { id: 'SET', settings: { 'bad name': 1 } }],
  ['REQUEST_FRIEND with userId and nick', { id: 'REQUEST_FRIEND', userId: 8, nick: 'bob' }],
  ['FRIEND_VERDICT without allow', { id: 'FRIEND_VERDICT', userId: 8 }],
  ['BLOCK userId 0', { id: 'BLOCK', userId: 0 }],
  ['LOGOUT allSessions as string', { id: 'LOGOUT', allSessions: 'true' }],
];

describe('RequestBody', () => {
  it.each(Object.values(VALID).map((r) => [r.id, r] as const))('accepts a valid %s', (_id, request) => {
    expect(RequestBody.parse(request)).toEqual(request);
  });
  it.each(MORE_VALID.map((r) => [r.id, r] as const))('accepts another valid %s', (_id, request) => {
    expect(RequestBody.parse(request)).toEqual(request);
  });
  it.each(INVALID)('refuses %s', (_case, value) => {
    expect(RequestBody.safeParse(value).success).toBe(false);
  });
  it('drops unknown fields instead of passing them on', () => {
    expect(RequestBody.parse({ id: 'CLOSE', windowId: 3, evil: true })).toEqual({ id: 'CLOSE', windowId: 3 });
  });
  it('REQUEST_IDS lists exactly the ids of the union', () => {
    const ids = RequestBody.options.map((o) => {
      const probe = (Object.values(VALID) as RequestBody[]).find((r) => o.safeParse(r).success);
      return probe?.id;
    });
    expect(ids).toEqual([...REQUEST_IDS]);
    expect(new Set(REQUEST_IDS).size).toBe(REQUEST_IDS.length);
  });
});

describe('ClientRequest', () => {
  it('accepts seq plus a body and keeps both', () => {
    expect(ClientRequest.parse({ seq: 1, ...VALID.SEND })).toEqual({ seq: 1, ...VALID.SEND });
  });
  it.each([
    ['no seq', VALID.SEND],
    ['seq 0', { seq: 0, ...VALID.SEND }],
    ['fractional seq', { seq: 1.5, ...VALID.SEND }],
    ['a bad body', { seq: 1, id: 'SEND', windowId: 3 }],
  ])('refuses %s', (_case, value) => {
    expect(ClientRequest.safeParse(value).success).toBe(false);
  });
});

describe('responses', () => {
  it('accepts the result named by the table', () => {
    expect(requestResponseSchema('CREATE').safeParse({ status: 'OK', windowId: 4 }).success).toBe(true);
    expect(requestResponseSchema('JOIN').safeParse({ status: 'OK', windowId: 4 }).success).toBe(true);
    expect(requestResponseSchema('CHAT').safeParse({ status: 'OK', windowId: 4 }).success).toBe(true);
    expect(requestResponseSchema('SEND').safeParse({ status: 'OK', gid: 11, ts: 1_700_000_000_000 }).success).toBe(true);
    const message = { gid: 11, ts: 1, cat: 'msg', body: 'hi', nick: 'alice' };
    expect(requestResponseSchema('FETCH').safeParse({ status: 'OK', messages: [message] }).success).toBe(true);
    expect(requestResponseSchema('CLOSE').safeParse({ status: 'OK' }).success).toBe(true);
  });
  it('refuses a result without its fields', () => {
    expect(requestResponseSchema('SEND').safeParse({ status: 'OK', gid: 11 }).success).toBe(false);
    expect(requestResponseSchema('CREATE').safeParse({ status: 'OK' }).success).toBe(false);
  });
  it('accepts every declared error code and refuses others', () => {
    for (const code of Object.values(REQUEST_ERROR_CODES)) {
      expect(RequestResponse.safeParse({ status: 'ERROR', code, message: 'm' }).success).toBe(true);
    }
    expect(RequestResponse.safeParse({ status: 'ERROR', code: 'OOPS', message: 'm' }).success).toBe(false);
    expect(RequestResponse.safeParse({ status: 'ERROR', code: 'NOT_FOUND' }).success).toBe(false);
    expect(RequestResponse.safeParse({ status: 'MAYBE' }).success).toBe(false);
  });
  it('keeps result fields in the generic response', () => {
    expect(RequestResponse.parse({ status: 'OK', windowId: 2 })).toEqual({ status: 'OK', windowId: 2 });
  });
  it('has a result schema per request id', () => {
    expect(Object.keys(REQUEST_RESULTS)).toEqual([...REQUEST_IDS]);
  });
  it('includes the minimum error codes', () => {
    expect(Object.keys(REQUEST_ERROR_CODES)).toEqual(
      expect.arrayContaining([
        'BAD_SEQ',
        'BAD_REQUEST',
        'UNKNOWN_REQUEST',
        'NOT_AVAILABLE',
        'NOT_FOUND',
        'ERROR_EXISTS',
        'INCORRECT_PASSWORD',
        'ALREADY_JOINED',
        'BANNED',
        'FORBIDDEN',
        'TIMEOUT',
        'INTERNAL',
      ]),
    );
  });
});

describe('requestOwner', () => {
  const cases: [string, RequestBody, string | undefined, '1on1' | 'group' | undefined, RequestOwner][] = [
    ['SET', VALID.SET, undefined, undefined, 'gateway'],
    ['UPDATE', VALID.UPDATE, 'libera', undefined, 'gateway'],
    ['LOGOUT', VALID.LOGOUT, undefined, undefined, 'gateway'],
    ['CREATE', VALID.CREATE, undefined, undefined, 'loopbackparser'],
    ['REQUEST_FRIEND', VALID.REQUEST_FRIEND, undefined, undefined, 'im-router'],
    ['FRIEND_VERDICT', VALID.FRIEND_VERDICT, undefined, undefined, 'im-router'],
    ['REMOVE_FRIEND', VALID.REMOVE_FRIEND, undefined, undefined, 'im-router'],
    ['BLOCK', VALID.BLOCK, undefined, undefined, 'im-router'],
    ['UNBLOCK', VALID.UNBLOCK, undefined, undefined, 'im-router'],
    ['JOIN a room', VALID.JOIN, undefined, undefined, 'loopbackparser'],
    ['JOIN an IRC channel', { id: 'JOIN', network: 'libera', name: '#linux' }, undefined, undefined, 'ircparser'],
    ['CHAT by userId', VALID.CHAT, undefined, undefined, 'im-router'],
    ['CHAT by nick on the built-in network', { id: 'CHAT', network: 'parley', nick: 'bob' }, undefined, undefined, 'im-router'],
    ['CHAT by nick on IRC', { id: 'CHAT', network: 'libera', nick: 'bob' }, undefined, undefined, 'ircparser'],
    ...(['CLOSE', 'SEND', 'EDIT', 'FETCH', 'COMMAND', 'UPDATE_TOPIC', 'UPDATE_PASSWORD', 'READ'] as const).flatMap(
      (id): [string, RequestBody, string, '1on1' | 'group' | undefined, RequestOwner][] => [
        [`${id} in a room`, VALID[id], 'parley', 'group', 'loopbackparser'],
        [`${id} on IRC`, VALID[id], 'libera', 'group', 'ircparser'],
        [`${id} in an IRC query`, VALID[id], 'libera', '1on1', 'ircparser'],
      ],
    ),
    ['SEND in a direct-message window', VALID.SEND, 'parley', '1on1', 'im-router'],
    ['READ in a direct-message window', VALID.READ, 'parley', '1on1', 'im-router'],
    ['CLOSE in a direct-message window', VALID.CLOSE, 'parley', '1on1', 'im-router'],
    ['FETCH in a direct-message window', VALID.FETCH, 'parley', '1on1', 'im-router'],
    ['EDIT in a direct-message window', VALID.EDIT, 'parley', '1on1', 'loopbackparser'],
  ];
  it.each(cases)('%s → %s', (_case, body, network, windowType, owner) => {
    expect(requestOwner(body, network, windowType)).toBe(owner);
  });
  it('throws when a window-scoped request comes without its window network', () => {
    expect(() => requestOwner(VALID.SEND)).toThrow(/SEND needs the network/);
  });
  it('REQUEST_OWNER agrees with requestOwner on the built-in network', () => {
    for (const id of REQUEST_IDS) {
      expect([id, requestOwner(VALID[id], 'parley', 'group')]).toEqual([id, REQUEST_OWNER[id]]);
    }
  });
});

describe('answer types (checked by typecheck)', () => {
  it('accept an answer without fields for a request whose result has none, and demand the fields of one that has', () => {
    const set: RequestResponseOf<'SET'> = { status: 'OK' };
    const any: AnyRequestResponse = { status: 'OK' };
    const created: RequestResponseOf<'CREATE'> = { status: 'OK', windowId: 3 };
    // @ts-expect-error a CREATE answer carries its windowId
    const incomplete: RequestResponseOf<'CREATE'> = { status: 'OK' };
    expect([set, any, created, incomplete].map((a) => a.status)).toEqual(['OK', 'OK', 'OK', 'OK']);
  });
});
