import { find } from 'linkifyjs';
import { urlsIn } from './links';

describe('urlsIn', () => {
  const lines = [
    'see https://example.org/a?b=1 and www.parley.chat',
    'example.com',
    't.co',
    'localhost',
    'see LOCALHOST here',
    'http://localhost:3000/x',
    'x mailto:a@b',
    'mail me: bob@example.org',
    '例子.中国',
    'ftp://files',
    'no links here',
    'stream 123',
    'foo@bar',
    '',
    'a,b;c!d?e',
    Array.from({ length: 30 }, (_, i) => `site${i}.org`).join(' '),
  ];

  it.each(lines)('finds what linkifyjs finds in %j (at most 20)', (line) => {
    expect(urlsIn(line)).toEqual(find(line, 'url').map((l) => l.href).slice(0, 20));
  });

  it('finds links where there are some', () => {
    expect(urlsIn('see https://example.org/a?b=1 and www.parley.chat')).toEqual(['https://example.org/a?b=1', 'http://www.parley.chat']);
    expect(urlsIn(lines.at(-1)!)).toHaveLength(20);
  });
});
