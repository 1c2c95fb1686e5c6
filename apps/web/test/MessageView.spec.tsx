import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Message } from '@parley/protocol';
import { MessageView, type MessageViewProps } from '../src/components/MessageView';

const ME = 7;
const DAY1 = new Date(2024, 2, 5, 10, 5).getTime();
const DAY2 = new Date(2024, 2, 6, 9, 30).getTime();

const msg = (gid: number, over: Partial<Message> = {}): Message => ({ gid, ts: DAY1 + gid * 60_000, cat: 'msg', body: `line ${gid}`, nick: 'bob', userId: 8, ...over });
const isOwn = (m: Message) => m.userId === ME;

function view(props: Partial<MessageViewProps> = {}) {
  const onLoadOlder = jest.fn(() => Promise.resolve());
  const utils = render(<MessageView windowId={1} messages={[]} hasOlder={false} isOwn={isOwn} onLoadOlder={onLoadOlder} {...props} />);
  return { ...utils, onLoadOlder };
}

/** An element whose own text content is exactly `text` (across child elements). */
const byContent = (text: string) => (_: string, el: Element | null) =>
  el !== null && el.textContent === text && [...el.children].every((child) => child.textContent !== text);

const lineOf = (el: HTMLElement) => {
  const line = el.closest('.line');
  if (!line) throw new Error('not in a line');
  return line;
};

