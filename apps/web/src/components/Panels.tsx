/**
 * Panels: friends (requests with accept and refuse, presence), room settings for owners and
 * operators (topic, password, join policy, API key, bans), a window's notes and links, the user's
 * settings, and the /help list.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { JoinPolicy, Note, RoomBan, Settings } from '@parley/protocol';
import { api } from '../lib/api';
import { type Chat, RequestFailure } from '../lib/chat';
import { HELP } from '../lib/commands';
import { formatTime } from '../lib/format';
import type { ChatState, ChatWindow } from '../lib/state';
import { Field } from './Field';
import { MessageText } from './MessageText';
import { Modal } from './Modal';

const describe = (err: unknown) => (err instanceof RequestFailure ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err));

/** Runs requests for a panel, keeping the last outcome to show. */
function useActions() {
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();
  const act = (run: () => Promise<unknown>, done?: string) => {
    setStatus(undefined);
    run()
      .then(() => done && setStatus({ ok: true, text: done }))
      .catch((err: unknown) => setStatus({ ok: false, text: describe(err) }));
  };
  const line = status ? (
    <div className={status.ok ? 'form-done' : 'form-error'} role={status.ok ? 'status' : 'alert'}>
      {status.text}
    </div>
  ) : null;
  return { act, line, setStatus };
}

