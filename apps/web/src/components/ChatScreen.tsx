/**
 * The main screen: window list, topic bar, messages, input and members, the dialogs, and the
 * keyboard (Alt+↑/↓ windows, Alt+J switcher, Esc closes). Shows the connection state while a
 * dropped connection is being resumed.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Member, Message } from '@parley/protocol';
import { type Chat, type OkOf, RequestFailure } from '../lib/chat';
import { parseInput } from '../lib/commands';
import { BUILTIN_NETWORK } from '../lib/constants';
import { type ChatState, type ChatWindow, isServerWindow, myNick, ownBy, windowLabel, windowOrder } from '../lib/state';
import { CreateRoomDialog, type DialogName, JoinIrcDialog, JoinRoomDialog, StartDmDialog, SwitcherDialog } from './Dialogs';
import { Input } from './Input';
import { MemberList } from './MemberList';
import { Menu } from './Menu';
import { MessageView } from './MessageView';
import { FriendsPanel, HelpPanel, NotesPanel, RoomSettingsPanel, UserSettingsPanel } from './Panels';
import { WindowList } from './WindowList';

interface Props {
  chat: Chat;
  onLogout: (all: boolean) => void;
  /** The account was deleted: back to the start. */
  onDeleted: () => void;
}

const CONNECTION_TEXT = { connecting: 'Connecting…', reconnecting: 'Reconnecting… nothing is lost: the conversation resumes where it was.', online: '', ended: '' };

