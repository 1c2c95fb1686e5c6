import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { completeNick, Input } from '../src/components/Input';

const NICKS = ['alice', 'Albert', 'bob', 'al'];

function setup(onSubmit: (line: string) => Promise<void> = () => Promise.resolve(), nicks: readonly string[] = NICKS) {
  const user = userEvent.setup();
  const submit = jest.fn(onSubmit);
  render(<Input onSubmit={submit} nicks={nicks} />);
  const box = screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'message' });
  return { user, submit, box };
}

describe('completeNick', () => {
  it('finds nicks by prefix, case-insensitively, shortest first', () => {
    expect(completeNick('al', NICKS)).toEqual(['al', 'alice', 'Albert']);
    expect(completeNick('AL', NICKS)).toEqual(['al', 'alice', 'Albert']);
    expect(completeNick('ali', NICKS)).toEqual(['alice']);
    expect(completeNick('b', NICKS)).toEqual(['bob']);
    expect(completeNick('z', NICKS)).toEqual([]);
  });

  it('orders nicks of the same length alphabetically and leaves its input alone', () => {
    const nicks = ['bea', 'Ben', 'bat'];
    expect(completeNick('b', nicks)).toEqual(['bat', 'bea', 'Ben']);
    expect(nicks).toEqual(['bea', 'Ben', 'bat']);
    expect(completeNick('', ['bb', 'a'])).toEqual(['a', 'bb']);
  });
});

