/**
 * The window list, grouped by network: Parley's rooms, direct messages, then each IRC network with
 * its connection state. Each window shows its unread and mention counts.
 */
import { memo } from 'react';
import type { NetworkStatus } from '@parley/protocol';
import { BUILTIN_NETWORK } from '../lib/constants';
import { type ChatWindow, isServerWindow, windowLabel } from '../lib/state';

export interface WindowListProps {
  windows: readonly ChatWindow[];
  networks: Readonly<Record<string, NetworkStatus>>;
  active?: number | undefined;
  onSelect: (windowId: number) => void;
  onAdd?: (what: 'room' | 'dm' | 'irc') => void;
}

interface Group {
  key: string;
  title: string;
  state?: NetworkStatus['state'] | undefined;
  add?: 'room' | 'dm' | 'irc';
  windows: ChatWindow[];
}

/** The groups the list shows, in order; the two built-in groups are always there. */
export function groupWindows(windows: readonly ChatWindow[], networks: Readonly<Record<string, NetworkStatus>>): Group[] {
  const rooms: Group = { key: 'rooms', title: 'Rooms', add: 'room', windows: [] };
  const dms: Group = { key: 'dms', title: 'Direct messages', add: 'dm', windows: [] };
  const irc = new Map<string, Group>();
  for (const w of windows) {
    if (w.network === BUILTIN_NETWORK) (w.windowType === 'group' ? rooms : dms).windows.push(w);
    else {
      let g = irc.get(w.network);
      if (!g) irc.set(w.network, (g = { key: `irc:${w.network}`, title: w.network, state: networks[w.network]?.state ?? 'connecting', windows: [] }));
      g.windows.push(w);
    }
  }
  for (const [name, n] of Object.entries(networks)) {
    if (name !== BUILTIN_NETWORK && !irc.has(name)) irc.set(name, { key: `irc:${name}`, title: name, state: n.state, windows: [] });
  }
  return [rooms, dms, ...[...irc.values()].sort((a, b) => a.title.localeCompare(b.title))];
}

const STATE_LABEL: Record<NetworkStatus['state'], string> = { connected: 'connected', connecting: 'connecting…', disconnected: 'disconnected' };

export const WindowList = memo(function WindowList({ windows, networks, active, onSelect, onAdd }: WindowListProps) {
  const groups = groupWindows(windows, networks);
  return (
    <nav className="window-list" aria-label="windows">
      {groups.map((g) => (
        <section key={g.key} className="window-group" aria-label={g.title}>
          <h2>
            <span className="group-title">{g.title}</span>
            {g.state ? (
              <span className={`net-state net-${g.state}`} title={STATE_LABEL[g.state]}>
                {STATE_LABEL[g.state]}
              </span>
            ) : null}
            {g.add && onAdd ? (
              <button type="button" className="icon-button" aria-label={g.add === 'room' ? 'create or join a room' : 'start a direct message'} onClick={() => onAdd(g.add!)}>
                +
              </button>
            ) : null}
          </h2>
          <ul>
            {g.windows.map((w) => (
              <li key={w.windowId}>
                <button
                  type="button"
                  className={`window-item${w.windowId === active ? ' active' : ''}${w.unread > 0 ? ' unread' : ''}${isServerWindow(w) ? ' server' : ''}`}
                  aria-current={w.windowId === active ? 'page' : undefined}
                  onClick={() => onSelect(w.windowId)}
                >
                  <span className="window-name">{windowLabel(w)}</span>
                  {w.mentions > 0 ? (
                    <span className="badge mention" aria-label={`${w.mentions} mentions`}>
                      {w.mentions}
                    </span>
                  ) : w.unread > 0 ? (
                    <span className="badge" aria-label={`${w.unread} unread`}>
                      {w.unread}
                    </span>
                  ) : null}
                </button>
              </li>
            ))}
            {g.windows.length === 0 ? <li className="empty">{g.add === 'dm' ? 'No conversations yet' : g.add === 'room' ? 'No rooms yet' : 'No windows'}</li> : null}
          </ul>
        </section>
      ))}
      {onAdd ? (
        <button type="button" className="link-button join-irc" onClick={() => onAdd('irc')}>
          + Join an IRC channel
        </button>
      ) : null}
    </nav>
  );
});
