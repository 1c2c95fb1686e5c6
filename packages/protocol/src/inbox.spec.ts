import {
  INBOX_MESSAGE_TYPES,
  INBOX_NAMES,
  INBOX_SCHEMAS,
  IRC_LINE_MAX_BYTES,
  type InboxHandlers,
  type InboxMessage,
  type InboxMessageOfType,
  type InboxMessageType,
  type InboxName,
  dispatchInboxMessage,
  missingHandlers,
  utf8ByteLength,
} from './inbox';

const ping = { v: 1, type: 'ping', id: 'probe-1' } as const;
const request = {
  v: 1,
  type: 'request',
  userId: 7,
  sessionId: 'abcdefgh1234',
  requestId: 'abcdefgh1234:5',
  gateway: '4242-0a1b2c3d',
  request: { id: 'SEND', windowId: 2, text: 'hi', clientMsgId: 'c1' },
  traceId: 't-1',
} as const;

// One valid example per type of each inbox; a new type without an example fails compilation.
const VALID: { [N in InboxName]: { [T in InboxMessageType<N>]: InboxMessageOfType<N, T> } } = {
  connectionmanager: {
    connect: {
      v: 1,
      type: 'connect',
      userId: 7,
      network: 'libera',
      host: 'irc.libera.chat',
      port: 6697,
      tls: true,
      nick: 'alice',
      username: 'alice',
      realname: 'Alice L.',
      password: 'server-pass',
    },
    write: { v: 1, type: 'write', userId: 7, network: 'libera', lines: ['JOIN #parley', 'PRIVMSG #parley :héllo'], wseq: 3 },
    disconnect: { v: 1, type: 'disconnect', userId: 7, network: 'libera', reason: 'bye' },
    ping,
  },
  ircparser: {
    connected: { v: 1, type: 'connected', userId: 7, network: 'libera', localPort: 50123, remoteHost: '1.2.3.4' },
    data: { v: 1, type: 'data', userId: 7, network: 'libera', line: ':srv 001 alice :Welcome' },
    disconnected: { v: 1, type: 'disconnected', userId: 7, network: 'libera', reason: 'ECONNRESET' },
    restarted: { v: 1, type: 'restarted', instance: 'cm-0' },
    lost: { v: 1, type: 'lost', userId: 7, sentAt: 1700000000000 },
    sent: { v: 1, type: 'sent', userId: 7, network: 'libera', wseq: 3 },
    noconnection: { v: 1, type: 'noconnection', userId: 7, network: 'libera' },
    active: { v: 1, type: 'active', userId: 7 },
    request,
    ping,
  },
  loopbackparser: {
    request,
    webhook: { v: 1, type: 'webhook', group: '#deploys', text: 'build 42 is green' },
    ping,
  },
};

const write = VALID.connectionmanager.write;
const INVALID: { [N in InboxName]: [string, unknown][] } = {
  connectionmanager: [
    ['unknown type', { v: 1, type: 'explode', userId: 7 }],
    ['v: 2', { ...write, v: 2 }],
    ['no v', { ...write, v: undefined }],
    ['missing userId', { ...write, userId: undefined }],
    ['string userId', { ...write, userId: '7' }],
    ['CR in a write line', { ...write, lines: ['PRIVMSG #a :hi\rQUIT'] }],
    ['LF in a write line', { ...write, lines: ['PRIVMSG #a :hi\nQUIT :pwned'] }],
    ['NUL in a write line', { ...write, lines: ['PRIVMSG #a :\u0000'] }],
    ['a write line over 510 bytes', { ...write, lines: ['x'.repeat(IRC_LINE_MAX_BYTES + 1)] }],
    ['a write line over 510 bytes in UTF-8 only', { ...write, lines: ['é'.repeat(256)] }],
    ['an empty write line', { ...write, lines: [''] }],
    ['no write lines', { ...write, lines: [] }],
    ['51 write lines', { ...write, lines: Array.from({ length: 51 }, () => 'PING x') }],
    ['a write with wseq 0', { ...write, wseq: 0 }],
    ['a write with a fractional wseq', { ...write, wseq: 1.5 }],
    ['connect with a bad nick', { ...VALID.connectionmanager.connect, nick: '1alice' }],
    ['connect on port 0', { ...VALID.connectionmanager.connect, port: 0 }],
    ['connect without tls', { ...VALID.connectionmanager.connect, tls: undefined }],
    ['connect with CR LF in the server password', { ...VALID.connectionmanager.connect, password: 'x\r\nQUIT' }],
    ['disconnect with LF in the reason', { ...VALID.connectionmanager.disconnect, reason: 'a\nb' }],
    ['ping without id', { v: 1, type: 'ping' }],
  ],
  ircparser: [
    ['unknown type', { v: 1, type: 'write', userId: 7, network: 'libera', lines: ['x'] }],
    ['v: 2', { ...VALID.ircparser.data, v: 2 }],
    ['data with LF in the line', { ...VALID.ircparser.data, line: 'a\nb' }],
    ['data with an empty line', { ...VALID.ircparser.data, line: '' }],
    ['data without network', { ...VALID.ircparser.data, network: undefined }],
    ['disconnected without reason', { v: 1, type: 'disconnected', userId: 7, network: 'libera' }],
    ['sent without wseq', { v: 1, type: 'sent', userId: 7, network: 'libera' }],
    ['request with a bad request', { ...request, request: { id: 'FETCH', windowId: 2, beforeGid: 1, afterGid: 2, limit: 5 } }],
    ['request without sessionId', { ...request, sessionId: undefined }],
  ],
  loopbackparser: [
    ['unknown type', { v: 1, type: 'data', userId: 7, network: 'libera', line: 'x' }],
    ['v: 2', { ...request, v: 2 }],
    ['webhook to a name without #', { v: 1, type: 'webhook', group: 'deploys', text: 'x' }],
    ['webhook with empty text', { v: 1, type: 'webhook', group: '#deploys', text: '' }],
    ['request with a numeric requestId', { ...request, requestId: 5 }],
    ['request without its gateway', { ...request, gateway: undefined }],
  ],
};

