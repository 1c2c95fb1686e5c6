import type { RequestBody } from '@parley/protocol';
import { route } from './route';

const replyTo = { sessionId: 'sess12345678', requestId: '4', gateway: '4242-0a1b2c3d' };
const facts = (window?: { network: string; type: string; targetUserId?: number }, nickUserId?: number) => ({
  userId: 1,
  replyTo,
  window: window && { targetUserId: undefined, ...window },
  nickUserId,
});
const room = { network: 'parley', type: 'group' };
const dm = { network: 'parley', type: '1on1', targetUserId: 9 };
const irc = { network: 'libera', type: 'group' };

describe('route', () => {
  it.each<[string, RequestBody, ReturnType<typeof facts>, unknown]>([
    ['SET is the gateway’s', { id: 'SET', settings: {} }, facts(), { to: 'gateway' }],
    ['UPDATE is the gateway’s (it checks the window itself)', { id: 'UPDATE', windowId: 3, visible: true }, facts(), { to: 'gateway' }],
    ['CREATE goes to loopback-parser', { id: 'CREATE', name: '#tea' }, facts(), { to: 'inbox', inbox: 'loopbackparser' }],
    ['JOIN on an IRC network goes to irc-parser', { id: 'JOIN', network: 'libera', name: '#node' }, facts(), { to: 'inbox', inbox: 'ircparser' }],
    ['SEND in a room goes to loopback-parser', { id: 'SEND', windowId: 2, text: 'hi', clientMsgId: 'c' }, facts(room), { to: 'inbox', inbox: 'loopbackparser' }],
    ['SEND in an IRC window goes to irc-parser', { id: 'SEND', windowId: 2, text: 'hi', clientMsgId: 'c' }, facts(irc), { to: 'inbox', inbox: 'ircparser' }],
    ['SEND in a direct message is a SEND_DIRECT job', { id: 'SEND', windowId: 2, text: 'hi', clientMsgId: 'c' }, facts(dm), { to: 'queue', name: 'SEND_DIRECT', data: { v: 1, userId: 1, replyTo, targetUserId: 9, text: 'hi', clientMsgId: 'c' } }],
    ['READ in a direct message is a READ job', { id: 'READ', windowId: 2, gid: 5 }, facts(dm), { to: 'queue', name: 'READ', data: { v: 1, userId: 1, peerUserId: 9, gid: 5, replyTo } }],
    ['CHAT by nick on the built-in network names the user', { id: 'CHAT', network: 'parley', nick: 'bob' }, facts(undefined, 9), { to: 'queue', name: 'CHAT', data: { v: 1, userId: 1, targetUserId: 9, replyTo } }],
    ['CHAT by an unknown nick', { id: 'CHAT', network: 'parley', nick: 'bob' }, facts(), { to: 'error', code: 'NOT_FOUND', message: 'user bob is not found' }],
    ['CHAT on an IRC network is a query for irc-parser', { id: 'CHAT', network: 'libera', nick: 'bob' }, facts(), { to: 'inbox', inbox: 'ircparser' }],
    ['REQUEST_FRIEND by nick', { id: 'REQUEST_FRIEND', nick: 'bob' }, facts(), { to: 'queue', name: 'REQUEST_FRIEND', data: { v: 1, userId: 1, target: { nick: 'bob' }, replyTo } }],
    ['FRIEND_VERDICT answers the requester', { id: 'FRIEND_VERDICT', userId: 3, allow: true }, facts(), { to: 'queue', name: 'FRIEND_VERDICT', data: { v: 1, userId: 1, requesterId: 3, allow: true, replyTo } }],
    ['BLOCK', { id: 'BLOCK', userId: 3 }, facts(), { to: 'queue', name: 'BLOCK', data: { v: 1, userId: 1, targetUserId: 3, replyTo } }],
    ['NOTES go to loopback-parser, whatever the window’s network', { id: 'NOTES', windowId: 2 }, facts(irc), { to: 'inbox', inbox: 'loopbackparser' }],
    ['a window the user does not have', { id: 'FETCH', windowId: 8, limit: 5 }, facts(), { to: 'error', code: 'NOT_FOUND', message: 'window 8 is not found' }],
    ['a direct message window without its peer', { id: 'SEND', windowId: 2, text: 'x', clientMsgId: 'c' }, facts({ network: 'parley', type: '1on1' }), { to: 'error', code: 'NOT_FOUND', message: 'the other user of this window is not found' }],
  ])('%s', (_what, body, f, expected) => {
    expect(route(body, f)).toEqual(expected);
  });
});
