/**
 * The dialogs that open windows: create a room, join a room (with its password), join an IRC
 * channel on a chosen network, start a direct message, and the Alt+J window switcher.
 */
import { type FormEvent, useMemo, useState } from 'react';
import { BUILTIN_NETWORK } from '../lib/constants';
import { type Chat, RequestFailure } from '../lib/chat';
import { type ChatWindow, windowLabel } from '../lib/state';
import { Field } from './Field';
import { Modal } from './Modal';

export type DialogName = 'create' | 'join' | 'irc' | 'dm' | 'switcher' | 'friends' | 'settings' | 'room' | 'notes' | 'help';

const read = (form: HTMLFormElement, name: string) => ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();

/** A form that runs one request and closes on success, showing the server's refusal otherwise. */
function useRequestForm(onDone: () => void) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent<HTMLFormElement>, run: (form: HTMLFormElement) => Promise<unknown>) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    run(e.currentTarget)
      .then(() => onDone())
      .catch((err: unknown) => setError(err instanceof RequestFailure ? `${err.message} (${err.code})` : String(err)))
      .finally(() => setBusy(false));
  };
  return { error, busy, submit };
}

const roomName = (name: string) => (name.startsWith('#') ? name : `#${name}`);

interface DialogProps {
  chat: Chat;
  onClose: () => void;
}

export function CreateRoomDialog({ chat, onClose }: DialogProps) {
  const { error, busy, submit } = useRequestForm(onClose);
  return (
    <Modal title="Create a room" onClose={onClose}>
      <form
        onSubmit={(e) =>
          submit(e, async (f) => {
            const password = read(f, 'password');
            const { windowId } = await chat.request({ id: 'CREATE', name: roomName(read(f, 'name')), ...(password ? { password } : {}) });
            chat.select(windowId);
          })
        }
      >
        <Field label="Room name" name="name" placeholder="#tea" required error={error} />
        <Field label="Password (optional)" name="password" type="password" autoComplete="new-password" />
        <button type="submit" className="primary" disabled={busy}>
          Create
        </button>
      </form>
    </Modal>
  );
}

export function JoinRoomDialog({ chat, onClose, initial }: DialogProps & { initial?: string }) {
  const { error, busy, submit } = useRequestForm(onClose);
  return (
    <Modal title="Join a room" onClose={onClose}>
      <form
        onSubmit={(e) =>
          submit(e, async (f) => {
            const password = read(f, 'password');
            const { windowId } = await chat.request({ id: 'JOIN', network: BUILTIN_NETWORK, name: roomName(read(f, 'name')), ...(password ? { password } : {}) });
            chat.select(windowId);
          })
        }
      >
        <Field label="Room name" name="name" placeholder="#tea" defaultValue={initial} required error={error} />
        <Field label="Password (if the room has one)" name="password" type="password" autoComplete="off" />
        <button type="submit" className="primary" disabled={busy}>
          Join
        </button>
      </form>
    </Modal>
  );
}

export function JoinIrcDialog({ chat, onClose, networks }: DialogProps & { networks: string[] }) {
  const { error, busy, submit } = useRequestForm(onClose);
  return (
    <Modal title="Join an IRC channel" onClose={onClose}>
      <form
        onSubmit={(e) =>
          submit(e, async (f) => {
            const password = read(f, 'password');
            const { windowId } = await chat.request({ id: 'JOIN', network: read(f, 'network'), name: read(f, 'channel'), ...(password ? { password } : {}) });
            chat.select(windowId);
          })
        }
      >
        <div className="field">
          <label htmlFor="irc-network">Network</label>
          <input id="irc-network" name="network" list="irc-networks" defaultValue={networks[0] ?? ''} required placeholder="libera" />
          <datalist id="irc-networks">
            {networks.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </div>
        <Field label="Channel" name="channel" placeholder="#parley" required error={error} />
        <Field label="Channel key (optional)" name="password" type="password" autoComplete="off" />
        <button type="submit" className="primary" disabled={busy}>
          Join
        </button>
      </form>
    </Modal>
  );
}

export function StartDmDialog({ chat, onClose, initial }: DialogProps & { initial?: string }) {
  const { error, busy, submit } = useRequestForm(onClose);
  return (
    <Modal title="Start a direct message" onClose={onClose}>
      <form
        onSubmit={(e) =>
          submit(e, async (f) => {
            const { windowId } = await chat.request({ id: 'CHAT', network: BUILTIN_NETWORK, nick: read(f, 'nick') });
            chat.select(windowId);
          })
        }
      >
        <Field label="Nick" name="nick" defaultValue={initial} required error={error} autoComplete="off" />
        <button type="submit" className="primary" disabled={busy}>
          Open
        </button>
      </form>
    </Modal>
  );
}

/** Alt+J: type part of a window's name, Enter goes there. */
export function SwitcherDialog({ windows, onPick, onClose }: { windows: readonly ChatWindow[]; onPick: (windowId: number) => void; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const matches = useMemo(() => {
    const q = query.toLowerCase();
    return windows.filter((w) => `${windowLabel(w)} ${w.network}`.toLowerCase().includes(q)).slice(0, 12);
  }, [windows, query]);
  return (
    <Modal title="Jump to a window" onClose={onClose}>
      <input
        aria-label="window name"
        className="switcher-input"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setIndex(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setIndex((i) => Math.min(matches.length - 1, i + 1));
          else if (e.key === 'ArrowUp') setIndex((i) => Math.max(0, i - 1));
          else if (e.key === 'Enter' && matches[index]) onPick(matches[index].windowId);
          else return;
          e.preventDefault();
        }}
      />
      <ul className="switcher-list" role="listbox">
        {matches.map((w, i) => (
          <li key={w.windowId} role="option" aria-selected={i === index}>
            <button type="button" className={i === index ? 'active' : ''} onClick={() => onPick(w.windowId)}>
              {windowLabel(w)} <span className="muted">{w.network === BUILTIN_NETWORK ? (w.windowType === '1on1' ? 'direct message' : 'room') : w.network}</span>
            </button>
          </li>
        ))}
        {matches.length === 0 ? <li className="muted">No window matches</li> : null}
      </ul>
    </Modal>
  );
}
