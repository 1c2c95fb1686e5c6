/**
 * The client's picture of the user's world, as a pure reducer over the gateway's notifications and
 * a few local actions. Everything the screen shows comes from here, so what a reconnect, a resume
 * or a fresh burst does to it is decided in one place and tested without a browser.
 */
import type { AvailableNetwork, Friend, Member, Message, NetworkStatus, Note, Notification, Role, Settings } from '@parley/protocol';
import { BUILTIN_NETWORK } from './constants';
import { mentions } from './format';

export interface ChatWindow {
  windowId: number;
  network: string;
  name: string;
  windowType: 'group' | '1on1';
  topic: string;
  role: Role;
  userId?: number;
  visible: boolean;
  sounds: boolean;
  titleAlert: boolean;
  /** Ascending by gid, each gid once (an edit replaces its message). */
  messages: Message[];
  members: Member[];
  unread: number;
  mentions: number;
  /** The newest gid the user has seen in this window. */
  seenGid: number;
  /** `seenGid` when the window was opened: the "new messages" marker goes after it. */
  markerGid?: number;
  /** Whether older history may exist on the server (FETCH before the oldest gid). */
  hasOlder: boolean;
  /** 1on1: the peer has read up to this gid (READ_RECEIPT). */
  peerReadGid?: number;
  /** The user's read watermark on the server (the last READ of any of their sessions). */
  readGid?: number;
}

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'ended';

export interface ChatState {
  userId?: number;
  connection: ConnectionState;
  ended?: { code: string; reason: string };
  initDone: boolean;
  settings: Settings;
  friends: Record<number, Friend>;
  friendRequests: { userId: number; nick: string }[];
  networks: Record<string, NetworkStatus>;
  /** The IRC networks the server offers (NETWORK_LIST: kept current by the server). */
  availableNetworks: AvailableNetwork[];
  windows: Record<number, ChatWindow>;
  active?: number;
  /** A window asked for before its ADD_WINDOW arrived (a request's answer can come first): opened when it does. */
  wanted?: number;
  /** Own messages stored before their window's ADD_WINDOW arrived: added to it when it does. */
  early: Record<number, Message[]>;
  joinRequests: { windowId: number; userId: number; nick: string }[];
  invites: { network: string; name: string; nick: string }[];
  /** Notes of the windows whose notes were loaded (NOTES), kept current by UPDATE_NOTE / DELETE_NOTE. */
  notes: Record<number, Note[]>;
  /** The tab is visible and focused. */
  focused: boolean;
  /** Mentions and direct messages that arrived while the tab was hidden (the title shows them). */
  alerts: number;
}

export type Action =
  | { type: 'ntf'; n: Notification }
  | { type: 'session'; userId: number; resumed: boolean }
  | { type: 'connection'; state: ConnectionState }
  | { type: 'terminated'; code: string; reason: string }
  | { type: 'select'; windowId: number }
  | { type: 'own'; windowId: number; message: Message }
  | { type: 'history'; windowId: number; messages: Message[]; complete: boolean }
  | { type: 'focus'; focused: boolean }
  | { type: 'clear'; windowId: number }
  /** Puts settings back as they were before a refused SET (`names` that were unset are removed). */
  | { type: 'revertSettings'; names: string[]; before: Settings }
  | { type: 'notes'; windowId: number; notes: Note[] }
  | { type: 'friendRequestHandled'; userId: number }
  | { type: 'joinRequestHandled'; windowId: number; userId: number }
  | { type: 'inviteHandled'; network: string; name: string };

/** Messages kept per window in memory; older ones are fetched again when scrolled to. */
export const WINDOW_MESSAGES_KEPT = 2000;

export const initialState = (focused = true): ChatState => ({
  connection: 'connecting',
  initDone: false,
  settings: {},
  friends: {},
  friendRequests: [],
  networks: {},
  availableNetworks: [],
  windows: {},
  joinRequests: [],
  invites: [],
  notes: {},
  early: {},
  focused,
  alerts: 0,
});

const ROLE_RANK: Record<Role, number> = { '*': 0, '@': 1, '+': 2, u: 3 };

export function sortMembers(members: Member[]): Member[] {
  return [...members].sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role] || a.nick.localeCompare(b.nick, undefined, { sensitivity: 'base' }));
}

