import { find } from 'linkifyjs';

/**
 * Whether a text can hold a link at all: linkifyjs finds none without a dot, a colon or
 * `localhost`, and most chat lines have none of them — the check spares them the tokenizer
 * (about 3 µs a line).
 */
const MAY_LINK = /[.:]|localhost/i;

/** The links in a text (linkifyjs, as the web client shows them), at most 20. */
export const urlsIn = (text: string): string[] =>
  MAY_LINK.test(text)
    ? find(text, 'url')
        .map((link) => link.href)
        .slice(0, 20)
    : [];
