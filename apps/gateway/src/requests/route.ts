/**
 * Where a valid client request goes, as a pure function of the request and the facts looked up
 * for it (the window it names, the user a nick names). The gateway then claims its seq and hands
 * it over in one step.
 */
import { type ImJobName, type ImJobPayload, type RequestBody, type RequestErrorCode, type ReplyTo, requestOwner, type WindowType } from '@parley/protocol';
import type { WindowInfo } from '../sessions/sessions.repository';

export type ImJobRoute = { [N in ImJobName]: { to: 'queue'; name: N; data: ImJobPayload<N> } }[ImJobName];

export type Route =
  | { to: 'gateway' }
  | { to: 'inbox'; inbox: 'loopbackparser' | 'ircparser' }
  | ImJobRoute
  | { to: 'error'; code: RequestErrorCode; message: string };

export interface RouteFacts {
  userId: number;
  replyTo: ReplyTo;
  /** The window the request names (undefined: no such window of this user). */
  window?: WindowInfo;
  /** The user a CHAT on the built-in network names by nick (undefined: nobody). */
  nickUserId?: number;
}

/** The requests that name a window by `windowId`. */
export function windowIdOf(body: RequestBody): number | undefined {
  return 'windowId' in body && typeof body.windowId === 'number' && body.id !== 'UPDATE' ? body.windowId : undefined;
}

const notFound = (what: string): Route => ({ to: 'error', code: 'NOT_FOUND', message: `${what} not found` });

export function route(body: RequestBody, facts: RouteFacts): Route {
  const { userId, replyTo } = facts;
  const windowId = windowIdOf(body);
  if (windowId !== undefined && facts.window === undefined) return notFound(`window ${windowId} is`);
  const type = facts.window?.type;
  const windowType: WindowType | undefined = type === '1on1' || type === 'group' ? type : undefined;
  const owner = requestOwner(body, facts.window?.network, windowType);
  switch (owner) {
    case 'gateway':
      return { to: 'gateway' };
    case 'loopbackparser':
    case 'ircparser':
      return { to: 'inbox', inbox: owner };
    case 'im-router':
      return imJob(body, facts, userId, replyTo);
  }
}

function imJob(body: RequestBody, facts: RouteFacts, userId: number, replyTo: ReplyTo): Route {
  const peer = facts.window?.targetUserId;
  switch (body.id) {
    case 'REQUEST_FRIEND':
      return { to: 'queue', name: 'REQUEST_FRIEND', data: { v: 1, userId, target: body.userId !== undefined ? { userId: body.userId } : { nick: body.nick }, replyTo } };
    case 'FRIEND_VERDICT':
      return { to: 'queue', name: 'FRIEND_VERDICT', data: { v: 1, userId, requesterId: body.userId, allow: body.allow, replyTo } };
    case 'REMOVE_FRIEND':
    case 'BLOCK':
    case 'UNBLOCK':
      return { to: 'queue', name: body.id, data: { v: 1, userId, targetUserId: body.userId, replyTo } };
    case 'CHAT': {
      const targetUserId = body.userId ?? facts.nickUserId;
      if (targetUserId === undefined) return notFound(`user ${body.nick ?? ''} is`);
      return { to: 'queue', name: 'CHAT', data: { v: 1, userId, targetUserId, replyTo } };
    }
    case 'SEND':
      if (peer === undefined) return notFound('the other user of this window is');
      return { to: 'queue', name: 'SEND_DIRECT', data: { v: 1, userId, replyTo, targetUserId: peer, text: body.text, clientMsgId: body.clientMsgId } };
    case 'READ':
      if (peer === undefined) return notFound('the other user of this window is');
      return { to: 'queue', name: 'READ', data: { v: 1, userId, peerUserId: peer, gid: body.gid, replyTo } };
    case 'FETCH': {
      const { beforeGid, afterGid } = body;
      const page = { ...(beforeGid !== undefined ? { beforeGid } : {}), ...(afterGid !== undefined ? { afterGid } : {}) };
      return { to: 'queue', name: 'FETCH_DIRECT', data: { v: 1, userId, windowId: body.windowId, ...page, limit: body.limit, replyTo } };
    }
    case 'CLOSE':
      return { to: 'queue', name: 'CLOSE_DIRECT', data: { v: 1, userId, windowId: body.windowId, replyTo } };
    case 'CREATE':
    case 'JOIN':
    case 'EDIT':
    case 'COMMAND':
    case 'UPDATE_TOPIC':
    case 'UPDATE_PASSWORD':
    case 'UPDATE':
    case 'SET':
    case 'LOGOUT':
    case 'NOTES':
    case 'NOTE_ADD':
    case 'NOTE_EDIT':
    case 'NOTE_DELETE':
    case 'URLS':
      throw new Error(`route: ${body.id} is not an im-router request`);
  }
}
