/**
 * A window's messages: day separators, times, nick colours, actions, condensed join/part/quit runs,
 * clickable links, the "new messages" marker, read receipts of a direct message, and older history
 * loaded when scrolled to the top. Sticks to the newest message unless the user scrolled up.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '@parley/protocol';
import { buildRows, formatTime, nickColour, type Row } from '../lib/format';
import { MessageText } from './MessageText';

export interface MessageViewProps {
  windowId: number;
  messages: readonly Message[];
  /** The "new messages" marker goes after this gid. */
  markerGid?: number | undefined;
  hasOlder: boolean;
  /** Own messages up to this gid were read by the peer (1on1). */
  peerReadGid?: number | undefined;
  isOwn: (m: Message) => boolean;
  onLoadOlder: () => Promise<void>;
  /** Edits an own message (empty text deletes it); without it, messages cannot be edited here. */
  onEdit?: ((m: Message, text: string) => Promise<void>) | undefined;
}

const EDITABLE = new Set<Message['cat']>(['msg', 'action']);

/** An own message being edited in place: Enter saves, Esc cancels, Delete removes it. */
function EditLine({ m, onEdit, onDone }: { m: Message; onEdit: (m: Message, text: string) => Promise<void>; onDone: () => void }) {
  const [text, setText] = useState(m.body);
  const [error, setError] = useState<string | undefined>();
  const save = (value: string) =>
    onEdit(m, value)
      .then(onDone)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  return (
    <form
      className="edit-line"
      onSubmit={(e) => {
        e.preventDefault();
        void save(text.trim());
      }}
    >
      <input
        aria-label="edit message"
        value={text}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          }
        }}
      />
      <button type="submit" className="primary">
        Save
      </button>
      <button type="button" onClick={() => void save('')}>
        Delete
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      {error ? <span className="field-error">{error}</span> : null}
    </form>
  );
}

const NEAR_TOP_PX = 40;
const NEAR_BOTTOM_PX = 60;

const Line = memo(function Line({ m, own, seen, onEdit }: { m: Message; own: boolean; seen: boolean; onEdit?: ((m: Message, text: string) => Promise<void>) | undefined }) {
  const [editing, setEditing] = useState(false);
  const nick = (
    <>
      <span className={`nick nick-c${nickColour(m.nick || '?')}`}>{m.nick}</span>
      {m.bot ? <span className="bot-tag">bot</span> : null}
    </>
  );
  const time = (
    <time className="time" dateTime={new Date(m.ts).toISOString()} title={new Date(m.ts).toLocaleString()}>
      {formatTime(m.ts)}
    </time>
  );
  const deleted = m.edited && m.body === '';
  const edited = m.edited && !deleted ? <span className="edited"> (edited)</span> : null;
  const receipt = seen ? (
    <span className="receipt" title="read">
      {' '}
      ✓ seen
    </span>
  ) : null;
  let body;
  switch (m.cat) {
    case 'action':
      body = (
        <span className="body action">
          * {nick} <MessageText text={m.body} />
        </span>
      );
      break;
    case 'msg':
    case 'notice':
      body = (
        <>
          <span className="from">{m.cat === 'notice' ? <>-{nick}-</> : nick}</span>
          <span className="body">{deleted ? <em className="deleted">message deleted</em> : <MessageText text={m.body} />}</span>
        </>
      );
      break;
    case 'info':
    case 'join':
    case 'part':
    case 'quit':
    case 'kick':
    case 'server':
    case 'error':
    case 'banner':
      // These lines are sentences that name who did what ("bob joined").
      body = (
        <span className="body">
          <MessageText text={m.body} />
        </span>
      );
  }
  const editable = own && onEdit !== undefined && EDITABLE.has(m.cat) && !deleted;
  return (
    <div className={`line cat-${m.cat}${own ? ' own' : ''}`} data-gid={m.gid}>
      {time}
      {editing && editable ? <EditLine m={m} onEdit={onEdit} onDone={() => setEditing(false)} /> : body}
      {edited}
      {receipt}
      {editable && !editing ? (
        <button type="button" className="link-button line-action" aria-label="edit" onClick={() => setEditing(true)}>
          edit
        </button>
      ) : null}
    </div>
  );
});

