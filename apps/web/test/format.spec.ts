/**
 * @jest-environment node
 */
import type { Message } from '@parley/protocol';
import { buildRows, dayKey, dayLabel, formatTime, linkify, mentions, NICK_COLOURS, nickColour, type Row, type Segment } from '../src/lib/format';

const text = (t: string): Segment => ({ kind: 'text', text: t });
const link = (t: string, href = t): Segment => ({ kind: 'link', text: t, href });

describe('linkify', () => {
  it.each<[string, Segment[]]>([
    ['', []],
    ['no links here', [text('no links here')]],
    ['https://example.com', [link('https://example.com')]],
    ['http://example.com/a?b=1&c=2#d', [link('http://example.com/a?b=1&c=2#d')]],
    ['see https://example.com/x and more', [text('see '), link('https://example.com/x'), text(' and more')]],
    ['two: http://a.example http://b.example', [text('two: '), link('http://a.example'), text(' '), link('http://b.example')]],
    ['HTTPS://EXAMPLE.COM', [link('HTTPS://EXAMPLE.COM')]],
    // trailing punctuation ends the sentence, not the link
    ['go to https://example.com.', [text('go to '), link('https://example.com'), text('.')]],
    ['https://example.com/a, https://example.com/b;', [link('https://example.com/a'), text(', '), link('https://example.com/b'), text(';')]],
    ['really https://example.com/?!', [text('really '), link('https://example.com/'), text('?!')]],
    ['"https://example.com/q"', [text('"'), link('https://example.com/q'), text('"')]],
    ["'https://example.com/q'", [text("'"), link('https://example.com/q'), text("'")]],
    ['[https://example.com/q]', [text('['), link('https://example.com/q'), text(']')]],
    ['https://example.com/a.b', [link('https://example.com/a.b')]],
    // parentheses: around a link they are not part of it; inside (wiki-style) they are
    ['(https://example.com/x)', [text('('), link('https://example.com/x'), text(')')]],
    ['(see https://example.com/x).', [text('(see '), link('https://example.com/x'), text(').')]],
    ['https://en.wikipedia.org/wiki/Tea_(drink)', [link('https://en.wikipedia.org/wiki/Tea_(drink)')]],
    ['(https://en.wikipedia.org/wiki/Tea_(drink))', [text('('), link('https://en.wikipedia.org/wiki/Tea_(drink)'), text(')')]],
    ['https://en.wikipedia.org/wiki/Tea_(drink).', [link('https://en.wikipedia.org/wiki/Tea_(drink)'), text('.')]],
    // www. gets https
    ['www.example.com', [link('www.example.com', 'https://www.example.com')]],
    ['visit www.example.com/x.', [text('visit '), link('www.example.com/x', 'https://www.example.com/x'), text('.')]],
    ['WWW.Example.com', [link('WWW.Example.com', 'https://WWW.Example.com')]],
    // links end at spaces, quotes and angle brackets
    ['<https://example.com/x>', [text('<'), link('https://example.com/x'), text('>')]],
    ['https://example.com/"onmouseover="x', [link('https://example.com/'), text('"onmouseover="x')]],
    // never anything but http(s)
    ['javascript:alert(1)', [text('javascript:alert(1)')]],
    ['JavaScript:alert(document.cookie)', [text('JavaScript:alert(document.cookie)')]],
    ['data:text/html;base64,PHNjcmlwdD4=', [text('data:text/html;base64,PHNjcmlwdD4=')]],
    ['ftp://example.com/file', [text('ftp://example.com/file')]],
    ['xhttps://example.com', [text('xhttps://example.com')]],
    ['vbscript:msgbox(1)', [text('vbscript:msgbox(1)')]],
    // a prefix with nothing after it (once punctuation is cut) is no link
    ['the www... thing', [text('the www... thing')]],
    ['(www.)', [text('(www.)')]],
    ['http://. is not a link', [text('http://. is not a link')]],
  ])('%j', (input, expected) => {
    expect(linkify(input)).toEqual(expected);
  });

  it('keeps every character of the text, in order', () => {
    const input = 'a https://x.example/(y)), www.z.example. "http://q.example/" javascript:alert(1) www...';
    expect(
      linkify(input)
        .map((s) => s.text)
        .join(''),
    ).toBe(input);
  });

  it('makes only http(s) hrefs', () => {
    const input = 'javascript:https://a.example data:,x www.b.example javascript://www.c.example/%0aalert(1) http://d.example';
    const hrefs = linkify(input).flatMap((s) => (s.kind === 'link' ? [s.href] : []));
    expect(hrefs.length).toBe(4);
    for (const href of hrefs) expect(href).toMatch(/^https?:\/\/[^\s]/);
  });
});