const read = (e: FormEvent<HTMLFormElement>, name: string) => ((e.currentTarget.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();

export function FriendsPanel({ chat, state, onClose }: { chat: Chat; state: ChatState; onClose: () => void }) {
  const { act, line } = useActions();
  const friends = Object.values(state.friends).sort((a, b) => Number(b.online) - Number(a.online) || a.nick.localeCompare(b.nick));
  const openChat = (userId: number) =>
    act(async () => {
      const { windowId } = await chat.request({ id: 'CHAT', userId });
      chat.select(windowId);
      onClose();
    });
  return (
    <Modal title="Friends" onClose={onClose} wide>
      {state.friendRequests.length > 0 ? (
        <section aria-label="friend requests">
          <h3>Requests</h3>
          <ul className="plain-list">
            {state.friendRequests.map((r) => (
              <li key={r.userId} className="row">
                <span className="grow">{r.nick} wants to be friends</span>
                {(
                  [
                    [true, 'Accept'],
                    [false, 'Refuse'],
                  ] as const
                ).map(([allow, label]) => (
                  <button
                    key={label}
                    type="button"
                    className={allow ? 'primary' : ''}
                    onClick={() =>
                      act(async () => {
                        await chat.request({ id: 'FRIEND_VERDICT', userId: r.userId, allow });
                        chat.dispatch({ type: 'friendRequestHandled', userId: r.userId });
                      })
                    }
                  >
                    {label}
                  </button>
                ))}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-label="friend list">
        <h3>Friends</h3>
        <ul className="plain-list">
          {friends.map((f) => (
            <li key={f.userId} className="row">
              <span className={`presence ${f.online ? 'online' : 'offline'}`} aria-label={f.online ? 'online' : 'offline'} />
              <span className="grow">
                {f.nick}
                {!f.online && f.lastSeen ? <span className="muted"> · seen {new Date(f.lastSeen).toLocaleString()}</span> : null}
              </span>
              <button type="button" onClick={() => openChat(f.userId)}>
                Message
              </button>
              <button type="button" onClick={() => act(() => chat.request({ id: 'REMOVE_FRIEND', userId: f.userId }), `${f.nick} is no longer a friend`)}>
                Remove
              </button>
              <button type="button" onClick={() => act(() => chat.request({ id: 'BLOCK', userId: f.userId }), `${f.nick} is blocked`)}>
                Block
              </button>
            </li>
          ))}
          {friends.length === 0 ? <li className="muted">No friends yet.</li> : null}
        </ul>
      </section>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const nick = read(e, 'nick');
          const form = e.currentTarget;
          act(async () => {
            const { state: s } = await chat.request({ id: 'REQUEST_FRIEND', nick });
            form.reset();
            return s;
          }, `asked ${nick}`);
        }}
      >
        <Field label="Add a friend by nick" name="nick" required autoComplete="off" />
        <button type="submit" className="primary">
          Ask
        </button>
      </form>
      {line}
    </Modal>
  );
}

export function RoomSettingsPanel({ chat, window: w, onClose }: { chat: Chat; window: ChatWindow; onClose: () => void }) {
  const { act, line, setStatus } = useActions();
  const [apiKey, setApiKey] = useState<string | undefined>();
  const [access, setAccess] = useState<{ bans: RoomBan[]; policy: JoinPolicy } | undefined>();
  const owner = w.role === '*';
  const load = async () => {
    const { bans, policy } = await chat.request({ id: 'COMMAND', windowId: w.windowId, command: 'bans', params: '' });
    setAccess({ bans: bans ?? [], policy: policy ?? 'open' });
  };
  useEffect(() => act(load), [w.windowId]); // once per opening of the panel
  const command = (command: string, params: string, done: string) =>
    act(async () => {
      await chat.request({ id: 'COMMAND', windowId: w.windowId, command, params });
      await load();
    }, done);
  return (
    <Modal title={`Settings of ${w.name}`} onClose={onClose} wide>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const topic = read(e, 'topic');
          act(() => chat.request({ id: 'UPDATE_TOPIC', windowId: w.windowId, topic }), 'topic set');
        }}
      >
        <Field label="Topic" name="topic" defaultValue={w.topic} maxLength={1000} />
        <button type="submit">Set topic</button>
      </form>
      {owner ? (
        <>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const password = read(e, 'password');
              act(async () => {
                await chat.request({ id: 'UPDATE_PASSWORD', windowId: w.windowId, password: password || null });
                await load();
              }, password ? 'password set' : 'password removed');
            }}
          >
            <Field label="Password (empty: none)" name="password" type="password" autoComplete="new-password" />
            <button type="submit">Set password</button>
          </form>
          <div className="inline-form">
            <div className="field">
              <label htmlFor="policy">Who may join</label>
              <select id="policy" value={access?.policy ?? ''} disabled={!access} onChange={(e) => command('policy', e.target.value, `join policy: ${e.target.value}`)}>
                {POLICY_OPTIONS.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="inline-form">
            <button
              type="button"
              onClick={() =>
                act(async () => {
                  const answer = await chat.request({ id: 'COMMAND', windowId: w.windowId, command: 'apikey', params: '' });
                  setApiKey(answer.apiKey);
                  setStatus({ ok: true, text: 'a new API key; the old one no longer works' });
                })
              }
            >
              New API key
            </button>
            {apiKey ? (
              <output className="api-key" aria-label="API key">
                {apiKey}
              </output>
            ) : (
              <span className="muted">Webhook: POST /api/v1/groups/{encodeURIComponent(w.name)}/messages with X-Api-Key</span>
            )}
          </div>
        </>
      ) : null}
      <section aria-label="bans">
        <h3>Bans</h3>
        <ul className="plain-list">
          {(access?.bans ?? []).map((b) => (
            <li key={`${b.kind}:${b.name}`} className="row">
              <span className="grow">
                {b.name} <span className="muted">{b.kind === 'mask' ? 'nick mask' : 'user'}</span>
                {b.at ? <span className="muted"> · {new Date(b.at).toLocaleString()}</span> : null}
              </span>
              <button type="button" onClick={() => command('unban', b.name, `unbanned ${b.name}`)}>
                Unban
              </button>
            </li>
          ))}
          {access && access.bans.length === 0 ? <li className="muted">Nobody is banned.</li> : null}
        </ul>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const who = read(e, 'who');
            const form = e.currentTarget;
            command('ban', who, `banned ${who}`);
            form.reset();
          }}
        >
          <Field label="Ban a nick or a nick mask (spam*)" name="who" required autoComplete="off" />
          <button type="submit">Ban</button>
        </form>
      </section>
      {line}
    </Modal>
  );
}

