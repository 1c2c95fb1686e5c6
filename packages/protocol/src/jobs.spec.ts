import {
  IM_JOB_NAMES,
  IM_JOB_SCHEMAS,
  IM_ROUTER_QUEUE,
  type ImJobHandlers,
  type ImJobName,
  type ImJobPayload,
  dispatchImJob,
  parseImJob,
} from './jobs';

const replyTo = (requestId: string) => ({ sessionId: 'abcdefgh1234', requestId, gateway: '4242-0a1b2c3d' });
const VALID: { [N in ImJobName]: ImJobPayload<N> } = {
  REQUEST_FRIEND: { v: 1, userId: 1, target: { nick: 'bob' }, replyTo: replyTo('1') },
  FRIEND_VERDICT: { v: 1, userId: 2, requesterId: 1, allow: true, replyTo: replyTo('2') },
  REMOVE_FRIEND: { v: 1, userId: 1, targetUserId: 2, replyTo: replyTo('3') },
  BLOCK: { v: 1, userId: 1, targetUserId: 2, replyTo: replyTo('4') },
  UNBLOCK: { v: 1, userId: 1, targetUserId: 2, replyTo: replyTo('5') },
  CHAT: { v: 1, userId: 1, targetUserId: 2, replyTo: replyTo('6') },
  SEND_DIRECT: { v: 1, userId: 1, replyTo: replyTo('7'), targetUserId: 2, text: 'hey', clientMsgId: 'm1' },
  READ: { v: 1, userId: 2, peerUserId: 1, gid: 9, replyTo: replyTo('8') },
  FETCH_DIRECT: { v: 1, userId: 2, windowId: 3, beforeGid: 9, limit: 50, replyTo: replyTo('9') },
  CLOSE_DIRECT: { v: 1, userId: 2, windowId: 3, replyTo: replyTo('10') },
  OFFLINE_DELIVERED: { v: 1, userId: 2, upTo: 1_795_000_000_000 },
  SESSION_STARTED: { v: 1, userId: 1, sessionId: 'abcdefgh1234' },
  SESSION_ENDED: { v: 1, userId: 1, sessionId: 'abcdefgh1234' },
  PRESENCE_CHECK: { v: 1, userId: 1 },
  EXPIRE_MESSAGES: { v: 1 },
  CLEAN_OFFLINE: { v: 1 },
};

const INVALID: [string, string, unknown][] = [
  ['an unknown job name', 'DANCE', { v: 1 }],
  ['v: 2', 'BLOCK', { ...VALID.BLOCK, v: 2 }],
  ['no v', 'EXPIRE_MESSAGES', {}],
  ['missing userId', 'SESSION_STARTED', { v: 1, sessionId: 'abcdefgh1234' }],
  ['REQUEST_FRIEND with both userId and nick', 'REQUEST_FRIEND', { v: 1, userId: 1, target: { userId: 2, nick: 'bob' }, replyTo: replyTo('1') }],
  ['REQUEST_FRIEND with an empty target', 'REQUEST_FRIEND', { v: 1, userId: 1, target: {}, replyTo: replyTo('1') }],
  ['SEND_DIRECT with empty text', 'SEND_DIRECT', { ...VALID.SEND_DIRECT, text: '' }],
  ['READ with a string gid', 'READ', { ...VALID.READ, gid: '9' }],
  ['FETCH_DIRECT asking for too many', 'FETCH_DIRECT', { ...VALID.FETCH_DIRECT, limit: 100_000 }],
  ['OFFLINE_DELIVERED without upTo', 'OFFLINE_DELIVERED', { v: 1, userId: 2 }],
  ['BLOCK without replyTo', 'BLOCK', { v: 1, userId: 1, targetUserId: 2 }],
  ['CHAT with a bad session id in replyTo', 'CHAT', { ...VALID.CHAT, replyTo: { sessionId: 'a b', requestId: '1', gateway: '4242-0a1b2c3d' } }],
  ['CHAT without the gateway in replyTo', 'CHAT', { ...VALID.CHAT, replyTo: { sessionId: 'abcdefgh1234', requestId: '1' } }],
  ['CHAT with a gateway that would break its channel name', 'CHAT', { ...VALID.CHAT, replyTo: { sessionId: 'abcdefgh1234', requestId: '1', gateway: 'a:b' } }],
  ['a payload that is not an object', 'CLEAN_OFFLINE', 'now'],
];

describe('im-router jobs', () => {
  it('the queue name is a literal contract', () => {
    expect(IM_ROUTER_QUEUE).toBe('im-router');
  });
  it('IM_JOB_NAMES and IM_JOB_SCHEMAS agree', () => {
    expect(Object.keys(IM_JOB_SCHEMAS).sort()).toEqual([...IM_JOB_NAMES].sort());
  });
  it.each(IM_JOB_NAMES.map((n) => [n]))('parses a valid %s', (name) => {
    expect(parseImJob(name, VALID[name])).toEqual({ ok: true, value: { name, data: VALID[name] } });
  });
  it.each(INVALID)('refuses %s', (_case, name, data) => {
    const result = parseImJob(name, data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
  });
  it('names the job and the field in the reason', () => {
    expect(parseImJob('READ', { ...VALID.READ, gid: '9' })).toEqual({ ok: false, error: 'READ: gid: Invalid input: expected number, received string' });
    expect(parseImJob('DANCE', {})).toEqual({ ok: false, error: 'unknown job name "DANCE"' });
  });
  it('scheduled jobs carry no userId; all others do', () => {
    for (const name of IM_JOB_NAMES) {
      const hasUser = 'userId' in IM_JOB_SCHEMAS[name].shape;
      expect([name, hasUser]).toEqual([name, name !== 'EXPIRE_MESSAGES' && name !== 'CLEAN_OFFLINE']);
    }
  });
});

describe('ImJobHandlers', () => {
  const ok = () => Promise.resolve();
  const handlers = Object.fromEntries(IM_JOB_NAMES.map((n) => [n, ok])) as unknown as ImJobHandlers;

  it('dispatches a parsed job to its handler', async () => {
    const seen: number[] = [];
    const withRead: ImJobHandlers = {
      ...handlers,
      READ: (data) => {
        seen.push(data.peerUserId);
        return Promise.resolve();
      },
    };
    const parsed = parseImJob('READ', VALID.READ);
    if (!parsed.ok) throw new Error(parsed.error);
    await dispatchImJob(withRead, parsed.value);
    expect(seen).toEqual([1]);
  });

  it('a processor missing a job does not compile', () => {
    // @ts-expect-error -- CLEAN_OFFLINE has no handler.
    const incomplete: ImJobHandlers = {
      REQUEST_FRIEND: ok,
      FRIEND_VERDICT: ok,
      REMOVE_FRIEND: ok,
      BLOCK: ok,
      UNBLOCK: ok,
      CHAT: ok,
      SEND_DIRECT: ok,
      READ: ok,
      FETCH_DIRECT: ok,
      CLOSE_DIRECT: ok,
      OFFLINE_DELIVERED: ok,
      SESSION_STARTED: ok,
      SESSION_ENDED: ok,
      PRESENCE_CHECK: ok,
      EXPIRE_MESSAGES: ok,
    };
    expect(Object.keys(incomplete)).toHaveLength(IM_JOB_NAMES.length - 1);
  });
});