describe('nickColour', () => {
  const nicks = ['alice', 'bob', 'carol', 'dave', 'eve', 'mallory', 'trent', 'peggy', 'victor', 'walter', 'x', 'Zed[away]', 'ünïcode', '😀'];

  it('is an integer in 0..15', () => {
    expect(NICK_COLOURS).toBe(16);
    for (const n of nicks) {
      const c = nickColour(n);
      expect(Number.isInteger(c)).toBe(true);
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThan(16);
    }
  });

  it('is stable and case-insensitive', () => {
    for (const n of nicks) {
      expect(nickColour(n)).toBe(nickColour(n));
      expect(nickColour(n.toUpperCase())).toBe(nickColour(n));
    }
    expect(nickColour('Alice')).toBe(nickColour('aLiCe'));
  });

  it('spreads nicks over several colours', () => {
    expect(new Set(nicks.map(nickColour)).size).toBeGreaterThan(4);
  });

  it('handles an empty nick', () => {
    expect(nickColour('')).toBe(0);
  });
});

describe('times and days', () => {
  it('formats HH:MM in local time', () => {
    expect(formatTime(new Date(2024, 2, 5, 9, 7).getTime())).toBe('09:07');
    expect(formatTime(new Date(2024, 2, 5, 23, 59, 59).getTime())).toBe('23:59');
  });

  it('keys local days', () => {
    expect(dayKey(new Date(2024, 2, 5, 0, 0).getTime())).toBe('2024-03-05');
    expect(dayKey(new Date(2024, 2, 5, 23, 59).getTime())).toBe('2024-03-05');
    expect(dayKey(new Date(2024, 2, 6, 0, 0).getTime())).toBe('2024-03-06');
  });

  it('labels today and yesterday', () => {
    const now = new Date(2024, 2, 5, 12, 0).getTime();
    expect(dayLabel(new Date(2024, 2, 5, 1, 0).getTime(), now)).toBe('Today');
    expect(dayLabel(new Date(2024, 2, 4, 23, 0).getTime(), now)).toBe('Yesterday');
    const older = dayLabel(new Date(2024, 2, 1, 12, 0).getTime(), now);
    expect(older).not.toBe('Today');
    expect(older).not.toBe('Yesterday');
    expect(older).toContain('2024');
  });
});

