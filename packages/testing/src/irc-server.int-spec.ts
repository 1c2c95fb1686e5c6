import { IrcPeer, TestIrcServer } from './irc-server';

describe('TestIrcServer (real ngircd)', () => {
  let server: TestIrcServer;
  beforeAll(async () => {
    server = await TestIrcServer.start();
  });
  afterAll(async () => {
    await server.close();
  });

  it('lets two peers meet in a channel and talk', async () => {
    const alice = await IrcPeer.connect(server, 'alice');
    const bob = await IrcPeer.connect(server, 'bob');
    alice.send('JOIN #tea');
    await alice.waitFor((l) => l.command === '366');
    bob.send('JOIN #tea');
    await alice.waitFor((l) => l.command === 'JOIN' && l.nick === 'bob');
    bob.send('PRIVMSG #tea :hello alice');
    const got = await alice.waitFor((l) => l.command === 'PRIVMSG');
    expect(got).toMatchObject({ nick: 'bob', params: ['#tea', 'hello alice'] });
    alice.close();
    bob.close();
  });

  it('comes back on the same port after a stop', async () => {
    const peer = await IrcPeer.connect(server, 'carol');
    const port = server.port;
    await server.stop();
    await server.run();
    expect(server.port).toBe(port);
    const again = await IrcPeer.connect(server, 'carol');
    expect(again.lines.some((l) => l.command === '001')).toBe(true);
    peer.close();
    again.close();
  });
});