describe('MessageView', () => {
  it("marks a service bot's message, and only its", () => {
    view({ messages: [msg(0, { body: 'deploy done', nick: 'Botty', userId: undefined, bot: true }), msg(1, { body: 'thanks', nick: 'bob' })] });
    expect(lineOf(screen.getByText('deploy done')).querySelector('.bot-tag')?.textContent).toBe('bot');
    expect(lineOf(screen.getByText('thanks')).querySelector('.bot-tag')).toBeNull();
  });

  it('renders messages with their times and nicks', () => {
    view({ messages: [msg(0, { body: 'hello', nick: 'alice', ts: DAY1 }), msg(1, { body: 'hi alice', nick: 'bob', ts: DAY1 + 3 * 60_000 })] });
    const first = lineOf(screen.getByText('hello'));
    expect(within(first as HTMLElement).getByText('alice')).toBeTruthy();
    expect(first.querySelector('time')?.textContent).toBe('10:05');
    const second = lineOf(screen.getByText('hi alice'));
    expect(within(second as HTMLElement).getByText('bob')).toBeTruthy();
    expect(second.querySelector('time')?.textContent).toBe('10:08');
    expect(screen.getByText('The beginning of this conversation')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load older messages' })).toBeNull();
  });

  it('says so when there are no messages', () => {
    view();
    expect(screen.getByText('No messages yet')).toBeTruthy();
  });

  it('shows an action as "* nick text"', () => {
    view({ messages: [msg(1, { cat: 'action', nick: 'alice', body: 'waves' })] });
    const action = screen.getByText(byContent('* alice waves'));
    expect(action.classList.contains('action')).toBe(true);
  });

  it('shows a notice with its nick between dashes', () => {
    view({ messages: [msg(1, { cat: 'notice', nick: 'server', body: 'maintenance' })] });
    expect(screen.getByText(byContent('-server-'))).toBeTruthy();
  });

  it('puts a day separator between messages of different local days', () => {
    view({ messages: [msg(1, { ts: DAY1 }), msg(2, { ts: DAY1 + 1000 }), msg(3, { ts: DAY2 })] });
    const separators = screen.getAllByRole('separator');
    expect(separators).toHaveLength(2);
    const all = [...document.querySelectorAll('.day-separator, .line')].map((el) => (el.classList.contains('day-separator') ? 'day' : el.getAttribute('data-gid')));
    expect(all).toEqual(['day', '1', '2', 'day', '3']);
    expect(separators[0]!.textContent).not.toBe(separators[1]!.textContent);
  });

  it('shows the "new messages" marker before the first message after markerGid', () => {
    view({ messages: [msg(1), msg(2), msg(3), msg(4)], markerGid: 2 });
    const marker = screen.getByRole('separator', { name: 'new messages' });
    expect(marker.nextElementSibling?.getAttribute('data-gid')).toBe('3');
    expect(marker.previousElementSibling?.getAttribute('data-gid')).toBe('2');
  });

  it('shows no marker when markerGid is undefined', () => {
    view({ messages: [msg(1), msg(2)] });
    expect(screen.queryByRole('separator', { name: 'new messages' })).toBeNull();
    expect(screen.queryByText('new messages')).toBeNull();
  });

  it('condenses a run of join/part/quit lines into one row that expands on click', async () => {
    const user = userEvent.setup();
    view({
      messages: [
        msg(1, { body: 'before' }),
        msg(2, { cat: 'join', nick: 'carol', body: 'carol joined' }),
        msg(3, { cat: 'join', nick: 'dave', body: 'dave joined' }),
        msg(4, { cat: 'part', nick: 'erin', body: 'erin left (bye)' }),
        msg(5, { body: 'after' }),
      ],
    });
    const summary = screen.getByRole('button', { name: 'carol, dave joined · erin left' });
    expect(summary.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByText('carol joined')).toBeNull();
    expect(screen.queryByText('erin left (bye)')).toBeNull();

    await user.click(summary);
    expect(summary.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByText('carol joined')).toBeTruthy();
    expect(screen.getByText('dave joined')).toBeTruthy();
    expect(screen.getByText('erin left (bye)')).toBeTruthy();
    // each line once, with its time, and its nick not twice
    expect(screen.getByText(byContent('10:07 carol joined'))).toBeTruthy();

    await user.click(summary);
    expect(screen.queryByText('carol joined')).toBeNull();
  });

  it('shows a single join line as it is', () => {
    view({ messages: [msg(1, { cat: 'join', nick: 'carol', body: 'carol joined' }), msg(2)] });
    expect(screen.queryByRole('button')).toBeNull();
    expect(lineOf(screen.getByText('carol joined')).textContent).toBe('10:06carol joined');
  });

  it('makes http(s) links anchors that open safely, and nothing else', () => {
    view({ messages: [msg(1, { body: 'see https://example.com/a, www.example.org and javascript:alert(1) or data:text/html,hi' })] });
    const links = screen.getAllByRole('link');
    expect(links.map((a) => a.textContent)).toEqual(['https://example.com/a', 'www.example.org']);
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a', 'https://www.example.org']);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')?.split(' ')).toContain('noopener');
    }
    expect(screen.getByText('javascript:alert(1)', { exact: false }).tagName).not.toBe('A');
    expect(document.querySelector('a[href^="javascript"], a[href^="data"]')).toBeNull();
  });

  it('shows HTML in a message as text', () => {
    const { container } = view({ messages: [msg(1, { body: '<img src=x onerror=alert(1)>' }), msg(2, { cat: 'action', body: '<b>bold</b><script>x()</script>' })] });
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b, script')).toBeNull();
    expect(screen.getByText('<b>bold</b><script>x()</script>')).toBeTruthy();
  });

  it('marks an edited message and a deleted one', () => {
    view({ messages: [msg(1, { body: 'fixed text', edited: true }), msg(2, { body: '', edited: true }), msg(3, { body: 'plain' })] });
    expect(lineOf(screen.getByText('fixed text')).textContent).toContain('(edited)');
    const deleted = lineOf(screen.getByText('message deleted'));
    expect(deleted.getAttribute('data-gid')).toBe('2');
    expect(deleted.textContent).not.toContain('(edited)');
    expect(lineOf(screen.getByText('plain')).textContent).not.toContain('(edited)');
    expect(screen.getAllByText('(edited)')).toHaveLength(1);
  });

  it('shows the read receipt on the newest own message the peer has read, only', () => {
    const messages = [msg(1, { userId: ME }), msg(2, { userId: ME }), msg(3), msg(4, { userId: ME }), msg(5, { userId: ME })];
    const { rerender } = view({ messages, peerReadGid: 4 });
    const receipts = screen.getAllByText('✓ seen');
    expect(receipts).toHaveLength(1);
    expect(lineOf(receipts[0]!).getAttribute('data-gid')).toBe('4');

    // the peer read up to a message of theirs: the own message before it carries the receipt
    const onLoadOlder = () => Promise.resolve();
    rerender(<MessageView windowId={1} messages={messages} peerReadGid={3} hasOlder={false} isOwn={isOwn} onLoadOlder={onLoadOlder} />);
    expect(screen.getAllByText('✓ seen').map((r) => lineOf(r).getAttribute('data-gid'))).toEqual(['2']);

    rerender(<MessageView windowId={1} messages={messages} hasOlder={false} isOwn={isOwn} onLoadOlder={onLoadOlder} />);
    expect(screen.queryByText('✓ seen')).toBeNull();
  });

  it('shows no receipt when the peer read none of the own messages', () => {
    view({ messages: [msg(1), msg(2, { userId: ME })], peerReadGid: 1 });
    expect(screen.queryByText('✓ seen')).toBeNull();
  });

  it('loads older messages with its button when there are older ones', async () => {
    const user = userEvent.setup();
    let resolve: () => void = () => undefined;
    const onLoadOlder = jest.fn(() => new Promise<void>((r) => (resolve = r)));
    render(<MessageView windowId={1} messages={[msg(5)]} hasOlder isOwn={isOwn} onLoadOlder={onLoadOlder} />);
    expect(screen.queryByText('The beginning of this conversation')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Load older messages' }));
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
    const loading = screen.getByRole('button', { name: 'Loading older messages…' });
    expect((loading as HTMLButtonElement).disabled).toBe(true);

    resolve();
    const again = await screen.findByRole('button', { name: 'Load older messages' });
    expect((again as HTMLButtonElement).disabled).toBe(false);
    await user.click(again);
    expect(onLoadOlder).toHaveBeenCalledTimes(2);
    resolve();
    await screen.findByRole('button', { name: 'Load older messages' });
  });

  it('lets the button be used again after a failed load', async () => {
    const user = userEvent.setup();
    const onLoadOlder = jest.fn(() => Promise.reject(new Error('offline')));
    render(<MessageView windowId={1} messages={[msg(5)]} hasOlder isOwn={isOwn} onLoadOlder={onLoadOlder} />);
    await user.click(screen.getByRole('button', { name: 'Load older messages' }));
    const again = await screen.findByRole('button', { name: 'Load older messages' });
    expect((again as HTMLButtonElement).disabled).toBe(false);
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
  });
  describe('editing own messages', () => {
    const own = msg(5, { userId: ME, nick: 'me', body: 'teh typo' });
    const theirs = msg(6, { body: 'not mine' });

    it('offers edit only on own messages, and only where onEdit is given', () => {
      const { unmount } = view({ messages: [own, theirs] });
      expect(screen.queryByRole('button', { name: 'edit' })).toBeNull();
      unmount();
      view({ messages: [own, theirs, msg(7, { userId: ME, cat: 'join', body: 'me joined' })], onEdit: jest.fn(() => Promise.resolve()) });
      const buttons = screen.getAllByRole('button', { name: 'edit' });
      expect(buttons).toHaveLength(1);
      expect(lineOf(buttons[0]!).getAttribute('data-gid')).toBe('5');
    });

    it('saves the new text with Enter, deletes with Delete, and Esc cancels', async () => {
      const user = userEvent.setup();
      const onEdit = jest.fn((_m: Message, _text: string) => Promise.resolve());
      view({ messages: [own], onEdit });
      await user.click(screen.getByRole('button', { name: 'edit' }));
      const input = screen.getByLabelText('edit message');
      await user.clear(input);
      await user.type(input, 'the typo{Enter}');
      expect(onEdit).toHaveBeenLastCalledWith(own, 'the typo');
      expect(await screen.findByRole('button', { name: 'edit' })).toBeTruthy();

      await user.click(screen.getByRole('button', { name: 'edit' }));
      await user.keyboard('{Escape}');
      expect(screen.queryByLabelText('edit message')).toBeNull();
      expect(onEdit).toHaveBeenCalledTimes(1);

      await user.click(screen.getByRole('button', { name: 'edit' }));
      await user.click(screen.getByRole('button', { name: 'Delete' }));
      expect(onEdit).toHaveBeenLastCalledWith(own, '');
    });

    it('keeps the editor open with the error when the server refuses', async () => {
      const user = userEvent.setup();
      view({ messages: [own], onEdit: () => Promise.reject(new Error('only your own messages can be edited')) });
      await user.click(screen.getByRole('button', { name: 'edit' }));
      await user.type(screen.getByLabelText('edit message'), '!{Enter}');
      expect(await screen.findByText('only your own messages can be edited')).toBeTruthy();
      expect(screen.getByLabelText<HTMLInputElement>('edit message').value).toBe('teh typo!');
    });
  });
  describe('scrolling', () => {
    /** jsdom lays nothing out: give the log a size, and let scrollTop move within it. */
    const sized = (el: HTMLElement, height: number) => {
      let top = 0;
      Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => height });
      Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => 200 });
      Object.defineProperty(el, 'scrollTop', { configurable: true, get: () => top, set: (v: number) => (top = Math.max(0, Math.min(v, height - 200))) });
    };

    it('loads older history when scrolled to the top', async () => {
      const { onLoadOlder } = view({ messages: [msg(50), msg(51)], hasOlder: true });
      const log = screen.getByRole('log');
      sized(log, 1000);
      log.scrollTop = 0;
      fireEvent.scroll(log);
      expect(onLoadOlder).toHaveBeenCalledTimes(1);
      expect(await screen.findByRole('button', { name: 'Load older messages' })).toBeTruthy();
    });

    it('does not ask for older history when there is none', () => {
      const { onLoadOlder } = view({ messages: [msg(1)], hasOlder: false });
      const log = screen.getByRole('log');
      sized(log, 1000);
      log.scrollTop = 0;
      fireEvent.scroll(log);
      expect(onLoadOlder).not.toHaveBeenCalled();
    });

    it('offers a way down when messages arrive while the user reads further up, and follows them otherwise', async () => {
      const user = userEvent.setup();
      const first = [msg(1), msg(2)];
      const { rerender, onLoadOlder } = view({ messages: first });
      const log = screen.getByRole('log');
      sized(log, 1000);
      // At the bottom: a new message is followed, no button.
      log.scrollTop = 800;
      fireEvent.scroll(log);
      rerender(<MessageView windowId={1} messages={[...first, msg(3)]} hasOlder={false} isOwn={isOwn} onLoadOlder={onLoadOlder} />);
      expect(screen.queryByRole('button', { name: '↓ New messages' })).toBeNull();
      expect(log.scrollTop).toBe(800);
      // Reading further up: the view stays, and a button says there is more below.
      log.scrollTop = 300;
      fireEvent.scroll(log);
      rerender(<MessageView windowId={1} messages={[...first, msg(3), msg(4)]} hasOlder={false} isOwn={isOwn} onLoadOlder={onLoadOlder} />);
      expect(log.scrollTop).toBe(300);
      await user.click(screen.getByRole('button', { name: '↓ New messages' }));
      expect(log.scrollTop).toBe(800);
      expect(screen.queryByRole('button', { name: '↓ New messages' })).toBeNull();
    });
  });
});