/** Merges messages into a window's list: ascending by gid, one per gid (the later version wins). */
export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const last = existing[existing.length - 1];
  const sortedIncoming = [...incoming].sort((a, b) => a.gid - b.gid);
  // The usual case: newer messages at the end.
  if (!last || sortedIncoming[0]!.gid > last.gid) {
    const out = existing.concat(dedupe(sortedIncoming));
    return out.length > WINDOW_MESSAGES_KEPT ? out.slice(out.length - WINDOW_MESSAGES_KEPT) : out;
  }
  const byGid = new Map<number, Message>();
  for (const m of existing) byGid.set(m.gid, m);
  for (const m of sortedIncoming) byGid.set(m.gid, m);
  const out = [...byGid.values()].sort((a, b) => a.gid - b.gid);
  return out.length > WINDOW_MESSAGES_KEPT ? out.slice(out.length - WINDOW_MESSAGES_KEPT) : out;
}

function dedupe(sorted: Message[]): Message[] {
  const out: Message[] = [];
  for (const m of sorted) {
    if (out.length > 0 && out[out.length - 1]!.gid === m.gid) out[out.length - 1] = m;
    else out.push(m);
  }
  return out;
}

const COUNTED = new Set<Message['cat']>(['msg', 'action', 'notice']);

/** The user's nick on a network (the built-in network's is their Parley nick). */
export function myNick(state: ChatState, network: string): string | undefined {
  return state.networks[network]?.currentNick ?? (network !== BUILTIN_NETWORK ? state.networks[BUILTIN_NETWORK]?.currentNick : undefined);
}

/** Whether a message is the user's: by user id where both are known, else by their nick there. */
export const ownBy =
  (userId: number | undefined, nick: string | undefined) =>
  (m: Message): boolean => {
    if (m.userId !== undefined && userId !== undefined) return m.userId === userId;
    return nick !== undefined && m.nick.toLowerCase() === nick.toLowerCase();
  };

export function isOwn(state: ChatState, w: ChatWindow, m: Message): boolean {
  return ownBy(state.userId, myNick(state, w.network))(m);
}

/**
 * Whether a message asks for the user's attention: a direct message, a mention, or any message of
 * a window whose `titleAlert` setting is on (MAS's meaning of it); never the user's own.
 */
export function isAlert(state: ChatState, w: ChatWindow, m: Message): boolean {
  if (!COUNTED.has(m.cat) || isOwn(state, w, m) || m.edited) return false;
  return w.windowType === '1on1' || w.titleAlert || mentions(m.body, myNick(state, w.network));
}

/** Windows in the order the window list shows them (built-in rooms, direct messages, then each IRC network). */
export function windowOrder(state: ChatState): ChatWindow[] {
  const groupRank = (w: ChatWindow) => (w.network === BUILTIN_NETWORK ? (w.windowType === 'group' ? 0 : 1) : 2);
  return Object.values(state.windows)
    .filter((w) => w.visible !== false || w.windowId === state.active)
    .sort(
      (a, b) =>
        groupRank(a) - groupRank(b) ||
        a.network.localeCompare(b.network) ||
        serverFirst(a) - serverFirst(b) ||
        (a.windowType === b.windowType ? 0 : a.windowType === 'group' ? -1 : 1) ||
        a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) ||
        a.windowId - b.windowId,
    );
}

/** An IRC network's server window (`*`). */
export const isServerWindow = (w: Pick<ChatWindow, 'network' | 'name'>) => w.network !== BUILTIN_NETWORK && w.name === '*';
const serverFirst = (w: ChatWindow) => (isServerWindow(w) ? 0 : 1);

/** The label of a window in lists and headers. */
export const windowLabel = (w: Pick<ChatWindow, 'network' | 'name'>) => (isServerWindow(w) ? w.network : w.name);

function withWindow(state: ChatState, windowId: number, change: (w: ChatWindow) => ChatWindow): ChatState {
  const w = state.windows[windowId];
  if (!w) return state;
  return { ...state, windows: { ...state.windows, [windowId]: change(w) } };
}

const lastGid = (w: ChatWindow) => w.messages[w.messages.length - 1]?.gid ?? 0;