export function ChatScreen({ chat, onLogout, onDeleted }: Props) {
  const state = useSyncExternalStore(chat.subscribe, chat.getState);
  const [dialog, setDialog] = useState<{ name: DialogName; initial?: string } | undefined>();
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | undefined>();
  const [drawer, setDrawer] = useState<'windows' | 'members' | undefined>();
  const ordered = useMemo(() => windowOrder(state), [state]);
  const active = state.active !== undefined ? state.windows[state.active] : undefined;
  const close = useCallback(() => setDialog(undefined), []);
  // What is typed but not sent, per window: switching windows keeps it.
  const drafts = useRef(new Map<number, string>());

  // The theme follows the user's setting, or the system's when there is none.
  useEffect(() => {
    const chosen = state.settings.theme;
    const system = window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    document.documentElement.dataset.theme = chosen === 'dark' || chosen === 'light' ? chosen : system;
  }, [state.settings.theme]);

  // Keyboard: Alt+↑/↓ previous/next window, Alt+J the switcher.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // With a dialog open the keys belong to it (its window must not change under it).
      if (!e.altKey || e.ctrlKey || e.metaKey || dialog) return;
      if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
        if (ordered.length === 0) return;
        e.preventDefault();
        const i = ordered.findIndex((w) => w.windowId === state.active);
        const next = ordered[(i + (e.key === 'ArrowUp' ? -1 : 1) + ordered.length) % ordered.length]!;
        chat.select(next.windowId);
      } else if (e.key.toLowerCase() === 'j' || e.code === 'KeyJ') {
        e.preventDefault();
        setDialog({ name: 'switcher' });
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [chat, ordered, state.active, dialog]);

  const show = (ok: boolean, text: string) => setNotice({ ok, text });
  /** Runs a request started by a button; a refusal is shown, not thrown. */
  const attempt = (p: Promise<unknown>) => void p.catch((err: unknown) => show(false, err instanceof RequestFailure ? err.message : String(err)));
  const fail = (err: unknown) => {
    show(false, err instanceof RequestFailure ? `${err.message} (${err.code})` : String(err));
    throw err;
  };

  const submit = async (line: string): Promise<void> => {
    if (!active) return;
    setNotice(undefined);
    const action = parseInput(line, { windowId: active.windowId, network: active.network, windowType: active.windowType });
    try {
      switch (action.kind) {
        case 'send':
          if (isServerWindow(active)) throw new RequestFailure('BAD_INPUT', 'The server window takes commands only; join a channel to talk (/join #channel).');
          return await chat.say(active.windowId, action.text);
        case 'help':
          return setDialog({ name: 'help' });
        case 'clear':
          return chat.dispatch({ type: 'clear', windowId: active.windowId });
        case 'error':
          throw new RequestFailure('BAD_INPUT', action.message);
        case 'join': {
          const known = ordered.find((w) => w.network === action.network && w.name.toLowerCase() === action.name.toLowerCase());
          if (known) return chat.select(known.windowId); // joined already: go there
          const { windowId } = await chat.request({ id: 'JOIN', network: action.network, name: action.name, ...(action.password ? { password: action.password } : {}) });
          return chat.select(windowId);
        }
        case 'create': {
          const { windowId } = await chat.request({ id: 'CREATE', name: action.name, ...(action.password ? { password: action.password } : {}) });
          return chat.select(windowId);
        }
        case 'close':
          return void (await chat.request({ id: 'CLOSE', windowId: active.windowId }));
        case 'topic':
          // `/topic` alone shows the topic (as IRC clients do); it never clears it by accident.
          if (!action.topic) return show(true, active.topic ? `Topic: ${active.topic}` : 'No topic is set.');
          return void (await chat.request({ id: 'UPDATE_TOPIC', windowId: active.windowId, topic: action.topic }));
        case 'chat': {
          const { windowId } = await chat.request({ id: 'CHAT', network: action.network, nick: action.nick });
          chat.select(windowId);
          if (action.text) await chat.say(windowId, action.text);
          return;
        }
        case 'friend': {
          const { state: s } = await chat.request({ id: 'REQUEST_FRIEND', nick: action.nick });
          return show(true, s === 'FRIENDS' ? `you and ${action.nick} are friends` : `asked ${action.nick} to be friends`);
        }
        case 'command': {
          if (active.network === BUILTIN_NETWORK && active.windowType === '1on1') throw new RequestFailure('BAD_INPUT', `/${action.command} works in rooms and on IRC, not in a direct message`);
          const answer: OkOf<'COMMAND'> & { gid?: number; ts?: number } = await chat.request({ id: 'COMMAND', windowId: active.windowId, command: action.command, params: action.params });
          // A room's /me is stored like a message: it is answered with its gid and not echoed to this session.
          if (action.command === 'me' && typeof answer.gid === 'number' && typeof answer.ts === 'number') {
            const nick = state.networks[active.network]?.currentNick ?? state.networks[BUILTIN_NETWORK]?.currentNick ?? '';
            chat.dispatch({ type: 'own', windowId: active.windowId, message: { gid: answer.gid, ts: answer.ts, cat: 'action', body: action.params, nick, ...(state.userId !== undefined ? { userId: state.userId } : {}) } });
          }
          if (answer.apiKey) show(true, `the room's new API key (shown once): ${answer.apiKey}`);
          // The lists some commands answer (/akick list, /access list, /alias list, /bans, /bot list).
          const list = (label: string, items: string[] | undefined) => items && show(true, items.length ? `${label}: ${items.join(', ')}` : `${label}: none`);
          list('Auto-kicks', answer.autoKicks?.map((k) => (k.reason ? `${k.mask} (${k.reason})` : k.mask)));
          list('Access', answer.access?.map((a) => `${a.mask} ${a.level}`));
          list('Your aliases', answer.aliases);
          list('Bans', answer.bans?.map((b) => b.name));
          list('Service bots', answer.bots?.map((b) => `${b.nick}${b.assigned ? ' (in this room)' : ''}${b.realname ? ` — ${b.realname}` : ''}`));
          return;
        }
      }
    } catch (err) {
      fail(err);
    }
  };

  const activeId = active?.windowId;
  const editMessage = useCallback((m: Message, text: string) => (activeId === undefined ? Promise.resolve() : chat.edit(activeId, m, text)), [chat, activeId]);
  // Stable between notifications, so the message list re-renders only when its window changes.
  const activeNetwork = active?.network;
  const nickHere = activeNetwork !== undefined ? myNick(state, activeNetwork) : undefined;
  const isMine = useMemo(() => ownBy(state.userId, nickHere), [state.userId, nickHere]);
  const loadOlder = useCallback(() => (activeId === undefined ? Promise.resolve() : chat.loadOlder(activeId)), [chat, activeId]);
  const nicks = useMemo(() => (active ? active.members.map((m) => m.nick) : []), [active]);
  const me = state.userId;
  const openMember = useCallback(
    (m: Member) => {
      if (activeNetwork === undefined) return;
      if (activeNetwork === BUILTIN_NETWORK && m.userId === me) return;
      const open = activeNetwork === BUILTIN_NETWORK && m.userId !== undefined ? chat.request({ id: 'CHAT', userId: m.userId }) : chat.request({ id: 'CHAT', network: activeNetwork, nick: m.nick });
      open.then((r) => chat.select(r.windowId)).catch((err: unknown) => setNotice({ ok: false, text: err instanceof RequestFailure ? err.message : String(err) }));
    },
    [chat, activeNetwork, me],
  );
  // The networks the server offers, then any the user still has windows on (one removed since).
  const networksOfIrc = [...new Set([...state.availableNetworks.map((n) => n.name), ...Object.keys(state.networks).filter((n) => n !== BUILTIN_NETWORK)])];
  const pendingFriendRequests = state.friendRequests.length;
  const operator = active && (active.role === '*' || active.role === '@');
  const joinRequests = active ? state.joinRequests.filter((r) => r.windowId === active.windowId) : [];

  return (
    <div className={`chat${drawer ? ` drawer-${drawer}` : ''}`}>
      <header className="topbar">
        <button type="button" className="icon-button only-phone" aria-label="windows" onClick={() => setDrawer(drawer === 'windows' ? undefined : 'windows')}>
          ☰
        </button>
        <div className="brand">
          <img src="/favicon.svg" alt="" width={20} height={20} /> Parley
        </div>
        <div className="grow" />
        <button type="button" onClick={() => setDialog({ name: 'friends' })}>
          Friends{pendingFriendRequests > 0 ? <span className="badge mention">{pendingFriendRequests}</span> : null}
        </button>
        <button type="button" onClick={() => setDialog({ name: 'help' })} aria-label="help">
          ?
        </button>
        <button type="button" onClick={() => setDialog({ name: 'settings' })}>
          Settings
        </button>
      </header>
      {state.connection === 'connecting' || state.connection === 'reconnecting' ? (
        <div className="connection-banner" role="status" data-state={state.connection}>
          {CONNECTION_TEXT[state.connection]}
        </div>
      ) : null}
      {state.connection === 'ended' ? (
        <div className="connection-banner ended" role="alert">
          This session ended: {state.ended?.reason} ({state.ended?.code}).{' '}
          <button type="button" onClick={() => window.location.reload()}>
            Start again
          </button>
        </div>
      ) : null}
      <div className="layout">
        <WindowListPane
          chat={chat}
          state={state}
          ordered={ordered}
          onAdd={(what) => setDialog({ name: what === 'room' ? 'create' : what === 'dm' ? 'dm' : 'irc' })}
          onJoin={() => setDialog({ name: 'join' })}
          onPicked={() => setDrawer(undefined)}
        />
        <main className="window" aria-label={active ? windowLabel(active) : 'no window'}>
          {active ? (
            <>
              <div className="topic-bar">
                <h1 className="window-title">{windowLabel(active)}</h1>
                <span className="topic" title={active.topic}>
                  {active.topic}
                </span>
                <div className="grow" />
                {active.windowType === 'group' && !isServerWindow(active) ? (
                  <button type="button" className="only-phone" onClick={() => setDrawer(drawer === 'members' ? undefined : 'members')}>
                    Members
                  </button>
                ) : null}
                <Menu label="Window ▾">
                  {(closeMenu) => {
                    const item = (label: string, run: () => void, pressed?: boolean) => (
                      <button
                        type="button"
                        role={pressed === undefined ? 'menuitem' : 'menuitemcheckbox'}
                        aria-checked={pressed}
                        onClick={() => {
                          closeMenu();
                          run();
                        }}
                      >
                        {label}
                      </button>
                    );
                    return (
                      <>
                        {active.windowType === 'group' && active.network === BUILTIN_NETWORK && operator ? item('Room settings', () => setDialog({ name: 'room' })) : null}
                        {item('Notes & links', () => setDialog({ name: 'notes' }))}
                        {item('Alert on every message', () => attempt(chat.updateWindow(active.windowId, { titleAlert: !active.titleAlert })), active.titleAlert)}
                        {item('Sound for alerts', () => attempt(chat.updateWindow(active.windowId, { sounds: !active.sounds })), active.sounds)}
                        {item(active.windowType === 'group' ? 'Leave' : 'Close', () => attempt(chat.request({ id: 'CLOSE', windowId: active.windowId })))}
                      </>
                    );
                  }}
                </Menu>
              </div>
              {joinRequests.map((r) => (
                <div key={r.userId} className="join-request row">
                  <span className="grow">{r.nick} asks to join</span>
                  {(['approve', 'reject'] as const).map((verdict) => (
                    <button
                      key={verdict}
                      type="button"
                      onClick={() =>
                        attempt(
                          chat
                            .request({ id: 'COMMAND', windowId: active.windowId, command: verdict, params: r.nick })
                            .then(() => chat.dispatch({ type: 'joinRequestHandled', windowId: active.windowId, userId: r.userId })),
                        )
                      }
                    >
                      {verdict}
                    </button>
                  ))}
                </div>
              ))}
              <MessageView
                key={`view-${active.windowId}`}
                windowId={active.windowId}
                messages={active.messages}
                markerGid={active.markerGid}
                hasOlder={active.hasOlder}
                peerReadGid={active.windowType === '1on1' ? active.peerReadGid : undefined}
                isOwn={isMine}
                onLoadOlder={loadOlder}
                onEdit={active.network === BUILTIN_NETWORK && active.windowType === 'group' ? editMessage : undefined}
              />
              {notice ? (
                <div className={notice.ok ? 'notice ok' : 'notice error'} role={notice.ok ? 'status' : 'alert'}>
                  {notice.text}
                  <button type="button" className="icon-button" aria-label="dismiss" onClick={() => setNotice(undefined)}>
                    ×
                  </button>
                </div>
              ) : null}
              <Input
                key={`input-${active.windowId}`}
                draft={drafts.current.get(active.windowId) ?? ''}
                onDraft={(text) => (text ? drafts.current.set(active.windowId, text) : drafts.current.delete(active.windowId))}
                disabled={state.connection === 'ended'}
                onSubmit={submit}
                nicks={nicks}
                placeholder={isServerWindow(active) ? `Commands for ${active.network} (/join #channel, /nick, /quote …)` : `Message ${windowLabel(active)}`}
              />
            </>
          ) : (
            <div className="empty-window">
              {state.initDone ? (
                <>
                  <p>Welcome to Parley. Create or join a room, start a direct message, or join an IRC channel.</p>
                  <div className="row">
                    <button type="button" className="primary" onClick={() => setDialog({ name: 'create' })}>
                      Create a room
                    </button>
                    <button type="button" onClick={() => setDialog({ name: 'join' })}>
                      Join a room
                    </button>
                    <button type="button" onClick={() => setDialog({ name: 'dm' })}>
                      Direct message
                    </button>
                    <button type="button" onClick={() => setDialog({ name: 'irc' })}>
                      IRC channel
                    </button>
                  </div>
                </>
              ) : (
                <p>Loading…</p>
              )}
            </div>
          )}
        </main>
        {active && active.windowType === 'group' && !isServerWindow(active) ? <MemberList members={active.members} onOpen={openMember} /> : null}
      </div>
      {state.invites.map((inv) => (
        <div key={`${inv.network}:${inv.name}`} className="toast row" role="status">
          <span className="grow">
            {inv.nick} invites you to {inv.name}
          </span>
          <button
            type="button"
            className="primary"
            onClick={() =>
              attempt(
                chat
                  .request({ id: 'JOIN', network: inv.network, name: inv.name })
                  .then((r) => chat.select(r.windowId))
                  .finally(() => chat.dispatch({ type: 'inviteHandled', network: inv.network, name: inv.name })),
              )
            }
          >
            Join
          </button>
          <button type="button" onClick={() => chat.dispatch({ type: 'inviteHandled', network: inv.network, name: inv.name })}>
            Dismiss
          </button>
        </div>
      ))}
      {dialog?.name === 'create' ? <CreateRoomDialog chat={chat} onClose={close} /> : null}
      {dialog?.name === 'join' ? <JoinRoomDialog chat={chat} onClose={close} {...(dialog.initial ? { initial: dialog.initial } : {})} /> : null}
      {dialog?.name === 'irc' ? <JoinIrcDialog chat={chat} onClose={close} networks={networksOfIrc} /> : null}
      {dialog?.name === 'dm' ? <StartDmDialog chat={chat} onClose={close} /> : null}
      {dialog?.name === 'switcher' ? (
        <SwitcherDialog
          windows={ordered}
          onClose={close}
          onPick={(windowId) => {
            chat.select(windowId);
            close();
          }}
        />
      ) : null}
      {dialog?.name === 'friends' ? <FriendsPanel chat={chat} state={state} onClose={close} /> : null}
      {dialog?.name === 'room' && active ? <RoomSettingsPanel chat={chat} window={active} onClose={close} /> : null}
      {dialog?.name === 'notes' && active ? <NotesPanel chat={chat} window={active} notes={state.notes[active.windowId]} onClose={close} /> : null}
      {dialog?.name === 'settings' ? <UserSettingsPanel chat={chat} settings={state.settings} onClose={close} onLogout={onLogout} onDeleted={onDeleted} /> : null}
      {dialog?.name === 'help' ? <HelpPanel onClose={close} /> : null}
    </div>
  );
}

function WindowListPane({
  chat,
  state,
  ordered,
  onAdd,
  onJoin,
  onPicked,
}: {
  chat: Chat;
  state: ChatState;
  ordered: ChatWindow[];
  onAdd: (what: 'room' | 'dm' | 'irc') => void;
  onJoin: () => void;
  onPicked: () => void;
}) {
  return (
    <div className="sidebar">
      <WindowList
        windows={ordered}
        networks={state.networks}
        active={state.active}
        onSelect={(id) => {
          chat.select(id);
          onPicked();
        }}
        onAdd={onAdd}
      />
      <button type="button" className="link-button join-room" onClick={onJoin}>
        + Join a room
      </button>
    </div>
  );
}
