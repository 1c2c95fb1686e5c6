/**
 * One logged-in user's live chat: the typed client's session (resumed across dropped connections,
 * notifications in order and once), the state it builds, and the side effects the state asks for
 * (read watermarks, the title alert, desktop notifications). Components read `state` and call
 * the methods; nothing else talks to the gateway.
 */
import { ParleyClient, SessionLostError } from '@parley/client';
import type { Message, Notification, RequestBody, RequestId, RequestResponseOf, SequencedNotification, Settings, WindowSettings } from '@parley/protocol';
import { BUILTIN_NETWORK, FETCH_LIMIT_MAX } from './constants';
import { type Action, type ChatState, type ChatWindow, initialState, isAlert, lastGid, reduce, windowLabel } from './state';

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

export interface ChatOptions {
  url?: string;
  /** The window title without alerts. */
  title?: string;
  /** Desktop notifications (browser permission given and the user's setting on). */
  notify?: (title: string, body: string, windowId: number) => void;
  /** A sound for an alert in a window whose `sounds` setting is on. */
  sound?: () => void;
}

export class Chat {
  state: ChatState;
  readonly client: ParleyClient;
  private readonly listeners = new Set<() => void>();
  private readonly readSent = new Map<number, number>();
  private readonly fetching = new Set<number>();
  private readTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ChatOptions = {}) {
    this.state = initialState(typeof document === 'undefined' ? true : !document.hidden);
    const mobile = typeof window !== 'undefined' && window.matchMedia?.('(max-width: 700px)').matches;
    this.client = new ParleyClient({
      url: options.url ?? window.location.origin,
      clientName: 'parley-web',
      maxBacklogMsgs: HISTORY_PAGE,
      deviceType: mobile ? 'mobile' : 'web',
      ackDelayMs: 300,
    });
    this.client.on('notification', (n) => this.onNotification(n));
    this.client.on('session', (ack) => this.dispatch({ type: 'session', userId: ack.userId, resumed: ack.resumed }));
    this.client.on('terminate', (t) => this.dispatch({ type: 'terminated', code: t.code, reason: t.reason }));
    this.client.socket.on('disconnect', () => this.dispatch({ type: 'connection', state: 'reconnecting' }));
    this.client.socket.io.on('reconnect_attempt', () => this.dispatch({ type: 'connection', state: 'reconnecting' }));
  }

  /** Connects (the first init); later drops are resumed by the client by itself. */
  start(): Promise<void> {
    return this.client.connect().then(() => undefined);
  }

  stop(): void {
    clearTimeout(this.readTimer);
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
    if (this.state.initDone && (notification.type === 'ADD_MESSAGE' || notification.type === 'ADD_MESSAGES')) {
      const pages = notification.type === 'ADD_MESSAGE' ? [{ windowId: notification.windowId, messages: [notification as Message] }] : notification.messages;
      for (const page of pages) {
        const w = this.state.windows[page.windowId];
        if (!w) continue;
        const known = new Set(w.messages.map((m) => m.gid));
        const looking = this.state.focused && this.state.active === w.windowId;
        for (const m of page.messages) {
          if (known.has(m.gid) || !isAlert(this.state, w, m)) continue;
          if (!this.state.focused) this.options.notify?.(windowLabel(w), `${m.nick}: ${m.body}`, w.windowId);
          if (w.sounds && !looking) this.options.sound?.();
        }
      }
    }
    this.dispatch({ type: 'ntf', n: notification });
  }

  private afterChange(): void {
    if (typeof document !== 'undefined') {
      const title = this.options.title ?? 'Parley';
      document.title = this.state.alerts > 0 ? `(${this.state.alerts}) ${title}` : title;
    }
    // The read watermark follows what the user has looked at (debounced: one READ per burst).
    const w = this.state.active !== undefined ? this.state.windows[this.state.active] : undefined;
    if (w && this.state.focused && this.state.connection === 'online' && this.state.initDone && lastGid(w) > (this.readSent.get(w.windowId) ?? 0)) {
      this.readTimer ??= setTimeout(() => {
        this.readTimer = undefined;
        this.markRead();
      }, 250);
    }
  }

  private markRead(): void {
    const w = this.state.active !== undefined ? this.state.windows[this.state.active] : undefined;
    if (!w) return;
    const gid = lastGid(w);
    if (gid <= (this.readSent.get(w.windowId) ?? 0)) return;
    this.readSent.set(w.windowId, gid);
    this.request({ id: 'READ', windowId: w.windowId, gid }).catch(() => this.readSent.delete(w.windowId));
  }

  /** Sends a request; resolves with its OK answer or rejects with a RequestFailure. */
  async request<I extends RequestId>(body: Extract<RequestBody, { id: I }>): Promise<OkOf<I>> {
    let answer: RequestResponseOf<I>;
    try {
      answer = await this.client.request(body);
    } catch (err) {
      if (err instanceof SessionLostError) throw new RequestFailure('SESSION_LOST', 'the connection was renewed before the server answered; check whether it was done');
      throw err;
    }
    if (answer.status !== 'OK') throw new RequestFailure(answer.code, answer.message);
    return answer;
  }

  /**
   * Changes user settings. The server echoes them to the user's other sessions only, so this one
   * shows them at once and puts the old values back if the server refuses.
   */
  setSettings(settings: Settings): Promise<void> {
    const before: Settings = {};
    for (const name of Object.keys(settings)) if (this.state.settings[name] !== undefined) before[name] = this.state.settings[name];
    return this.optimistic({ type: 'UPDATE_SETTINGS', settings }, { type: 'UPDATE_SETTINGS', settings: before }, () => this.request({ id: 'SET', settings }));
  }

  /** Changes a window's settings (UPDATE: visible, sounds, titleAlert), shown here at once like SET. */
  async updateWindow(windowId: number, fields: Partial<WindowSettings>): Promise<void> {
    const w = this.state.windows[windowId];
    if (!w) return;
    const before: Partial<WindowSettings> = {};
    for (const name of Object.keys(fields) as (keyof WindowSettings)[]) before[name] = w[name];
    await this.optimistic({ type: 'UPDATE_WINDOW', windowId, ...fields }, { type: 'UPDATE_WINDOW', windowId, ...before }, () => this.request({ id: 'UPDATE', windowId, ...fields }));
  }

  private async optimistic(apply: Notification, revert: Notification, run: () => Promise<unknown>): Promise<void> {
    this.dispatch({ type: 'ntf', n: apply });
    try {
      await run();
    } catch (err) {
      this.dispatch({ type: 'ntf', n: revert });
      throw err;
    }
  }

  /** Edits one's own message (an empty text deletes it); every member sees the new version. */
  async edit(windowId: number, message: Message, text: string): Promise<void> {
    await this.request({ id: 'EDIT', windowId, gid: message.gid, text });
    this.dispatch({ type: 'own', windowId, message: { ...message, body: text, edited: true } });
  }

  /** Sends a line of text into a window; it appears once the server has stored it. */
  async say(windowId: number, text: string): Promise<void> {
    const clientMsgId = randomId();
    const { gid, ts } = await this.request({ id: 'SEND', windowId, text, clientMsgId });
    const w = this.state.windows[windowId];
    const nick = w ? (this.state.networks[w.network]?.currentNick ?? this.state.networks[BUILTIN_NETWORK]?.currentNick ?? '') : '';
    this.dispatch({ type: 'own', windowId, message: { gid, ts, cat: 'msg', body: text, nick, ...(this.state.userId !== undefined ? { userId: this.state.userId } : {}) } });
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

  window(windowId: number | undefined): ChatWindow | undefined {
    return windowId === undefined ? undefined : this.state.windows[windowId];
  }
}

/** A random id for clientMsgId (the server de-duplicates a SEND retried with the same one). */
export function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