/** Live messages arriving in a window: unread and mention counts unless the user is looking at it. */
function addLive(state: ChatState, windowId: number, incoming: Message[]): ChatState {
  const w = state.windows[windowId];
  if (!w) return state;
  const looking = state.active === windowId && state.focused;
  const known = new Set(w.messages.map((m) => m.gid));
  let unread = w.unread;
  let mentionCount = w.mentions;
  let alerts = state.alerts;
  for (const m of incoming) {
    if (known.has(m.gid) || !COUNTED.has(m.cat) || isOwn(state, w, m)) continue;
    const alert = isAlert(state, w, m);
    if (!looking) {
      unread++;
      if (alert) mentionCount++;
    }
    if (alert && !state.focused) alerts++;
  }
  const messages = mergeMessages(w.messages, incoming);
  const seenGid = looking ? Math.max(w.seenGid, messages[messages.length - 1]?.gid ?? 0) : w.seenGid;
  return { ...state, alerts, windows: { ...state.windows, [windowId]: { ...w, messages, unread, mentions: mentionCount, seenGid } } };
}

/** Unread and mention counts of the messages of others after a read watermark. */
function countAfter(state: ChatState, w: ChatWindow, messages: readonly Message[], watermark: number): { unread: number; mentions: number } {
  let unread = 0;
  let mentionCount = 0;
  for (const m of messages) {
    if (m.gid <= watermark || !COUNTED.has(m.cat) || isOwn(state, w, m)) continue;
    unread++;
    if (isAlert(state, w, m)) mentionCount++;
  }
  return { unread, mentions: mentionCount };
}

/**
 * History (the burst, a join's backlog, a FETCH page): not news. Where the server says how far the
 * user has read (`readGid`, or a direct message's `unread`), what comes after it is unread and the
 * "new messages" marker goes there; otherwise all of it counts as seen.
 */
function addHistory(state: ChatState, windowId: number, incoming: Message[]): ChatState {
  return withWindow(state, windowId, (w) => {
    const messages = mergeMessages(w.messages, incoming);
    const hasOlder = w.hasOlder || incoming.length > 0;
    if (state.initDone && state.active === windowId && state.focused) return { ...w, messages, hasOlder, seenGid: Math.max(w.seenGid, messages[messages.length - 1]?.gid ?? 0) };
    let watermark = w.readGid !== undefined ? Math.max(w.readGid, w.seenGid) : undefined;
    if (watermark !== undefined) {
      // READ names the newest message of others: the user's own lines (and info lines) after it
      // were seen too, so the marker goes right before the first unread one, or nowhere.
      const firstUnread = messages.find((m) => m.gid > watermark! && COUNTED.has(m.cat) && !isOwn(state, w, m));
      watermark = firstUnread ? firstUnread.gid - 1 : Math.max(watermark, messages[messages.length - 1]?.gid ?? 0);
    }
    if (watermark === undefined && w.unread > 0) {
      const theirs = messages.filter((m) => COUNTED.has(m.cat) && !isOwn(state, w, m));
      const firstUnread = theirs[Math.max(0, theirs.length - w.unread)];
      if (firstUnread) watermark = firstUnread.gid - 1;
    }
    if (watermark === undefined) return { ...w, messages, hasOlder, seenGid: Math.max(w.seenGid, messages[messages.length - 1]?.gid ?? 0) };
    const counts = countAfter(state, w, messages, watermark);
    // A server's unread count may reach past the history held (a long absence): the larger wins.
    return { ...w, messages, hasOlder, seenGid: watermark, unread: Math.max(counts.unread, w.unread), mentions: counts.mentions };
  });
}

/** Another session of the user moved the read watermark (or a direct message's unread count). */
function updateWindow(state: ChatState, n: Extract<Notification, { type: 'UPDATE_WINDOW' }>): ChatState {
  const { type: _t, windowId, ...fields } = n;
  return withWindow(state, windowId, (w) => {
    const next = { ...w, ...fields };
    if (fields.readGid !== undefined) {
      next.readGid = Math.max(w.readGid ?? 0, fields.readGid);
      // Another session read further than this one has seen: count from there. One that read
      // less (its READ came late) changes nothing here, its unread count included.
      if (next.readGid > w.seenGid) Object.assign(next, { seenGid: next.readGid }, countAfter(state, w, w.messages, next.readGid));
      else next.unread = w.unread;
    }
    // A count from the server never leaves more mentions than unread messages.
    next.mentions = Math.min(next.mentions, next.unread);
    return next;
  });
}

