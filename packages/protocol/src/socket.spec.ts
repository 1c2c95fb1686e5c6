import { type z } from 'zod';
import {
  AckPayload,
  type ClientToServerEvents,
  INIT_ERROR_CODES,
  InitAck,
  InitPayload,
  SOCKET_EVENTS,
  type ServerToClientEvents,
  TERMINATE_CODES,
  TerminatePayload,
} from './socket';

const cases: [name: string, schema: z.ZodType, good: unknown[], bad: [string, unknown][]][] = [
  [
    'InitPayload',
    InitPayload,
    [{ clientName: 'web' }, { clientName: 'web', sessionId: 'abcdefgh1234', lastSeq: 0, maxBacklogMsgs: 1000 }],
    [
      ['no clientName', {}],
      ['negative lastSeq', { clientName: 'web', lastSeq: -1 }],
      ['maxBacklogMsgs over 1000', { clientName: 'web', maxBacklogMsgs: 1001 }],
      ['bad sessionId', { clientName: 'web', sessionId: 'a:b' }],
    ],
  ],
  [
    'InitAck',
    InitAck,
    [
      { status: 'OK', sessionId: 'abcdefgh1234', userId: 5, resumed: false },
      { status: 'OK', sessionId: 'abcdefgh1234', userId: 5, resumed: false, token: 'x'.repeat(43) },
      { status: 'ERROR', code: 'TOO_MANY_SESSIONS' },
    ],
    [
      ['a token too short to be one', { status: 'OK', sessionId: 'abcdefgh1234', userId: 5, resumed: false, token: 'abc' }],
      ['OK without resumed', { status: 'OK', sessionId: 'abcdefgh1234', userId: 5 }],
      ['ERROR without code', { status: 'ERROR' }],
      ['unknown status', { status: 'MAYBE' }],
    ],
  ],
  [
    'AckPayload',
    AckPayload,
    [{ seq: 1 }],
    [
      ['seq 0', { seq: 0 }],
      ['string seq', { seq: '1' }],
    ],
  ],
  [
    'TerminatePayload',
    TerminatePayload,
    [{ code: 'LOGOUT', reason: 'You logged out' }],
    [
      ['lower-case code', { code: 'logout', reason: 'x' }],
      ['no reason', { code: 'EXPIRED' }],
    ],
  ],
];

describe.each(cases)('%s', (_name, schema, good, bad) => {
  it.each(good.map((v) => [v]))('accepts %j', (value) => {
    expect(schema.safeParse(value).success).toBe(true);
  });
  it.each(bad)('refuses %s', (_case, value) => {
    expect(schema.safeParse(value).success).toBe(false);
  });
});

describe('event names', () => {
  it('are the names of protocol.md', () => {
    expect(Object.values(SOCKET_EVENTS).sort()).toEqual(['ack', 'init', 'ntf', 'ntfs', 'req', 'terminate']);
  });
  it('the declared codes are valid on the wire', () => {
    for (const code of Object.values(TERMINATE_CODES)) expect(TerminatePayload.safeParse({ code, reason: '' }).success).toBe(true);
    for (const code of Object.values(INIT_ERROR_CODES)) expect(InitAck.safeParse({ status: 'ERROR', code }).success).toBe(true);
  });
  it('the event maps type both directions', () => {
    // Compile-time: a listener map written against the interfaces must fit them exactly.
    const received: string[] = [];
    const server: ServerToClientEvents = {
      ntf: (n) => received.push(n.type),
      ntfs: (batch) => received.push(`batch of ${batch.length} characters`),
      terminate: (t) => received.push(t.code),
    };
    const client: ClientToServerEvents = {
      init: (_p, ack) => ack({ status: 'OK', sessionId: 'abcdefgh', userId: 1, resumed: false }),
      ack: () => undefined,
      req: (r, ack) => ack(r.id === 'SEND' ? { status: 'OK', gid: 1, ts: 2 } : { status: 'ERROR', code: 'NOT_AVAILABLE', message: 'n/a' }),
    };
    server.ntf({ seq: 1, type: 'FINISH_INIT' });
    server.terminate({ code: 'EXPIRED', reason: 'idle' });
    let answer: unknown;
    client.req({ seq: 1, id: 'SEND', windowId: 1, text: 'x', clientMsgId: 'c' }, (r) => (answer = r));
    expect(received).toEqual(['FINISH_INIT', 'EXPIRED']);
    expect(answer).toEqual({ status: 'OK', gid: 1, ts: 2 });
  });
});
