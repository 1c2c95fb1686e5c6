/**
 * The message input: Enter sends (Shift+Enter a new line), ↑/↓ walk the lines sent before, Tab
 * completes nicks (again: the next match), and a paste or a submit of several lines asks first
 * (several messages, one line, or cancel), so a stray paste never floods a room.
 */
import { type ClipboardEvent, type KeyboardEvent, useRef, useState } from 'react';
import { MESSAGE_TEXT_MAX } from '../lib/constants';

export interface InputProps {
  /** Sends one line (a message or a slash command); rejects when it could not go. */
  onSubmit: (line: string) => Promise<void>;
  nicks: readonly string[];
  placeholder?: string;
  disabled?: boolean;
  /** Lines kept for ↑/↓. */
  historySize?: number;
  /** What was typed in this window before (a draft survives switching windows). */
  draft?: string;
  onDraft?: (text: string) => void;
}

interface Completion {
  start: number;
  end: number;
  matches: string[];
  index: number;
}

/** Nicks that start with `prefix` (case-insensitive), shortest first. */
export function completeNick(prefix: string, nicks: readonly string[]): string[] {
  const p = prefix.toLowerCase();
  return nicks.filter((n) => n.toLowerCase().startsWith(p)).sort((a, b) => a.length - b.length || a.localeCompare(b));
}

export function Input({ onSubmit, nicks, placeholder, disabled, historySize = 100, draft = '', onDraft }: InputProps) {
  const [text, setTextState] = useState(draft);
  const setText = (next: string | ((now: string) => string)) =>
    setTextState((now) => {
      const value = typeof next === 'function' ? next(now) : next;
      onDraft?.(value);
      return value;
    });
  const [pending, setPending] = useState<string[] | undefined>(undefined);
  const history = useRef<string[]>([]);
  const cursor = useRef(-1); // -1: the draft
  const historyDraft = useRef(''); // what was typed before ↑ went into the history
  const completion = useRef<Completion | undefined>(undefined);
  const ref = useRef<HTMLTextAreaElement>(null);

  const send = async (lines: string[]) => {
    const kept = lines.filter((l) => l.trim() !== '');
    if (kept.length === 0) return;
    for (const line of kept) {
      history.current.push(line);
      if (history.current.length > historySize) history.current.shift();
    }
    cursor.current = -1;
    setText('');
    for (let i = 0; i < kept.length; i++) {
      try {
        await onSubmit(kept[i]!);
      } catch {
        // Nothing typed is lost: what did not go comes back into the input.
        setText((now) => (now === '' ? kept.slice(i).join('\n') : now));
        return;
      }
    }
  };

  const submit = (value: string) => {
    const lines = value.split(/\r\n|\r|\n/);
    if (lines.filter((l) => l.trim() !== '').length > 1) setPending(lines.filter((l) => l.trim() !== ''));
    else void send(lines);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== 'Tab') completion.current = undefined;
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit(text);
      return;
    }
    if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.altKey && !text.includes('\n')) {
      const h = history.current;
      if (h.length === 0) return;
      e.preventDefault();
      if (cursor.current === -1) historyDraft.current = text;
      if (e.key === 'ArrowUp') cursor.current = cursor.current === -1 ? h.length - 1 : Math.max(0, cursor.current - 1);
      else cursor.current = cursor.current === -1 || cursor.current >= h.length - 1 ? -1 : cursor.current + 1;
      setText(cursor.current === -1 ? historyDraft.current : h[cursor.current]!);
      return;
    }
    if (e.key === 'Tab' && !e.shiftKey && !e.altKey && !e.ctrlKey) {
      const el = e.currentTarget;
      const caret = el.selectionStart ?? text.length;
      let c = completion.current;
      if (!c) {
        const start = text.slice(0, caret).search(/\S+$/);
        if (start === -1) return;
        const matches = completeNick(text.slice(start, caret), nicks);
        if (matches.length === 0) return;
        c = { start, end: caret, matches, index: 0 };
      } else c = { ...c, index: (c.index + 1) % c.matches.length };
      e.preventDefault();
      const suffix = c.start === 0 ? ': ' : ' ';
      const word = c.matches[c.index]! + suffix;
      const next = text.slice(0, c.start) + word + text.slice(c.end);
      completion.current = { ...c, end: c.start + word.length };
      setText(next);
      const pos = c.start + word.length;
      requestAnimationFrame(() => el.setSelectionRange(pos, pos));
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = e.clipboardData.getData('text');
    if (!/[\r\n]/.test(pasted.trim())) return;
    e.preventDefault();
    const el = e.currentTarget;
    const start = el.selectionStart ?? text.length;
    const end = el.selectionEnd ?? text.length;
    const whole = text.slice(0, start) + pasted + text.slice(end);
    setPending(whole.split(/\r\n|\r|\n/).filter((l) => l.trim() !== ''));
  };

  return (
    <div className="input-area">
      {pending ? (
        <div className="paste-guard" role="alertdialog" aria-label="several lines">
          <span>
            Send {pending.length} lines as {pending.length} messages?
          </span>
          <button
            type="button"
            className="primary"
            onClick={() => {
              const lines = pending;
              setPending(undefined);
              void send(lines);
            }}
          >
            Send {pending.length} messages
          </button>
          <button
            type="button"
            onClick={() => {
              const one = pending.join(' ');
              setPending(undefined);
              setText(one);
              ref.current?.focus();
            }}
          >
            Make it one line
          </button>
          <button
            type="button"
            onClick={() => {
              setText(pending.join('\n'));
              setPending(undefined);
              ref.current?.focus();
            }}
          >
            Cancel
          </button>
        </div>
      ) : null}
      <textarea
        ref={ref}
        className="input"
        aria-label="message"
        rows={Math.min(6, text.split('\n').length)}
        value={text}
        maxLength={MESSAGE_TEXT_MAX}
        placeholder={placeholder}
        disabled={disabled}
        onChange={(e) => {
          setText(e.target.value);
          cursor.current = -1;
        }}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        autoFocus
        spellCheck
      />
    </div>
  );
}
