import { createServer, type Server, type Socket, connect } from 'node:net';
import { createInterface } from 'node:readline';
import { Collector, freePort } from '@parley/testing';
import { startIdentd } from '../src/connections/identd';
import { type ConnectionOptions, IrcConnection } from '../src/connections/irc-connection';

/** A scripted server: the test sees each line the connection sends and writes raw bytes back. */
async function scriptedServer(): Promise<{ server: Server; port: number; client: Promise<Socket>; heard: Collector<string> }> {
  const heard = new Collector<string>();
  let accept!: (s: Socket) => void;
  const client = new Promise<Socket>((resolve) => (accept = resolve));
  const server = createServer((socket) => {
    createInterface({ input: socket }).on('line', (l) => heard.push(l));
    accept(socket);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port, client, heard };
}

const options = (port: number, overrides: Partial<ConnectionOptions> = {}): ConnectionOptions => ({
  host: '127.0.0.1',
  port,
  tls: false,
  nick: 'alice',
  username: 'alice',
  realname: 'Alice',
  floodBurst: 5,
  floodIntervalMs: 10,
  idlePingMs: 60_000,
  idleTimeoutMs: 120_000,
  connectTimeoutMs: 5_000,
  ...overrides,
});

describe('an IRC link on its own (scripted server)', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  it('registers, answers the server’s PING itself, and decodes ISO-8859-15 where UTF-8 fails', async () => {
    const { server, port, client, heard } = await scriptedServer();
    servers.push(server);
    const lines = new Collector<string>();
    const conn = new IrcConnection(options(port, { password: 'sekrit' }), { line: lines.push, closed: () => undefined });
    await conn.connect();
    expect(await heard.waitFor(4)).toEqual(['CAP LS 302', 'PASS :sekrit', 'NICK alice', 'USER alice 0 * :Alice']);
    const socket = await client;
    socket.write('PING :irc.example\r\n');
    socket.write(Buffer.concat([Buffer.from(':bob PRIVMSG alice :'), Buffer.from([0x67, 0x72, 0xfc, 0xdf, 0x65]), Buffer.from('\r\n:bob PRIVMSG alice :ok\n')]));
    expect(await lines.waitFor(2)).toEqual([':bob PRIVMSG alice :grüße', ':bob PRIVMSG alice :ok']);
    expect((await heard.waitFor(5))[4]).toBe('PONG :irc.example');
    conn.destroy('done');
  });

  it('PINGs a quiet server, and gives up on one that stays silent', async () => {
    const { server, port, heard } = await scriptedServer();
    servers.push(server);
    const closed = new Collector<string>();
    const conn = new IrcConnection(options(port, { idlePingMs: 1_000, idleTimeoutMs: 2_500 }), { line: () => undefined, closed: closed.push });
    await conn.connect();
    await heard.waitFor(5);
    expect(heard.items[4]).toMatch(/^PING :parley-\d+$/);
    expect((await closed.waitFor(1))[0]).toMatch(/^ping timeout/);
  });

  it('identd names the user of a connection by its ports, and nobody for other ports', async () => {
    const port = await freePort();
    const identd = await startIdentd(port, '127.0.0.1', (local, remote) => (local === 6193 && remote === 6667 ? 'alice' : undefined));
    servers.push(identd);
    const ask = (query: string) =>
      new Promise<string>((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.write(query));
        createInterface({ input: s }).once('line', (l) => {
          resolve(l);
          s.destroy();
        });
      });
    expect(await ask('6193, 6667\r\n')).toBe('6193, 6667 : USERID : UNIX : alice');
    expect(await ask('6194,6667\r\n')).toBe('6194, 6667 : ERROR : NO-USER');
    expect(await ask('hello\r\n')).toBe('0, 0 : ERROR : INVALID-PORT');
  });
});