const POLICY_OPTIONS: [JoinPolicy, string][] = [
  ['open', 'anyone'],
  ['password', 'with the password'],
  ['invite', 'invited users'],
  ['approval', 'approved by an operator'],
];

export function NotesPanel({ chat, window: w, notes, onClose }: { chat: Chat; window: ChatWindow; notes: Note[] | undefined; onClose: () => void }) {
  const { act, line } = useActions();
  const [urls, setUrls] = useState<string[] | undefined>();
  const [editing, setEditing] = useState<string | undefined>();
  useEffect(() => {
    act(async () => {
      const [n, u] = await Promise.all([chat.request({ id: 'NOTES', windowId: w.windowId }), chat.request({ id: 'URLS', windowId: w.windowId })]);
      chat.dispatch({ type: 'notes', windowId: w.windowId, notes: n.notes });
      setUrls(u.urls);
    });
    // Loaded once per opening of the panel.
  }, [w.windowId]);
  const reload = async () => chat.dispatch({ type: 'notes', windowId: w.windowId, notes: (await chat.request({ id: 'NOTES', windowId: w.windowId })).notes });
  return (
    <Modal title={`Notes and links of ${w.name}`} onClose={onClose} wide>
      <section aria-label="notes">
        <h3>Notes</h3>
        <ul className="plain-list">
          {(notes ?? []).map((n) => (
            <li key={n.noteId} className="note">
              {editing === n.noteId ? (
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    const text = read(e, 'text');
                    act(async () => {
                      await chat.request({ id: 'NOTE_EDIT', windowId: w.windowId, noteId: n.noteId, ver: n.ver, text });
                      setEditing(undefined);
                      await reload();
                    });
                  }}
                >
                  <textarea name="text" aria-label="note text" defaultValue={n.text} maxLength={4000} rows={3} />
                  <button type="submit" className="primary">
                    Save
                  </button>
                  <button type="button" onClick={() => setEditing(undefined)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <>
                  <div className="note-text">
                    <MessageText text={n.text} />
                  </div>
                  <div className="muted">
                    {n.nick} · {new Date(n.ts).toLocaleDateString()} {formatTime(n.ts)} · v{n.ver}{' '}
                    <button type="button" className="link-button" onClick={() => setEditing(n.noteId)}>
                      edit
                    </button>{' '}
                    <button
                      type="button"
                      className="link-button"
                      onClick={() =>
                        act(async () => {
                          await chat.request({ id: 'NOTE_DELETE', windowId: w.windowId, noteId: n.noteId, ver: n.ver });
                          await reload();
                        })
                      }
                    >
                      delete
                    </button>
                  </div>
                </>
              )}
            </li>
          ))}
          {notes && notes.length === 0 ? <li className="muted">No notes.</li> : null}
        </ul>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const text = read(e, 'text');
            const form = e.currentTarget;
            act(async () => {
              await chat.request({ id: 'NOTE_ADD', windowId: w.windowId, text });
              form.reset();
              await reload();
            });
          }}
        >
          <textarea name="text" aria-label="new note" required maxLength={4000} rows={3} placeholder="A note for this window" />
          <button type="submit" className="primary">
            Add note
          </button>
        </form>
      </section>
      <section aria-label="links">
        <h3>Links seen here</h3>
        <ul className="plain-list">
          {(urls ?? []).map((u, i) => (
            <li key={`${i}-${u}`}>
              <MessageText text={u} />
            </li>
          ))}
          {urls && urls.length === 0 ? <li className="muted">No links yet.</li> : null}
        </ul>
      </section>
      {line}
    </Modal>
  );
}

