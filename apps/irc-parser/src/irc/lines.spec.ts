import { parseRetryDelays } from './irc.config';
import { ctcp, isChannel, parseCtcp, parseNamesEntry, prefixModes, splitText } from './lines';

describe('IRC line rules', () => {
  it('splits a long text under the byte limit on character boundaries, and makes line breaks spaces', () => {
    const text = `${'ü'.repeat(300)} ${'x'.repeat(300)}`;
    const pieces = splitText(text, 120);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(510 - 120);
    expect(pieces.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
    expect(splitText('one\r\nQUIT :bye\0x', 50)).toEqual(['one QUIT :bye x']);
    expect(splitText('\r\n', 50)).toEqual([]);
  });

  it('reads NAMES entries with several prefixes (multi-prefix) as the highest role', () => {
    const { symbols } = prefixModes({ PREFIX: '(qaohv)~&@%+' });
    expect(parseNamesEntry('@+bob', symbols)).toEqual({ nick: 'bob', role: '@' });
    expect(parseNamesEntry('~alice', symbols)).toEqual({ nick: 'alice', role: '*' });
    expect(parseNamesEntry('+carol!c@host', symbols)).toEqual({ nick: 'carol', role: '+' });
    expect(parseNamesEntry('dave', symbols)).toEqual({ nick: 'dave', role: 'u' });
    expect(prefixModes({})).toEqual({ modes: 'ov', symbols: '@+' });
  });

  it('tells channels from nicks by CHANTYPES, and reads CTCP', () => {
    expect(isChannel('#tea', {})).toBe(true);
    expect(isChannel('&local', { CHANTYPES: '#' })).toBe(false);
    expect(parseCtcp(ctcp('ACTION', 'waves'))).toEqual({ verb: 'ACTION', args: 'waves' });
    expect(parseCtcp('\x01version\x01')).toEqual({ verb: 'VERSION', args: '' });
    expect(parseCtcp('plain')).toBeUndefined();
  });

  it('backs off 30 s for attempts 1-3, 3 min for 4-7, then 1 h', () => {
    const delay = parseRetryDelays('3x30000,4x180000,1x3600000');
    expect([1, 2, 3, 4, 7, 8, 50].map(delay)).toEqual([30_000, 30_000, 30_000, 180_000, 180_000, 3_600_000, 3_600_000]);
    expect(() => parseRetryDelays('soon')).toThrow(/IRC_RETRY_DELAYS/);
  });
});
