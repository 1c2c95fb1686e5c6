// The catalog's builder calls, shared by catalog.spec.ts (plain key names) and cluster.spec.ts (the
// same calls on a copy of the package loaded in cluster mode).
import type * as AnopeModule from '../src/anope';
import type * as ImModule from '../src/im';
import { type Key, type RedisType } from '../src/key';
import type * as MasModule from '../src/mas';

// One call per family with the catalog's sample arguments. `typed` makes the compiler hold the
// stated Redis type against the builder's return type, so the runtime check below covers it too.
const typed = <T extends RedisType>(type: T, build: () => Key<NoInfer<T>>) => ({ type, build });
const room = 'Tea Room';
const uuid = '2f1c7e9a-5b3d-4c8e-9f01-a2b3c4d5e6f7';
const consumer = 'ircparser-1@host.a';

export function builtFamilies(mas: typeof MasModule, anope: typeof AnopeModule, imKeys: typeof ImModule.imKeys): Readonly<Record<string, { type: RedisType; build: () => string }>> {
  const im = imKeys();
  return {
  user: typed('hash', () => mas.user(42)),
  sessionlist: typed('zset', () => mas.sessionList(42)),
  session: typed('hash', () => mas.session(42, 's3ss10n')),
  sessionlastrequest: typed('zset', () => mas.sessionLastRequest()),
  outbox: typed('list', () => mas.outbox(42, 's3ss10n')),
  sessionreplies: typed('hash', () => mas.sessionReplies(42, 's3ss10n')),
  sessionend: typed('string', () => mas.sessionEnd(42, 's3ss10n')),
  'index:user': typed('hash', () => mas.userIndex()),
  users: typed('set', () => mas.users()),
  nextavailableuserId: typed('string', () => mas.nextAvailableUserId()),
  passwordresettoken: typed('string', () => mas.passwordResetToken('r3setT0ken')),
  authtoken: typed('hash', () => mas.authToken('9f86d081')),
  authtokens: typed('zset', () => mas.userAuthTokens(42)),
  ratelimit: typed('string', () => mas.rateLimit('login-ip', '127.0.0.1')),
  settings: typed('hash', () => mas.settings(42)),
  friends: typed('set', () => mas.friends(42)),
  userinbox: typed('list', () => mas.userInbox(42)),
  windowlist: typed('set', () => mas.windowList(42)),
  networks: typed('hash', () => mas.networks(42, 'Libera')),
  ircretry: typed('zset', () => mas.ircRetry()),
  ircoutbox: typed('zset', () => mas.ircOutbox(42, 'libera')),
  ircclientmsg: typed('hash', () => mas.ircClientMsg(42, 7, 'c-1')),
  window: typed('hash', () => mas.window(42, 7)),
  windowmsgs: typed('list', () => mas.windowMsgs(42, 7)),
  names: typed('hash', () => mas.names(42, 7)),
  notelist: typed('set', () => mas.noteList(42, 7)),
  note: typed('hash', () => mas.note(uuid)),
  urls: typed('list', () => mas.urls(42, 7)),
  group: typed('hash', () => mas.group(room)),
  groupmembers: typed('set', () => mas.groupMembers(room)),
  groupbacklog: typed('list', () => mas.groupBacklog(room)),
  grouproles: typed('hash', () => mas.groupRoles(room)),
  groupwindows: typed('hash', () => mas.groupWindows(room)),
  groupclientmsg: typed('string', () => mas.groupClientMsg(room, 42, 'c-1')),
  groupbots: typed('hash', () => mas.groupBots(room)),
  botrooms: typed('set', () => mas.botRooms(3)),
  assignedbots: typed('set', () => mas.assignedBots()),
  'inbox:loopbackparser': typed('list', () => mas.inbox('loopbackparser')),
  'inbox:ircparser': typed('list', () => mas.inbox('ircparser')),
  'inbox:connectionmanager': typed('list', () => mas.inbox('connectionmanager')),
  'inbox:dead': typed('list', () => mas.inboxDead('ircparser')),
  'inbox:stats': typed('hash', () => mas.inboxStats('ircparser')),
  'inbox:processing': typed('list', () => mas.inboxProcessing('ircparser', consumer)),
  'inbox:handoff': typed('list', () => mas.inboxHandoff('ircparser', consumer)),
  'inbox:owners': typed('hash', () => mas.inboxOwners('ircparser')),
  'inbox:consumers': typed('zset', () => mas.inboxConsumers('ircparser')),
  'inbox:takes': typed('hash', () => mas.inboxTakes('ircparser')),
  id: typed('string', () => anope.objectId('NickCore')),
  ids: typed('set', () => anope.objectIds('NickCore')),
  hash: typed('hash', () => anope.objectHash('NickCore', 3)),
  value: typed('set', () => anope.objectValue('NickCore', 'email', 'adam@anope.org')),
  idx: typed('set', () => anope.objectIndexRefs('NickCore', 3)),
  'im:user': typed('string', () => im.user(42)),
  'im:user:login': typed('hash', () => im.userLogin(42)),
  'im:user:group': typed('string', () => im.userGroup(room)),
  'im:user:group:members': typed('hash', () => im.userGroupMembers(room)),
  'im:user:contact:friend': typed('hash', () => im.contactFriend(42)),
  'im:black-list:group': typed('hash', () => im.blackListGroup(room)),
  'im:black-list:user': typed('hash', () => im.blackListUser(42)),
  'im:message:friend-request': typed('zset', () => im.friendRequest(42)),
  'im:message:group-request': typed('zset', () => im.groupRequest(room)),
  'im:message:send': typed('zset', () => im.messageSend(42)),
  'im:message:receive': typed('zset', () => im.messageReceive({ userId: 42 })),
  'im:message:receive:group': typed('zset', () => im.messageReceive({ room })),
  'im:message:offline': typed('zset', () => im.messageOffline(42)),
  'im:message:fail': typed('zset', () => im.messageFail(42, 43)),
  'im:message:read-receipt': typed('hash', () => im.readReceipt('m-1001')),
  'im:cluster:server:offline': typed('hash', () => im.clusterServerOffline()),
  'im:app': typed('string', () => im.app('demo-app')),
  'im:app:connection': typed('hash', () => im.appConnection('demo-app')),
  appnonce: typed('string', () => mas.appNonce('demo-app', 'n0nce-1')),
  gateways: typed('zset', () => mas.gatewayHeartbeats()),
  networklistannounced: typed('string', () => mas.networkListAnnounced()),
  scriptroute: typed('string', () => mas.scriptRoute()),
  'im:conversation': typed('hash', () => im.conversation(43, 42)),
  'im:clientmsg': typed('string', () => im.clientMsg(42, 'abc-1')),
  'im:presence': typed('hash', () => im.presence()),
  'im:dm-users': typed('set', () => im.dmUsers()),
  'im:offline-floor': typed('hash', () => im.offlineFloor()),
  };
}
