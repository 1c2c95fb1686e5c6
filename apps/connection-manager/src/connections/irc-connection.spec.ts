import { IRC_LINE_MAX_BYTES } from '@parley/protocol';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { decodeLine, IrcConnection, wireLine } from './irc-connection';

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

describe('IrcConnection write confirmation (a raw TCP server in the test plays the IRC server)', () => {
  /** A server that records the lines it reads and answers only what the test tells it to. */
  async function rawServer(): Promise<{ port: number; lines: string[]; seenMatching: (pattern: RegExp) => Promise<string>; say: (line: string) => void; hangUp: () => void; close: () => Promise<void> }> {
    const lines: string[] = [];
    const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
    let client: Socket | undefined;
    const server: Server = createServer((socket) => {
      client = socket;
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (let nl = buffered.indexOf('\r\n'); nl >= 0; nl = buffered.indexOf('\r\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 2);
          lines.push(line);
          for (const w of waiting.filter((x) => x.pattern.test(line))) w.resolve(line);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      lines,
      /** The first line read that matches, as soon as it is read. */
      seenMatching: (pattern) => {
        const found = lines.find((l) => pattern.test(l));
        return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ pattern, resolve }));
      },
      say: (line) => client!.write(`${line}\r\n`),
      hangUp: () => client!.destroy(),
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  const options = (port: number) => ({
    host: '127.0.0.1', port, tls: false, nick: 'gina', username: 'gina', realname: 'Gina',
    floodBurst: 10, floodIntervalMs: 10, idlePingMs: 60_000, idleTimeoutMs: 120_000, connectTimeoutMs: 5_000,
  });

  /** The next confirming PING the server reads: its token (`parley-w<nonce>-<n>`). */
  const nextPing = async (server: Awaited<ReturnType<typeof rawServer>>): Promise<string> => {
    const line = await server.seenMatching(/^PING :parley-w[0-9a-f]+-\d+$/);
    return line.slice('PING :'.length);
  };

  it('calls `written` only when the PONG to the PING after the lines comes back, and keeps that PONG to itself', async () => {
    const server = await rawServer();
    const passedOn: string[] = [];
    const conn = new IrcConnection(options(server.port), { line: (l) => passedOn.push(l), closed: () => undefined });
    await conn.connect();
    const confirmed: number[] = [];
    const both = new Promise<void>((resolve) => {
      conn.write(['PRIVMSG #a :one'], () => confirmed.push(1));
      conn.write(['PRIVMSG #a :two', 'PRIVMSG #a :three'], () => {
        confirmed.push(2);
        resolve();
      });
    });
    const token = await nextPing(server);
    // On the socket, read by the server, one PING for the turn's writes, and still not confirmed.
    expect(server.lines.slice(-4)).toEqual(['PRIVMSG #a :one', 'PRIVMSG #a :two', 'PRIVMSG #a :three', `PING :${token}`]);
    expect(confirmed).toEqual([]);
    // A guessed token (a user's /quote PING) confirms nothing and is passed on like any PONG.
    server.say(':irc.test PONG irc.test :parley-w00000000-1');
    server.say(':irc.test NOTICE gina :hello');
    server.say(`:irc.test PONG irc.test :${token}`);
    await both;
    expect(confirmed).toEqual([1, 2]);
    expect(passedOn).toEqual([':irc.test PONG irc.test :parley-w00000000-1', ':irc.test NOTICE gina :hello']);
    conn.destroy('done');
    await server.close();
  });

  it.each([
    ['the token last, after the server name', (t: string) => `:irc.test PONG irc.test :${t}`],
    ['the token alone', (t: string) => `PONG :${t}`],
    ['the token first, before the server name', (t: string) => `:irc.test PONG ${t} :irc.test`],
    ['IRCv3 tags and a trailing space', (t: string) => `@time=2026-12-02T10:00:00.000Z :irc.test PONG irc.test :${t} `],
  ])('reads the confirming PONG with %s', async (_how, pong) => {
    const server = await rawServer();
    const conn = new IrcConnection(options(server.port), { line: () => undefined, closed: () => undefined });
    await conn.connect();
    const done = new Promise<void>((resolve) => conn.write(['PRIVMSG #a :x'], resolve));
    server.say(pong(await nextPing(server)));
    await done;
    conn.destroy('done');
    await server.close();
  });

  it('never confirms lines the server had not answered for when the link closed', async () => {
    const server = await rawServer();
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const conn = new IrcConnection(options(server.port), { line: () => undefined, closed: () => closed() });
    await conn.connect();
    let confirmed = false;
    conn.write(['PRIVMSG #a :maybe lost'], () => (confirmed = true));
    await nextPing(server);
    server.hangUp();
    await gone;
    expect(confirmed).toBe(false);
    await server.close();
  });
});