function selectWindow(state: ChatState, windowId: number): ChatState {
  const w = state.windows[windowId];
  if (!w) return state;
  // The marker moves to what is new; coming back to the window in view (focus) keeps it.
  const markerGid = w.seenGid < lastGid(w) ? w.seenGid : state.active === windowId ? w.markerGid : undefined;
  const seen = { ...w, unread: 0, mentions: 0, markerGid, seenGid: Math.max(w.seenGid, lastGid(w)) };
  return { ...state, active: windowId, windows: { ...state.windows, [windowId]: seen } };
}

function firstWindow(state: ChatState): number | undefined {
  return windowOrder(state)[0]?.windowId;
}

function applyNotification(state: ChatState, n: Notification): ChatState {
  switch (n.type) {
    case 'ADD_WINDOW': {
      const { type: _t, ...fields } = n;
      const old = state.windows[n.windowId];
      const early = state.early[n.windowId];
      const w: ChatWindow = {
        ...fields,
        messages: early ? mergeMessages(old?.messages ?? [], early) : (old?.messages ?? []),
        members: old?.members ?? [],
        unread: n.unread ?? old?.unread ?? 0,
        mentions: old?.mentions ?? 0,
        // Own messages sent before the window came are seen.
        seenGid: Math.max(old?.seenGid ?? 0, ...(early ?? []).map((m) => m.gid)),
        hasOlder: old?.hasOlder ?? false,
      };
      const rest = { ...state.early };
      delete rest[n.windowId];
      const next = { ...state, early: rest, windows: { ...state.windows, [n.windowId]: w } };
      if (next.wanted === n.windowId) return selectWindow({ ...next, wanted: undefined }, n.windowId);
      return next.active === undefined && next.initDone ? selectWindow(next, n.windowId) : next;
    }
    case 'UPDATE_WINDOW':
      return updateWindow(state, n);
    case 'DELETE_WINDOW': {
      if (!state.windows[n.windowId]) return state;
      const windows = { ...state.windows };
      delete windows[n.windowId];
      const notes = { ...state.notes };
      delete notes[n.windowId];
      const next: ChatState = { ...state, windows, notes, joinRequests: state.joinRequests.filter((r) => r.windowId !== n.windowId) };
      if (state.active !== n.windowId) return next;
      const other = firstWindow({ ...next, active: undefined });
      return other === undefined ? { ...next, active: undefined } : selectWindow(next, other);
    }
    case 'ADD_MESSAGE': {
      const { type: _t, windowId, ...message } = n;
      return state.initDone ? addLive(state, windowId, [message]) : addHistory(state, windowId, [message]);
    }
    case 'ADD_MESSAGES': {
      // Pages of history (the init burst, the backlog a join brings), never live news.
      let next = state;
      for (const page of n.messages) next = addHistory(next, page.windowId, page.messages);
      return next;
    }
    case 'UPDATE_MEMBERS':
      return withWindow(state, n.windowId, (w) => {
        if (n.reset) return { ...w, members: sortMembers(n.members) };
        const byNick = new Map(w.members.map((m) => [m.nick.toLowerCase(), m]));
        for (const m of n.members) byNick.set(m.nick.toLowerCase(), m);
        return { ...w, members: sortMembers([...byNick.values()]) };
      });
    case 'DELETE_MEMBERS': {
      const gone = new Set(n.members.map((m) => m.nick.toLowerCase()));
      return withWindow(state, n.windowId, (w) => ({ ...w, members: w.members.filter((m) => !gone.has(m.nick.toLowerCase())) }));
    }
    case 'UPDATE_SETTINGS':
      return { ...state, settings: { ...state.settings, ...n.settings } };
    case 'UPDATE_FRIENDS': {
      const friends: Record<number, Friend> = n.reset ? {} : { ...state.friends };
      for (const f of n.friends) friends[f.userId] = f;
      return { ...state, friends, friendRequests: state.friendRequests.filter((r) => !friends[r.userId]) };
    }
    case 'FRIEND_REQUEST':
      if (state.friendRequests.some((r) => r.userId === n.userId)) return state;
      return { ...state, friendRequests: [...state.friendRequests, { userId: n.userId, nick: n.nick }] };
    case 'UPDATE_NETWORKS': {
      const networks = { ...state.networks };
      for (const net of n.networks) networks[net.name] = { ...networks[net.name], ...net };
      return { ...state, networks };
    }
    case 'NETWORK_LIST':
      return { ...state, availableNetworks: n.networks };
    case 'READ_RECEIPT':
      if (n.userId === state.userId) return state;
      return withWindow(state, n.windowId, (w) => ({ ...w, peerReadGid: Math.max(w.peerReadGid ?? 0, n.gid) }));
    case 'JOIN_REQUEST':
      if (state.joinRequests.some((r) => r.windowId === n.windowId && r.userId === n.userId)) return state;
      return { ...state, joinRequests: [...state.joinRequests, { windowId: n.windowId, userId: n.userId, nick: n.nick }] };
    case 'ROOM_INVITE':
      if (state.invites.some((i) => i.network === n.network && i.name === n.name)) return state;
      return { ...state, invites: [...state.invites, { network: n.network, name: n.name, nick: n.nick }] };
    case 'UPDATE_NOTE': {
      const notes = state.notes[n.windowId];
      if (!notes) return state;
      const others = notes.filter((x) => x.noteId !== n.note.noteId);
      return { ...state, notes: { ...state.notes, [n.windowId]: [...others, n.note].sort((a, b) => a.ts - b.ts) } };
    }
    case 'DELETE_NOTE': {
      const notes = state.notes[n.windowId];
      if (!notes) return state;
      return { ...state, notes: { ...state.notes, [n.windowId]: notes.filter((x) => x.noteId !== n.noteId) } };
    }
    case 'FINISH_INIT': {
      const next = { ...state, initDone: true };
      const pick = next.active !== undefined && next.windows[next.active] ? next.active : firstWindow(next);
      return pick === undefined ? next : selectWindow(next, pick);
    }
  }
}