function Presence({ row }: { row: Extract<Row, { kind: 'presence' }> }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="line cat-presence">
      <time className="time">{formatTime(row.messages[0]!.ts)}</time>
      <button type="button" className="link-button presence-summary" aria-expanded={open} onClick={() => setOpen(!open)}>
        {row.summary}
      </button>
      {open ? (
        <div className="presence-detail">
          {row.messages.map((m) => (
            <div key={m.gid}>
              {formatTime(m.ts)} <MessageText text={m.body} />
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

export const MessageView = memo(function MessageView({ windowId, messages, markerGid, hasOlder, peerReadGid, isOwn, onLoadOlder, onEdit }: MessageViewProps) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const anchor = useRef<{ height: number; top: number; firstGid: number } | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  /** Messages came while the user was reading further up: a button takes them down. */
  const [newBelow, setNewBelow] = useState(false);
  const messagesRef = useRef(messages);
  messagesRef.current = messages;
  const rows = useMemo(() => buildRows(messages, markerGid), [messages, markerGid]);
  // The newest own message the peer has read carries the receipt.
  const seenGid = useMemo(() => {
    if (peerReadGid === undefined) return undefined;
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.gid <= peerReadGid && isOwn(messages[i]!)) return messages[i]!.gid;
    return undefined;
  }, [messages, peerReadGid, isOwn]);

  // A new window opens at its newest message.
  useLayoutEffect(() => {
    stick.current = true;
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [windowId]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const a = anchor.current;
    if (a && messages[0] && messages[0].gid !== a.firstGid) {
      // Older history came in above: keep what the user was reading where it was.
      el.scrollTop = a.top + (el.scrollHeight - a.height);
      anchor.current = undefined;
    } else if (stick.current) el.scrollTop = el.scrollHeight;
    else setNewBelow(true);
  }, [messages]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (stick.current) setNewBelow(false);
    if (el.scrollTop < NEAR_TOP_PX && hasOlder && !loading) {
      anchor.current = { height: el.scrollHeight, top: el.scrollTop, firstGid: messages[0]?.gid ?? 0 };
      setLoading(true);
      onLoadOlder()
        .catch(() => undefined) // the next scroll tries again
        .finally(() => {
          // Nothing older came (or the fetch failed): forget where the view was anchored.
          if (messagesRef.current[0]?.gid === anchor.current?.firstGid) anchor.current = undefined;
          setLoading(false);
        });
    }
  };

  const toNewest = () => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
    stick.current = true;
    setNewBelow(false);
  };

  return (
    <div className="messages-pane">
      {newBelow ? (
        <button type="button" className="jump-newest" onClick={toNewest}>
          ↓ New messages
        </button>
      ) : null}
      <div className="messages" ref={ref} onScroll={onScroll} role="log" aria-live="polite" aria-label="messages">
        {hasOlder ? (
          <div className="history-edge">
            <button
              type="button"
              className="link-button"
              disabled={loading}
              onClick={() => {
                setLoading(true);
                onLoadOlder()
                  .catch(() => undefined)
                  .finally(() => setLoading(false));
              }}
            >
              {loading ? 'Loading older messages…' : 'Load older messages'}
            </button>
          </div>
        ) : messages.length > 0 ? (
          <div className="history-edge">The beginning of this conversation</div>
        ) : (
          <div className="history-edge">No messages yet</div>
        )}
        {rows.map((row) => {
          switch (row.kind) {
            case 'day':
              return (
                <div key={row.key} className="day-separator" role="separator">
                  <span>{row.label}</span>
                </div>
            );
            case 'marker':
              return (
                <div key={row.key} className="new-marker" role="separator" aria-label="new messages">
                  <span>new messages</span>
                </div>
            );
            case 'presence':
              return <Presence key={row.key} row={row} />;
            case 'message':
              return <Line key={row.key} m={row.message} own={isOwn(row.message)} seen={seenGid === row.message.gid} onEdit={onEdit} />;
          }
        })}
      </div>
    </div>
  );
});
