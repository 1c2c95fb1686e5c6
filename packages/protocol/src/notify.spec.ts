import { NotifyMessage } from './notify';

describe('NotifyMessage (the gateways\' pub/sub channels)', () => {
  it.each([
    { wake: ['abcdefgh1234'] },
    { replies: [{ sessionId: 'abcdefgh1234', requestId: '7', answer: { status: 'OK' } }] },
    { wake: ['abcdefgh1234'], replies: [{ sessionId: 'abcdefgh1234', requestId: '8', answer: { status: 'ERROR', code: 'NOT_FOUND', message: 'x' } }] },
    { terminate: { sessionIds: ['abcdefgh1234', 'ijklmnop5678'], code: 'LOGOUT', reason: 'logged out' } },
    { detach: { sessionId: 'abcdefgh1234', holder: 'gw-1/sock-9' } },
  ])('accepts %j', (message) => {
    expect(NotifyMessage.safeParse(message).success).toBe(true);
  });

  it.each([
    ['an empty wake list', { wake: [] }],
    ['a session id with a colon', { wake: ['abc:defgh123'] }],
    ['an answer without requestId', { replies: [{ sessionId: 'abcdefgh1234', answer: { status: 'OK' } }] }],
    ['an answer without the answer', { replies: [{ sessionId: 'abcdefgh1234', requestId: '7' }] }],
    ['an empty replies list', { replies: [] }],
    ['neither wake nor replies', {}],
    ['the old single reply', { reply: { sessionId: 'abcdefgh1234', requestId: '7' }, answer: { status: 'OK' } }],
    ['a terminate code in lower case', { terminate: { sessionIds: ['abcdefgh1234'], code: 'logout', reason: '' } }],
    ['a bare list (the old wake format)', ['abcdefgh1234']],
    ['a string', 'wake'],
  ])('refuses %s', (_what, message) => {
    expect(NotifyMessage.safeParse(message).success).toBe(false);
  });
});