export function reduce(state: ChatState, action: Action): ChatState {
  switch (action.type) {
    case 'ntf':
      return applyNotification(state, action.n);
    case 'session':
      if (action.resumed) return { ...state, userId: action.userId, connection: 'online' };
      // A new session: its burst describes everything again. The window being looked at is kept
      // so that the user stays where they were if it still exists.
      return { ...initialState(state.focused), userId: action.userId, connection: 'online', active: state.active, settings: state.settings };
    case 'connection':
      return state.connection === 'ended' ? state : { ...state, connection: action.state };
    case 'terminated':
      return { ...state, connection: 'ended', ended: { code: action.code, reason: action.reason } };
    case 'select':
      return state.windows[action.windowId] ? selectWindow({ ...state, wanted: undefined }, action.windowId) : { ...state, wanted: action.windowId };
    case 'own':
      if (!state.windows[action.windowId]) return { ...state, early: { ...state.early, [action.windowId]: [...(state.early[action.windowId] ?? []), action.message] } };
      return withWindow(state, action.windowId, (w) => {
        const messages = mergeMessages(w.messages, [action.message]);
        return { ...w, messages, seenGid: Math.max(w.seenGid, action.message.gid) };
      });
    case 'history':
      return withWindow(state, action.windowId, (w) => ({ ...w, messages: mergeMessages(w.messages, action.messages), hasOlder: !action.complete }));
    case 'focus': {
      const next = { ...state, focused: action.focused, alerts: action.focused ? 0 : state.alerts };
      return action.focused && next.active !== undefined ? selectWindow(next, next.active) : next;
    }
    case 'revertSettings': {
      const settings = { ...state.settings };
      for (const name of action.names) {
        if (action.before[name] === undefined) delete settings[name];
        else settings[name] = action.before[name];
      }
      return { ...state, settings };
    }
    case 'clear':
      return withWindow(state, action.windowId, (w) => ({ ...w, messages: [], markerGid: undefined, hasOlder: true }));
    case 'notes':
      return { ...state, notes: { ...state.notes, [action.windowId]: [...action.notes].sort((a, b) => a.ts - b.ts) } };
    case 'friendRequestHandled':
      return { ...state, friendRequests: state.friendRequests.filter((r) => r.userId !== action.userId) };
    case 'joinRequestHandled':
      return { ...state, joinRequests: state.joinRequests.filter((r) => !(r.windowId === action.windowId && r.userId === action.userId)) };
    case 'inviteHandled':
      return { ...state, invites: state.invites.filter((i) => !(i.network === action.network && i.name === action.name)) };
  }
}