const SELECTS: { name: string; label: string; options: [string, string][] }[] = [
  { name: 'theme', label: 'Theme', options: [['light', 'light'], ['dark', 'dark']] },
  { name: 'friendRequests', label: 'Friend requests', options: [['ask', 'ask me'], ['accept', 'accept all'], ['refuse', 'refuse all']] },
  { name: 'directMessages', label: 'Direct messages from', options: [['anyone', 'anyone'], ['friends', 'friends only']] },
  { name: 'devicePolicy', label: 'Devices', options: [['any', 'any number of sessions'], ['onePerType', 'one session per kind of device']] },
];
const DEFAULTS: Record<string, string> = { theme: 'light', friendRequests: 'ask', directMessages: 'anyone', devicePolicy: 'any' };

export function UserSettingsPanel({
  chat,
  settings,
  onClose,
  onLogout,
  onDeleted,
}: {
  chat: Chat;
  settings: Settings;
  onClose: () => void;
  onLogout: (all: boolean) => void;
  onDeleted: () => void;
}) {
  const { act, line } = useActions();
  const account = useActions();
  const set = (name: string, value: string | boolean) => act(() => chat.setSettings({ [name]: value }), 'saved');
  const notificationsOn = settings.desktopNotifications === true;
  return (
    <Modal title="Settings" onClose={onClose}>
      {SELECTS.map((s) => (
        <div className="field" key={s.name}>
          <label htmlFor={`setting-${s.name}`}>{s.label}</label>
          <select id={`setting-${s.name}`} value={String(settings[s.name] ?? DEFAULTS[s.name])} onChange={(e) => set(s.name, e.target.value)}>
            {s.options.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
      ))}
      <div className="field checkbox">
        <label>
          <input
            type="checkbox"
            checked={notificationsOn}
            onChange={(e) => {
              const on = e.target.checked;
              if (on && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
              set('desktopNotifications', on);
            }}
          />{' '}
          Desktop notifications for mentions and direct messages
        </label>
        {notificationsOn && typeof Notification !== 'undefined' && Notification.permission === 'denied' ? <div className="field-error">The browser blocks notifications for this site.</div> : null}
      </div>
      <section aria-label="account">
        <h3>Account</h3>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const current = read(e, 'current');
            const next = read(e, 'next');
            const form = e.currentTarget;
            account.act(async () => {
              await api.changePassword(current, next);
              form.reset();
            }, 'Password changed; your other sessions were ended.');
          }}
        >
          <Field label="Current password" name="current" type="password" autoComplete="current-password" required />
          <Field label="New password" name="next" type="password" autoComplete="new-password" required minLength={8} />
          <button type="submit">Change password</button>
        </form>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const password = read(e, 'password');
            account.act(async () => {
              await api.deleteAccount(password);
              onDeleted();
            });
          }}
        >
          <Field label="Delete the account: your password" name="password" type="password" autoComplete="current-password" required />
          <button type="submit" className="danger">
            Delete my account
          </button>
        </form>
        {account.line}
      </section>
      <div className="row">
        <button type="button" onClick={() => onLogout(false)}>
          Log out
        </button>
        <button type="button" onClick={() => onLogout(true)}>
          Log out everywhere
        </button>
      </div>
      {line}
    </Modal>
  );
}

export function HelpPanel({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Commands and keys" onClose={onClose} wide>
      <table className="help">
        <tbody>
          {HELP.map((h) => (
            <tr key={h.usage}>
              <td>
                <code>{h.usage}</code>
              </td>
              <td>{h.what}</td>
            </tr>
          ))}
          {[
            ['Alt+↑ / Alt+↓', 'previous / next window'],
            ['Alt+J', 'jump to a window'],
            ['↑ / ↓ in the input', 'lines sent before'],
            ['Tab', 'complete a nick'],
            ['Esc', 'close a dialog'],
          ].map(([k, what]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
