/**
 * The init burst as a pure function of what Redis holds: settings, friends, networks, every
 * window with its members and its last messages, then FINISH_INIT. Whatever another app wrote
 * that does not fit the protocol is left out and reported, never sent and never fatal.
 */
import { type ParsedWindowListEntry } from '@parley/key-schema';
import {
  type AvailableNetwork,
  BUILTIN_NETWORK,
  DisplayNick,
  type Friend,
  type Member,
  type NetworkState,
  Notification,
  type NotificationOf,
  Role,
  type Settings,
  SettingValue,
  StoredMessage,
} from '@parley/protocol';

export interface WindowSnapshot {
  entry: ParsedWindowListEntry;
  /** `window:<userId>:<windowId>` */
  fields: Record<string, string>;
  /** `names:<userId>:<windowId>` (a room's: from `grouproles:<room>`): nick → role */
  names: Record<string, string>;
  /** A room's members: nick → their user id. */
  userIds?: Record<string, number>;
  /** A room's service bots (nicks), listed among its members as operators marked `bot`. */
  bots?: string[];
  /** The backlog, newest first, as the list holds it. */
  backlog: string[];
}

export interface Snapshot {
  /** The IRC networks users may connect to (the gateway's live list of Network objects). */
  availableNetworks?: AvailableNetwork[];
  /** The user's own nick (their name on the built-in network). */
  nick: string;
  /** `settings:<userId>`: name → JSON value. */
  settings: Record<string, string>;
  friends: { userId: number; nick: string | null; lastSeen: number | null; online: boolean }[];
  /** Friend requests waiting for the user's verdict (`im:message:friend-request:<userId>`). */
  friendRequests: { userId: number; nick: string | null }[];
  /** `networks:<userId>:<network>` of each IRC network the user has windows on. */
  networks: { name: string; fields: Record<string, string> }[];
  windows: WindowSnapshot[];
  /** Direct messages that reached no session of the user (`im:message:offline:<userId>`): packet and score. */
  offline: { packet: string; score: number }[];
}

export interface Burst {
  notifications: Notification[];
  /** `<windowId>:<gid>` of every message in the burst (complete-init.lua drops live duplicates). */
  carried: string[];
  /** The burst carries the offline direct messages up to this score (undefined: there were none). */
  offlineUpTo?: number;
}

export type Problem = (what: string, detail: Record<string, unknown>) => void;

/** Settings are stored as JSON values; a value that is not (written by hand) is taken as a string. */
export function decodeSettings(raw: Record<string, string>, problem: Problem): Settings {
  const settings: Settings = {};
  for (const [name, json] of Object.entries(raw)) {
    let value: unknown = json;
    try {
      value = JSON.parse(json);
    } catch {
      // a bare string
    }
    const parsed = SettingValue.safeParse(value);
    if (parsed.success) settings[name] = parsed.data;
    else problem('setting left out of the burst', { name });
  }
  return settings;
}

const bool = (value: string | undefined, fallback: boolean): boolean => (value === undefined ? fallback : value === 'true' || value === '1');

function addWindow(w: WindowSnapshot, problem: Problem): NotificationOf<'ADD_WINDOW'> | undefined {
  const f = w.fields;
  const role = Role.safeParse(f.userMode);
  const candidate = {
    type: 'ADD_WINDOW',
    windowId: w.entry.windowId,
    network: w.entry.network,
    name: f.name || w.entry.name,
    windowType: w.entry.type,
    topic: f.topic ?? '',
    role: role.success ? role.data : 'u',
    ...(f.targetUserId ? { userId: Number(f.targetUserId) } : {}),
    ...(w.entry.type === '1on1' && f.unread ? { unread: Number(f.unread) } : {}),
    // Only a sound watermark: an odd value drops the field, never the window.
    ...(Number.isSafeInteger(Number(f.readGid)) && Number(f.readGid) > 0 ? { readGid: Number(f.readGid) } : {}),
    visible: bool(f.visible, true),
    sounds: bool(f.sounds, false),
    titleAlert: bool(f.titleAlert, false),
  };
  const parsed = Notification.safeParse(candidate);
  if (!parsed.success || parsed.data.type !== 'ADD_WINDOW') {
    problem('window left out of the burst', { windowId: w.entry.windowId, error: parsed.error?.issues[0]?.message });
    return undefined;
  }
  return parsed.data;
}

function members(w: WindowSnapshot): Member[] {
  const people = Object.entries(w.names).map(([nick, role]): Member => {
    const userId = w.userIds?.[nick];
    return { nick, ...(userId !== undefined && Number.isSafeInteger(userId) && userId > 0 ? { userId } : {}), role: Role.safeParse(role).data ?? 'u' };
  });
  // (A nick written by hand that no member list could show is left out.)
  const bots = (w.bots ?? []).filter((nick) => DisplayNick.safeParse(nick).success).map((nick): Member => ({ nick, role: '@', bot: true }));
  return [...people, ...bots];
}

