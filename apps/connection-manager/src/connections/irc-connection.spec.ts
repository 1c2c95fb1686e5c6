import { IRC_LINE_MAX_BYTES } from '@parley/protocol';
import { decodeLine, wireLine } from './irc-connection';

describe('wireLine', () => {
  it('turns CR, LF and NUL into spaces and ends the line with CR LF', () => {
    expect(wireLine('PRIVMSG #a :x\r\nQUIT\0y').toString()).toBe('PRIVMSG #a :x  QUIT y\r\n');
  });

  it.each([
    ['ASCII', 'a'],
    ['2-byte characters', 'é'],
    ['3-byte characters', '€'],
    ['4-byte characters', '😀'],
  ])('cuts a long line of %s to the byte limit on a character boundary', (_what, char) => {
    const out = wireLine(`PRIVMSG #a :${char.repeat(600)}`);
    expect(out.subarray(-2).toString()).toBe('\r\n');
    const body = out.subarray(0, -2);
    expect(body.length).toBeLessThanOrEqual(IRC_LINE_MAX_BYTES);
    expect(body.length).toBeGreaterThan(IRC_LINE_MAX_BYTES - Buffer.byteLength(char));
    // Decodes without a replacement character: no character was cut in half.
    expect(body.toString('utf8')).toMatch(new RegExp(`^PRIVMSG #a :(${char})+$`, 'u'));
  });

  it('leaves a line at the limit as it is', () => {
    const line = 'x'.repeat(IRC_LINE_MAX_BYTES);
    expect(wireLine(line).toString()).toBe(`${line}\r\n`);
  });
});

describe('decodeLine', () => {
  it('reads UTF-8', () => {
    expect(decodeLine(Buffer.from('grüße € 😀', 'utf8'))).toBe('grüße € 😀');
  });

  it('falls back to ISO-8859-15 for bytes that are not UTF-8', () => {
    // "grüße €" in ISO-8859-15: ü = FC, ß = DF, € = A4.
    expect(decodeLine(Buffer.from([0x67, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0xa4]))).toBe('grüße €');
  });
});