describe('buildRows', () => {
  const day1 = new Date(2024, 2, 5, 10, 0).getTime();
  const day2 = new Date(2024, 2, 6, 10, 0).getTime();
  const now = new Date(2024, 2, 6, 12, 0).getTime();
  const m = (gid: number, cat: Message['cat'] = 'msg', over: Partial<Message> = {}): Message => ({
    gid,
    ts: day1 + gid * 60_000,
    cat,
    body: `line ${gid}`,
    nick: `n${gid}`,
    ...over,
  });
  const kinds = (rows: Row[]) => rows.map((r) => (r.kind === 'message' ? `m${r.message.gid}` : r.kind === 'presence' ? `p${r.messages.map((x) => x.gid).join(',')}` : r.kind));

  it('is empty without messages', () => {
    expect(buildRows([], undefined, now)).toEqual([]);
    expect(buildRows([], 5, now)).toEqual([]);
  });

  it('starts with a day separator and adds one where the local day changes', () => {
    const rows = buildRows([m(1), m(2), m(3, 'msg', { ts: day2 }), m(4, 'msg', { ts: day2 + 1 })], undefined, now);
    expect(kinds(rows)).toEqual(['day', 'm1', 'm2', 'day', 'm3', 'm4']);
    const labels = rows.flatMap((r) => (r.kind === 'day' ? [r.label] : []));
    expect(labels[1]).toBe('Today');
    expect(labels[0]).toBe('Yesterday');
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it('puts the marker before the first message after seenGid, once', () => {
    expect(kinds(buildRows([m(1), m(2), m(3), m(4)], 2, now))).toEqual(['day', 'm1', 'm2', 'marker', 'm3', 'm4']);
    expect(kinds(buildRows([m(1), m(2)], 0, now))).toEqual(['day', 'marker', 'm1', 'm2']);
  });

  it('has no marker without seenGid or when everything was seen', () => {
    expect(kinds(buildRows([m(1), m(2)], undefined, now))).toEqual(['day', 'm1', 'm2']);
    expect(kinds(buildRows([m(1), m(2)], 2, now))).toEqual(['day', 'm1', 'm2']);
    expect(kinds(buildRows([m(1), m(2)], 99, now))).toEqual(['day', 'm1', 'm2']);
  });

  it('puts the marker after the day separator of a new day', () => {
    expect(kinds(buildRows([m(1), m(2, 'msg', { ts: day2 })], 1, now))).toEqual(['day', 'm1', 'day', 'marker', 'm2']);
  });

  it('condenses runs of two or more join/part/quit lines', () => {
    const rows = buildRows([m(1, 'join'), m(2, 'part'), m(3, 'quit'), m(4), m(5, 'join'), m(6), m(7, 'kick'), m(8, 'join'), m(9, 'join')], undefined, now);
    expect(kinds(rows)).toEqual(['day', 'p1,2,3', 'm4', 'm5', 'm6', 'm7', 'p8,9']);
    const first = rows[1] as Extract<Row, { kind: 'presence' }>;
    expect(first.summary).toBe('n1 joined · n2 left · n3 quit');
  });

  it('breaks a run at the marker and at a day change', () => {
    expect(kinds(buildRows([m(1, 'join'), m(2, 'join'), m(3, 'join'), m(4, 'join')], 2, now))).toEqual(['day', 'p1,2', 'marker', 'p3,4']);
    expect(kinds(buildRows([m(1, 'join'), m(2, 'join', { ts: day2 }), m(3, 'part', { ts: day2 + 1 })], undefined, now))).toEqual(['day', 'm1', 'day', 'p2,3']);
  });

  it('summarises a run by verb, each nick once, at most three named', () => {
    const nicks = ['a', 'b', 'a', 'c', 'd', 'e'];
    const run = nicks.map((nick, i) => m(i + 1, 'join', { nick }));
    const rows = buildRows([...run, m(7, 'part', { nick: 'b' }), m(8, 'quit', { nick: 'f' })], undefined, now);
    expect(rows).toHaveLength(2);
    expect((rows[1] as Extract<Row, { kind: 'presence' }>).summary).toBe('a, b, c and 2 more joined · b left · f quit');
  });

  it('falls back to a count when the lines name no one', () => {
    const rows = buildRows([m(1, 'join', { nick: '' }), m(2, 'part', { nick: '' })], undefined, now);
    expect((rows[1] as Extract<Row, { kind: 'presence' }>).summary).toBe('2 joins and parts');
  });
});

describe('mentions', () => {
  it.each<[string, string | undefined, boolean]>([
    ['hi me', 'me', true],
    ['me: look', 'me', true],
    ['ME!', 'me', true],
    ['hey Me, hi', 'me', true],
    ['(me)', 'me', true],
    ['@me', 'me', true],
    ['some meet meme', 'me', false],
    ['me_ is someone else', 'me', false],
    ['me-too', 'me', false],
    ['_me', 'me', false],
    ['name', 'me', false],
    ['hello [away] and [away]x', '[away]', true],
    ['hello x[away]', '[away]', false],
    ['a.b is here', 'a.b', true],
    ['axb is not a.b', 'a.b', true],
    ['axb', 'a.b', false],
    ['hi me', undefined, false],
    ['hi me', '', false],
  ])('%j mentions %j: %s', (body, nick, expected) => {
    expect(mentions(body, nick)).toBe(expected);
  });
});