export function buildBurst(snapshot: Snapshot, maxBacklogMsgs: number, problem: Problem): Burst {
  const notifications: Notification[] = [];
  const carried: string[] = [];
  notifications.push({ type: 'UPDATE_SETTINGS', settings: decodeSettings(snapshot.settings, problem) });

  const friends: Friend[] = snapshot.friends
    .filter((f) => f.nick !== null)
    .map((f) => ({ userId: f.userId, nick: f.nick!, online: f.online, ...(f.lastSeen !== null ? { lastSeen: f.lastSeen } : {}) }));
  notifications.push({ type: 'UPDATE_FRIENDS', reset: true, friends });
  for (const r of snapshot.friendRequests) if (r.nick !== null) notifications.push({ type: 'FRIEND_REQUEST', userId: r.userId, nick: r.nick });

  const networks = [
    { name: BUILTIN_NETWORK, state: 'connected' as const, currentNick: snapshot.nick },
    ...snapshot.networks.map((n) => {
      const state: NetworkState = n.fields.state === 'connected' || n.fields.state === 'connecting' ? n.fields.state : 'disconnected';
      return { name: n.name, state, ...(n.fields.currentnick ? { currentNick: n.fields.currentnick } : {}) };
    }),
  ];
  notifications.push({ type: 'UPDATE_NETWORKS', networks });
  notifications.push({ type: 'NETWORK_LIST', networks: snapshot.availableNetworks ?? [] });

  const windows = [...snapshot.windows].sort((a, b) => a.entry.windowId - b.entry.windowId);
  const offline = offlineByPeer(snapshot.offline, problem);
  const pages: { windowId: number; messages: StoredMessage[] }[] = [];
  for (const w of windows) {
    const add = addWindow(w, problem);
    if (!add) continue;
    notifications.push(add);
    const list = members(w);
    if (list.length > 0) notifications.push({ type: 'UPDATE_MEMBERS', windowId: add.windowId, reset: true, members: list });
    const messages: StoredMessage[] = [];
    for (const raw of w.backlog.slice(0, maxBacklogMsgs).reverse()) {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const parsed = StoredMessage.safeParse(json);
      if (!parsed.success) {
        problem('message left out of the burst', { windowId: add.windowId });
        continue;
      }
      messages.push(parsed.data);
    }
    // Direct messages that reached no session: all of them, whatever maxBacklogMsgs says.
    const peer = w.entry.network === BUILTIN_NETWORK && w.entry.type === '1on1' ? add.userId : undefined;
    const missed = peer === undefined ? undefined : offline.get(peer);
    if (missed) {
      const shown = new Set(messages.map((m) => m.gid));
      messages.push(...missed.filter((m) => !shown.has(m.gid)));
      messages.sort((a, b) => a.gid - b.gid);
    }
    for (const m of messages) carried.push(`${add.windowId}:${m.gid}`);
    if (messages.length > 0) pages.push({ windowId: add.windowId, messages });
  }
  // One ADD_MESSAGES per window keeps each notification (and each socket frame) bounded.
  for (const page of pages) notifications.push({ type: 'ADD_MESSAGES', messages: [page] });
  notifications.push({ type: 'FINISH_INIT' });
  const offlineUpTo = snapshot.offline.length > 0 ? Math.max(...snapshot.offline.map((o) => o.score)) : undefined;
  return { notifications, carried, ...(offlineUpTo !== undefined ? { offlineUpTo } : {}) };
}

/** im-router's offline packets ({ from, gid, ts, body, nick }) as the messages of each sender's window. */
function offlineByPeer(offline: Snapshot['offline'], problem: Problem): Map<number, StoredMessage[]> {
  const byPeer = new Map<number, StoredMessage[]>();
  for (const { packet } of offline) {
    let json: { from?: unknown; gid?: unknown; ts?: unknown; body?: unknown; nick?: unknown } | undefined;
    try {
      json = JSON.parse(packet) as typeof json;
    } catch {
      json = undefined;
    }
    const parsed = StoredMessage.safeParse({ gid: json?.gid, ts: json?.ts, cat: 'msg', body: json?.body, nick: json?.nick, userId: json?.from });
    if (!parsed.success || parsed.data.userId === undefined) {
      problem('offline message left out of the burst', { error: parsed.error?.issues[0]?.message });
      continue;
    }
    const list = byPeer.get(parsed.data.userId) ?? [];
    list.push(parsed.data);
    byPeer.set(parsed.data.userId, list);
  }
  return byPeer;
}
