import { NotifyMessage } from './notify';

describe('NotifyMessage (the gateways\' pub/sub channels)', () => {
  it.each([
    { wake: ['abcdefgh1234'] },
    { reply: { sessionId: 'abcdefgh1234', requestId: '7' } },
    { terminate: { sessionIds: ['abcdefgh1234', 'ijklmnop5678'], code: 'LOGOUT', reason: 'logged out' } },
    { detach: { sessionId: 'abcdefgh1234', holder: 'gw-1/sock-9' } },
  ])('accepts %j', (message) => {
    expect(NotifyMessage.safeParse(message).success).toBe(true);
  });

  it.each([
    ['an empty wake list', { wake: [] }],
    ['a session id with a colon', { wake: ['abc:defgh123'] }],
    ['a reply without requestId', { reply: { sessionId: 'abcdefgh1234' } }],
    ['a terminate code in lower case', { terminate: { sessionIds: ['abcdefgh1234'], code: 'logout', reason: '' } }],
    ['a bare list (the old wake format)', ['abcdefgh1234']],
    ['a string', 'wake'],
  ])('refuses %s', (_what, message) => {
    expect(NotifyMessage.safeParse(message).success).toBe(false);
  });
});
