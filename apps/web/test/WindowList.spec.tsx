import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { NetworkStatus } from '@parley/protocol';
import { groupWindows, WindowList } from '../src/components/WindowList';
import type { ChatWindow } from '../src/lib/state';
import { windowFields } from './fixtures';

const w = (windowId: number, over: Partial<ChatWindow> = {}): ChatWindow => ({
  ...windowFields(windowId),
  messages: [],
  members: [],
  unread: 0,
  mentions: 0,
  seenGid: 0,
  hasOlder: false,
  ...over,
});

const WINDOWS: ChatWindow[] = [
  w(1, { name: '#tea', unread: 3 }),
  w(2, { name: '#coffee', unread: 5, mentions: 2 }),
  w(3, { name: 'bob', windowType: '1on1', userId: 8, unread: 1, mentions: 1 }),
  w(4, { network: 'libera', name: '*' }),
  w(5, { network: 'libera', name: '#linux' }),
  w(6, { network: 'oftc', name: '#debian' }),
];
const NETWORKS: Record<string, NetworkStatus> = {
  parley: { name: 'parley', state: 'connected', currentNick: 'me' },
  libera: { name: 'libera', state: 'connected', currentNick: 'me' },
  oftc: { name: 'oftc', state: 'disconnected' },
  efnet: { name: 'efnet', state: 'connecting' },
};

function setup(active?: number, windows = WINDOWS, networks = NETWORKS) {
  const user = userEvent.setup();
  const onSelect = jest.fn();
  const onAdd = jest.fn();
  render(<WindowList windows={windows} networks={networks} active={active} onSelect={onSelect} onAdd={onAdd} />);
  return { user, onSelect, onAdd };
}

const names = (group: HTMLElement) => [...group.querySelectorAll('.window-name')].map((el) => el.textContent);

describe('WindowList', () => {
  it('groups windows into Rooms, Direct messages and one group per IRC network, with its state', () => {
    setup();
    const groups = screen.getAllByRole('region');
    expect(groups.map((g) => g.getAttribute('aria-label'))).toEqual(['Rooms', 'Direct messages', 'efnet', 'libera', 'oftc']);
    expect(names(screen.getByRole('region', { name: 'Rooms' }))).toEqual(['#tea', '#coffee']);
    expect(names(screen.getByRole('region', { name: 'Direct messages' }))).toEqual(['bob']);
    const libera = screen.getByRole('region', { name: 'libera' });
    expect(names(libera)).toEqual(['libera', '#linux']);
    expect(within(libera).getByText('connected')).toBeTruthy();
    const oftc = screen.getByRole('region', { name: 'oftc' });
    expect(names(oftc)).toEqual(['#debian']);
    expect(within(oftc).getByText('disconnected')).toBeTruthy();
    const efnet = screen.getByRole('region', { name: 'efnet' });
    expect(within(efnet).getByText('connecting…')).toBeTruthy();
    expect(within(efnet).getByText('No windows')).toBeTruthy();
    // the built-in groups show no connection state
    expect(screen.getByRole('region', { name: 'Rooms' }).querySelector('.net-state')).toBeNull();
  });

  it('shows unread and mention badges; the mention badge wins', () => {
    setup();
    const tea = screen.getByRole('button', { name: /^#tea/ });
    expect(within(tea).getByLabelText('3 unread').textContent).toBe('3');
    const coffee = screen.getByRole('button', { name: /^#coffee/ });
    expect(within(coffee).getByLabelText('2 mentions').textContent).toBe('2');
    expect(within(coffee).queryByLabelText('5 unread')).toBeNull();
    expect(within(screen.getByRole('button', { name: /^bob/ })).getByLabelText('1 mentions')).toBeTruthy();
    const linux = screen.getByRole('button', { name: '#linux' });
    expect(linux.querySelector('.badge')).toBeNull();
    expect(tea.className).toContain('unread');
    expect(linux.className).not.toContain('unread');
  });

  it('marks the active window with aria-current', () => {
    setup(5);
    const current = screen.getAllByRole('button').filter((b) => b.getAttribute('aria-current') !== null);
    expect(current).toHaveLength(1);
    expect(current[0]!.textContent).toBe('#linux');
    expect(current[0]!.getAttribute('aria-current')).toBe('page');
  });

  it('marks no window without an active one', () => {
    setup(undefined);
    expect(screen.getAllByRole('button').filter((b) => b.getAttribute('aria-current') !== null)).toEqual([]);
  });

  it('calls onSelect with the windowId of the clicked window', async () => {
    const { user, onSelect } = setup(1);
    await user.click(screen.getByRole('button', { name: '#debian' }));
    expect(onSelect).toHaveBeenCalledWith(6);
    await user.click(screen.getByRole('button', { name: /^bob/ }));
    expect(onSelect.mock.calls).toEqual([[6], [3]]);
  });

  it('labels the IRC server window with the network name', async () => {
    const { user, onSelect } = setup();
    const libera = screen.getByRole('region', { name: 'libera' });
    const server = within(libera).getByRole('button', { name: 'libera' });
    expect(server.className).toContain('server');
    expect(screen.queryByText('*')).toBeNull();
    await user.click(server);
    expect(onSelect).toHaveBeenCalledWith(4);
  });

  it('offers to add rooms, direct messages and IRC channels', async () => {
    const { user, onAdd } = setup();
    await user.click(screen.getByRole('button', { name: 'create or join a room' }));
    await user.click(screen.getByRole('button', { name: 'start a direct message' }));
    await user.click(screen.getByRole('button', { name: '+ Join an IRC channel' }));
    expect(onAdd.mock.calls).toEqual([['room'], ['dm'], ['irc']]);
  });

  it('shows the built-in groups when there are no windows', () => {
    setup(undefined, [], {});
    expect(screen.getAllByRole('region').map((g) => g.getAttribute('aria-label'))).toEqual(['Rooms', 'Direct messages']);
    expect(screen.getByText('No rooms yet')).toBeTruthy();
    expect(screen.getByText('No conversations yet')).toBeTruthy();
  });
});

describe('groupWindows', () => {
  it('returns the built-in groups even when empty', () => {
    const groups = groupWindows([], {});
    expect(groups.map((g) => [g.key, g.title, g.windows.length])).toEqual([
      ['rooms', 'Rooms', 0],
      ['dms', 'Direct messages', 0],
    ]);
    expect(groups.map((g) => g.add)).toEqual(['room', 'dm']);
  });

  it('does not make a group of the built-in network and sorts IRC networks by name', () => {
    const groups = groupWindows(WINDOWS, NETWORKS);
    expect(groups.map((g) => g.key)).toEqual(['rooms', 'dms', 'irc:efnet', 'irc:libera', 'irc:oftc']);
    expect(groups.map((g) => g.state)).toEqual([undefined, undefined, 'connecting', 'connected', 'disconnected']);
    expect(groups[3]!.windows.map((x) => x.windowId)).toEqual([4, 5]);
  });

  it('takes a network without a status yet as connecting', () => {
    const groups = groupWindows([w(1, { network: 'newnet', name: '#x' })], {});
    expect(groups).toHaveLength(3);
    expect(groups[2]).toMatchObject({ key: 'irc:newnet', title: 'newnet', state: 'connecting' });
  });
});
