/**
 * One logged-in user's live chat: the typed client's session (resumed across dropped connections,
 * notifications in order and once), the state it builds, and the side effects the state asks for
 * (read watermarks, the title alert, desktop notifications, sounds). Components read `state` and
 * call the methods; nothing else talks to the gateway.
 */
import { ParleyClient, SessionLostError } from '@parley/client';
import type { Message, Notification, RequestBody, RequestId, RequestResponseOf, SequencedNotification, Settings, WindowSettings } from '@parley/protocol';
import { BUILTIN_NETWORK, FETCH_LIMIT_MAX } from './constants';
import { type Action, type ChatState, type ChatWindow, initialState, isAlert, isOwn, reduce, windowLabel } from './state';

/** A request the server refused: its code and message are shown to the user. */
export class RequestFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

export type OkOf<I extends RequestId> = Extract<RequestResponseOf<I>, { status: 'OK' }>;

const HISTORY_PAGE = 100;
const READ_DELAY_MS = 250;
const REFUSED_RETRY_MS = 5_000;
/** Terminate codes after which the login itself is gone: back to the login screen. */
const LOGIN_GONE = new Set(['LOGOUT', 'PASSWORD_CHANGED', 'ACCOUNT_REMOVED']);

export interface ChatOptions {
  url?: string;
  /** The window title without alerts. */
  title?: string;
  /** Desktop notifications (browser permission given and the user's setting on). */
  notify?: (title: string, body: string, windowId: number) => void;
  /** A sound for an alert in a window whose `sounds` setting is on. */
  sound?: () => void;
  /** The login no longer works (logged out elsewhere, password changed, or the socket refused). */
  onLoginLost?: (reason: string) => void;
}

export class Chat {
  state: ChatState;
  readonly client: ParleyClient;
  private readonly listeners = new Set<() => void>();
  /** The READ watermark sent per window, and the ones waiting to be sent. */
  private readonly readSent = new Map<number, number>();
  private readonly readDue = new Map<number, number>();
  private readonly fetching = new Set<number>();
  private readTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Stopped by the page (logged out, left): what the socket still says changes no screen. */
  private stopped = false;

  constructor(private readonly options: ChatOptions = {}) {
    this.state = initialState(typeof document === 'undefined' ? true : !document.hidden);
    const mobile = typeof window !== 'undefined' && window.matchMedia?.('(max-width: 700px)').matches;
    this.client = new ParleyClient({
      url: options.url ?? window.location.origin,
      clientName: 'parley-web',
      maxBacklogMsgs: HISTORY_PAGE,
      deviceType: mobile ? 'mobile' : 'web',
      ackDelayMs: 300,
      ...(previousSession() ? { replaces: previousSession()! } : {}),
    });
    this.client.on('notification', (n) => this.onNotification(n));
    this.client.on('session', (ack) => {
      rememberSession(ack.sessionId);
      this.dispatch({ type: 'session', userId: ack.userId, resumed: ack.resumed });
    });
    this.client.on('terminate', (t) => {
      this.dispatch({ type: 'terminated', code: t.code, reason: t.reason });
      if (LOGIN_GONE.has(t.code)) this.loginLost(t.reason);
    });
    // Counted by the client (gaps, repeats) or a refused init: worth a line in the console.
    this.client.on('problem', (message) => console.warn(`parley: ${message}`));
    this.client.socket.on('disconnect', () => this.dispatch({ type: 'connection', state: 'reconnecting' }));
    this.client.socket.io.on('reconnect_attempt', () => this.dispatch({ type: 'connection', state: 'reconnecting' }));
    this.client.socket.on('connect_error', (err) => {
      // Refused by the gateway itself (not the network): socket.io does not try again by itself.
      if (!this.client.socket.active) this.refused(err.message);
    });
    // An init refused (the gateway could not build the session, say): the same, at the next step.
    this.client.on('refused', (code) => this.refused(code));
  }

  /**
   * Connects (the first init); later drops are resumed by the client by itself. Rejects only when
   * the login is not accepted; any other refusal is tried again.
   */
  start(): Promise<void> {
    this.stopped = false;
    return this.client.connect().then(
      () => undefined,
      (err: unknown) => {
        if (err instanceof Error && /UNAUTHORIZED/.test(err.message)) throw err;
      },
    );
  }

