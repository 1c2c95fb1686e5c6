import { memo } from 'react';
import { linkify } from '../lib/format';

/** Message text with its links as anchors. Text stays text: React escapes it, nothing is parsed as HTML. */
export const MessageText = memo(function MessageText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((s, i) =>
        s.kind === 'link' ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer nofollow">
            {s.text}
          </a>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
});