describe('Input', () => {
  it('submits the text on Enter and clears the input', async () => {
    const { user, submit, box } = setup();
    await user.type(box, 'hello world{Enter}');
    expect(submit).toHaveBeenCalledTimes(1);
    expect(submit).toHaveBeenCalledWith('hello world');
    expect(box.value).toBe('');
  });

  it('does not submit an empty or blank line', async () => {
    const { user, submit, box } = setup();
    await user.type(box, '{Enter}   {Enter}');
    expect(submit).not.toHaveBeenCalled();
  });

  it('makes a new line on Shift+Enter instead of submitting', async () => {
    const { user, submit, box } = setup();
    await user.type(box, 'one{Shift>}{Enter}{/Shift}two');
    expect(submit).not.toHaveBeenCalled();
    expect(box.value).toBe('one\ntwo');
  });

  it('walks the sent lines with ↑ and ↓ and gives the draft back', async () => {
    const { user, box } = setup();
    await user.type(box, 'first{Enter}second{Enter}draft');
    await user.keyboard('{ArrowUp}');
    expect(box.value).toBe('second');
    await user.keyboard('{ArrowUp}');
    expect(box.value).toBe('first');
    await user.keyboard('{ArrowUp}');
    expect(box.value).toBe('first');
    await user.keyboard('{ArrowDown}');
    expect(box.value).toBe('second');
    await user.keyboard('{ArrowDown}');
    expect(box.value).toBe('draft');
  });

  it('sends a line taken from the history again', async () => {
    const { user, submit, box } = setup();
    await user.type(box, 'again{Enter}');
    await user.keyboard('{ArrowUp}{Enter}');
    expect(submit.mock.calls).toEqual([['again'], ['again']]);
    expect(box.value).toBe('');
  });

  it('completes a nick with Tab: ": " at the start of the line', async () => {
    const { user, box } = setup();
    await user.type(box, 'ali');
    await user.keyboard('{Tab}');
    expect(box.value).toBe('alice: ');
    expect(document.activeElement).toBe(box);
  });

  it('completes a nick with Tab in the middle of a line with a space, and cycles on a second Tab', async () => {
    const { user, box } = setup();
    await user.type(box, 'hi al');
    await user.keyboard('{Tab}');
    expect(box.value).toBe('hi al ');
    await user.keyboard('{Tab}');
    expect(box.value).toBe('hi alice ');
    await user.keyboard('{Tab}');
    expect(box.value).toBe('hi Albert ');
    await user.keyboard('{Tab}');
    expect(box.value).toBe('hi al ');
  });

  it('cycles at the start of the line too', async () => {
    const { user, box } = setup();
    await user.type(box, 'AL');
    await user.keyboard('{Tab}{Tab}');
    expect(box.value).toBe('alice: ');
  });

  it('leaves Tab alone without a match', async () => {
    const { user, box } = setup();
    await user.type(box, 'zed');
    await user.keyboard('{Tab}');
    expect(box.value).toBe('zed');
    expect(document.activeElement).not.toBe(box);
  });

  it('asks before sending a multi-line paste: "Send N messages" sends each line in order', async () => {
    const sent: string[] = [];
    const { user, submit, box } = setup((line) => {
      sent.push(line);
      return Promise.resolve();
    });
    await user.click(box);
    await user.paste('one\ntwo\n\nthree');
    const guard = screen.getByRole('alertdialog');
    expect(guard.textContent).toContain('Send 3 lines as 3 messages?');
    expect(submit).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Send 3 messages' }));
    await waitFor(() => expect(sent).toEqual(['one', 'two', 'three']));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(box.value).toBe('');
  });

  it('sends the lines one after another, each when the previous one went', async () => {
    const pending: (() => void)[] = [];
    const { user, submit, box } = setup(() => new Promise<void>((resolve) => pending.push(resolve)));
    await user.click(box);
    await user.paste('a\r\nb');
    await user.click(screen.getByRole('button', { name: 'Send 2 messages' }));
    expect(submit.mock.calls).toEqual([['a']]);
    pending[0]!();
    await waitFor(() => expect(submit.mock.calls).toEqual([['a'], ['b']]));
    pending[1]!();
  });

  it('"Make it one line" puts the lines joined by spaces into the input', async () => {
    const { user, submit, box } = setup();
    await user.click(box);
    await user.paste('one\ntwo\nthree');
    await user.click(screen.getByRole('button', { name: 'Make it one line' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(submit).not.toHaveBeenCalled();
    expect(box.value).toBe('one two three');
    await user.keyboard('{Enter}');
    expect(submit.mock.calls).toEqual([['one two three']]);
  });

  it('Cancel sends nothing', async () => {
    const { user, submit, box } = setup();
    await user.click(box);
    await user.paste('one\ntwo');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(submit).not.toHaveBeenCalled();
    expect(box.value).toBe('one\ntwo');
  });

  it('includes what was typed around a multi-line paste', async () => {
    const { user, box } = setup();
    await user.type(box, 'say: ');
    await user.paste('x\ny');
    expect(screen.getByRole('button', { name: 'Send 2 messages' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Make it one line' }));
    expect(box.value).toBe('say: x y');
  });

  it('pastes a single line as usual', async () => {
    const { user, submit, box } = setup();
    await user.click(box);
    await user.paste('just one line\n');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(submit).not.toHaveBeenCalled();
    expect(box.value).toBe('just one line\n');
  });

  it('asks before submitting several typed lines too', async () => {
    const { user, submit, box } = setup();
    await user.type(box, 'a{Shift>}{Enter}{/Shift}b{Enter}');
    expect(submit).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Send 2 messages' }));
    await waitFor(() => expect(submit.mock.calls).toEqual([['a'], ['b']]));
  });

  it('puts the text back when it could not be sent', async () => {
    const { user, submit, box } = setup(() => Promise.reject(new Error('offline')));
    await user.type(box, 'important{Enter}');
    expect(submit).toHaveBeenCalledWith('important');
    await waitFor(() => expect(box.value).toBe('important'));
  });

  it('puts back the lines that did not go', async () => {
    const { user, submit, box } = setup((line) => (line === 'two' ? Promise.reject(new Error('offline')) : Promise.resolve()));
    await user.click(box);
    await user.paste('one\ntwo\nthree');
    await user.click(screen.getByRole('button', { name: 'Send 3 messages' }));
    await waitFor(() => expect(box.value).toBe('two\nthree'));
    expect(submit.mock.calls).toEqual([['one'], ['two']]);
  });
  it("starts from the window's draft and reports what is typed, so switching windows keeps it", async () => {
    const user = userEvent.setup();
    const onDraft = jest.fn();
    render(<Input onSubmit={() => Promise.resolve()} nicks={[]} draft="half a thought" onDraft={onDraft} />);
    const box = screen.getByLabelText<HTMLTextAreaElement>('message');
    expect(box.value).toBe('half a thought');
    await user.type(box, '!');
    expect(onDraft).toHaveBeenLastCalledWith('half a thought!');
    await user.keyboard('{Enter}');
    expect(onDraft).toHaveBeenLastCalledWith('');
  });
});