  /** The gateway said no: back to the login screen if the login is gone, else try again soon. */
  private refused(code: string): void {
    if (code === 'UNAUTHORIZED') {
      this.dispatch({ type: 'terminated', code, reason: 'the login is no longer valid' });
      this.loginLost('the login is no longer valid; log in again');
      return;
    }
    this.dispatch({ type: 'connection', state: 'reconnecting' });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.client.socket.disconnect();
      this.client.socket.connect();
    }, REFUSED_RETRY_MS);
  }

  private loginLost(reason: string): void {
    if (!this.stopped) this.options.onLoginLost?.(reason);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.readTimer);
    clearTimeout(this.retryTimer);
    this.readTimer = undefined;
    this.client.disconnect();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): ChatState => this.state;

  dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.afterChange();
    for (const l of this.listeners) l();
  }

  private onNotification(n: SequencedNotification): void {
    const { seq: _seq, ...notification } = n;
    // Only single live messages alert: ADD_MESSAGES carries history (the burst, a join's backlog).
    const fresh = notification.type === 'ADD_MESSAGE' && this.state.initDone ? this.freshAlert(notification) : undefined;
    this.dispatch({ type: 'ntf', n: notification });
    if (!fresh) return;
    // Side effects come after the state has the message, and may fail without losing anything.
    const { w, m, looking } = fresh;
    try {
      if (!this.state.focused) this.options.notify?.(windowLabel(w), `${m.nick}: ${m.body}`, w.windowId);
      if (w.sounds && !looking) this.options.sound?.();
    } catch (err) {
      console.warn('parley: an alert could not be shown', err);
    }
  }

  private freshAlert(n: Extract<Notification, { type: 'ADD_MESSAGE' }>): { w: ChatWindow; m: Message; looking: boolean } | undefined {
    const w = this.state.windows[n.windowId];
    if (!w || w.messages.some((m) => m.gid === n.gid)) return undefined;
    const { type: _t, windowId: _w, ...m } = n;
    return isAlert(this.state, w, m) ? { w, m, looking: this.state.focused && this.state.active === w.windowId } : undefined;
  }

  private afterChange(): void {
    if (typeof document !== 'undefined') {
      const title = this.options.title ?? 'Parley';
      document.title = this.state.alerts > 0 ? `(${this.state.alerts}) ${title}` : title;
    }
    // The read watermark follows what the user has looked at: the newest message of others in the
    // window in view, sent a moment later (one READ for a burst of messages, none for one's own).
    const w = this.state.active !== undefined ? this.state.windows[this.state.active] : undefined;
    if (!w || !this.state.focused || this.state.connection !== 'online' || !this.state.initDone) return;
    const gid = newestOfOthers(this.state, w);
    if (gid <= Math.max(this.readSent.get(w.windowId) ?? 0, this.readDue.get(w.windowId) ?? 0)) return;
    this.readDue.set(w.windowId, gid);
    this.readTimer ??= setTimeout(() => this.flushReads(), READ_DELAY_MS);
  }

  private flushReads(): void {
    this.readTimer = undefined;
    for (const [windowId, gid] of this.readDue) {
      // Sent once per watermark: a refused READ is not repeated until a newer message comes.
      this.readSent.set(windowId, gid);
      this.request({ id: 'READ', windowId, gid }).catch((err: unknown) => console.warn(`parley: READ of window ${windowId} failed`, err));
    }
    this.readDue.clear();
  }

  /** Sends a request; resolves with its OK answer or rejects with a RequestFailure. */
  async request<I extends RequestId>(body: Extract<RequestBody, { id: I }>): Promise<OkOf<I>> {
    let answer: RequestResponseOf<I>;
    try {
      answer = await this.client.request(body);
    } catch (err) {
      if (err instanceof SessionLostError) throw new RequestFailure('SESSION_LOST', 'the session was renewed before the server answered; check whether it was done');
      throw err;
    }
    if (answer.status !== 'OK') throw new RequestFailure(answer.code, answer.message);
    return answer;
  }

  /**
   * Changes user settings. The server echoes them to the user's other sessions only, so this one
   * shows them at once and puts the old values back if the server refuses.
   */
  async setSettings(settings: Settings): Promise<void> {
    const names = Object.keys(settings);
    const before: Settings = {};
    for (const name of names) if (this.state.settings[name] !== undefined) before[name] = this.state.settings[name];
    this.dispatch({ type: 'ntf', n: { type: 'UPDATE_SETTINGS', settings } });
    try {
      await this.request({ id: 'SET', settings });
    } catch (err) {
      this.dispatch({ type: 'revertSettings', names, before });
      throw err;
    }
  }

  /** Changes a window's settings (UPDATE: visible, sounds, titleAlert), shown here at once like SET. */
  async updateWindow(windowId: number, fields: Partial<WindowSettings>): Promise<void> {
    const w = this.state.windows[windowId];
    if (!w) return;
    const before: Partial<WindowSettings> = {};
    for (const name of Object.keys(fields) as (keyof WindowSettings)[]) before[name] = w[name];
    this.dispatch({ type: 'ntf', n: { type: 'UPDATE_WINDOW', windowId, ...fields } });
    try {
      await this.request({ id: 'UPDATE', windowId, ...fields });
    } catch (err) {
      this.dispatch({ type: 'ntf', n: { type: 'UPDATE_WINDOW', windowId, ...before } });
      throw err;
    }
  }

  /** Edits one's own message (an empty text deletes it); every member sees the new version. */
  async edit(windowId: number, message: Message, text: string): Promise<void> {
    await this.request({ id: 'EDIT', windowId, gid: message.gid, text });
    this.dispatch({ type: 'own', windowId, message: { ...message, body: text, edited: true } });
  }

  /**
   * Sends a line of text into a window; it appears once the server has stored it. Built-in
   * windows de-duplicate by clientMsgId, so a send whose session was renewed before its answer
   * is sent again, once, with the same id (stored once either way); IRC has no such guard, so
   * there the user is told and decides.
   */
  async say(windowId: number, text: string): Promise<void> {
    const clientMsgId = randomId();
    // Known now: a new session empties the state before the first answer's rejection is seen.
    const deduplicated = this.state.windows[windowId]?.network === BUILTIN_NETWORK;
    const send = () => this.request({ id: 'SEND', windowId, text, clientMsgId });
    let answer: OkOf<'SEND'>;
    try {
      answer = await send();
    } catch (err) {
      if (!(err instanceof RequestFailure && err.code === 'SESSION_LOST' && deduplicated)) throw err;
      answer = await send();
    }
    const w = this.state.windows[windowId];
    const nick = w ? (this.state.networks[w.network]?.currentNick ?? this.state.networks[BUILTIN_NETWORK]?.currentNick ?? '') : '';
    this.dispatch({ type: 'own', windowId, message: { gid: answer.gid, ts: answer.ts, cat: 'msg', body: text, nick, ...(this.state.userId !== undefined ? { userId: this.state.userId } : {}) } });
  }

  /** Loads the page of history before the oldest message held. */
  async loadOlder(windowId: number): Promise<void> {
    const w = this.state.windows[windowId];
    if (!w || !w.hasOlder || this.fetching.has(windowId)) return;
    this.fetching.add(windowId);
    try {
      const oldest = w.messages[0]?.gid;
      const limit = Math.min(HISTORY_PAGE, FETCH_LIMIT_MAX);
      const { messages } = await this.request({ id: 'FETCH', windowId, limit, ...(oldest !== undefined ? { beforeGid: oldest } : {}) });
      this.dispatch({ type: 'history', windowId, messages, complete: messages.length < limit });
    } finally {
      this.fetching.delete(windowId);
    }
  }

  select(windowId: number): void {
    this.dispatch({ type: 'select', windowId });
  }
}

// The tab's session id survives a reload in sessionStorage (per tab, gone with it): the next page
// asks the gateway to end that session rather than leave it idling. It grants nothing by itself.
const SESSION_KEY = 'parley.sessionId';
function previousSession(): string | undefined {
  try {
    return sessionStorage.getItem(SESSION_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled
  }
}
function rememberSession(sessionId: string): void {
  try {
    sessionStorage.setItem(SESSION_KEY, sessionId);
  } catch {
    // storage disabled: the old session idles out instead
  }
}

/** The newest gid of a message of someone else in the window (0: none). */
function newestOfOthers(state: ChatState, w: ChatWindow): number {
  for (let i = w.messages.length - 1; i >= 0; i--) if (!isOwn(state, w, w.messages[i]!)) return w.messages[i]!.gid;
  return 0;
}

/** A random id for clientMsgId (the server de-duplicates a SEND retried with the same one). */
export function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