describe.each(INBOX_NAMES)('inbox:%s', (name) => {
  const schema = INBOX_SCHEMAS[name];
  const valid = Object.values(VALID[name]) as InboxMessage<InboxName>[];

  it.each(valid.map((m) => [m.type, m] as const))('accepts a valid %s', (_type, msg) => {
    expect(schema.parse(msg)).toEqual(msg);
  });
  it.each(INVALID[name])('refuses %s', (_case, value) => {
    expect(schema.safeParse(value).success).toBe(false);
  });
  it('INBOX_MESSAGE_TYPES equals the types of the union', () => {
    expect([...INBOX_MESSAGE_TYPES[name]].sort()).toEqual(Object.keys(VALID[name]).sort());
  });
  it('every envelope but ping, restarted and webhook carries a numeric userId', () => {
    for (const msg of valid) {
      if (msg.type === 'ping' || msg.type === 'restarted' || msg.type === 'webhook') continue;
      expect(typeof (msg as { userId?: unknown }).userId).toBe('number');
    }
  });
});

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['\ud800', 3],
  ])('%j is %d bytes', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
  });
  it('accepts a write line of exactly 510 bytes', () => {
    expect(INBOX_SCHEMAS.connectionmanager.safeParse({ ...write, lines: ['é'.repeat(255)] }).success).toBe(true);
  });
});

describe('handlers', () => {
  const ok = () => Promise.resolve();

  it('dispatches to the handler of the type', async () => {
    const seen: string[] = [];
    const handlers: InboxHandlers<'loopbackparser'> = {
      request: (msg) => {
        seen.push(`request ${msg.request.id}`);
        return Promise.resolve();
      },
      webhook: (msg) => {
        seen.push(`webhook ${msg.group}`);
        return Promise.resolve();
      },
      ping: ok,
    };
    await dispatchInboxMessage(handlers, VALID.loopbackparser.webhook);
    await dispatchInboxMessage(handlers, request);
    expect(seen).toEqual(['webhook #deploys', 'request SEND']);
  });

  it('a handler table missing a type does not compile, and is reported at run time', () => {
    // @ts-expect-error -- 'ping' has no handler: the compiler refuses the consumer.
    const incomplete: InboxHandlers<'loopbackparser'> = { request: ok, webhook: ok };
    expect(missingHandlers(INBOX_MESSAGE_TYPES.loopbackparser, incomplete)).toEqual(['ping']);
    expect(missingHandlers(INBOX_MESSAGE_TYPES.connectionmanager, { connect: ok, write: ok, disconnect: ok, ping: ok })).toEqual([]);
  });

  it('a handler cannot take a message of another type', () => {
    const handlers: InboxHandlers<'connectionmanager'> = {
      connect: ok,
      // @ts-expect-error -- the write handler receives a write envelope, which has no `host`.
      write: (msg: InboxMessageOfType<'connectionmanager', 'connect'>) => Promise.resolve(void msg.host),
      disconnect: ok,
      ping: ok,
    };
    expect(Object.keys(handlers)).toHaveLength(4);
  });
});
