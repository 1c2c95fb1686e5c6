import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * An identd (RFC 1413): the IRC server asks `<our port>, <its port>` and hears the user name of
 * the connection with those ports — the user's own instead of the machine's account. Off unless
 * IDENTD_PORT is set (the standard port 113 needs privileges; map it in front of the container).
 */
export function startIdentd(port: number, host: string, lookup: (localPort: number, remotePort: number) => string | undefined): Promise<Server> {
  const server = createServer((socket) => {
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    const lines = createInterface({ input: socket });
    lines.once('line', (query) => {
      const match = /^\s*(\d{1,5})\s*,\s*(\d{1,5})\s*$/.exec(query.slice(0, 100));
      if (!match) {
        socket.end('0, 0 : ERROR : INVALID-PORT\r\n');
        return;
      }
      const [local, remote] = [Number(match[1]), Number(match[2])];
      const user = lookup(local, remote);
      socket.end(user ? `${local}, ${remote} : USERID : UNIX : ${user}\r\n` : `${local}, ${remote} : ERROR : NO-USER\r\n`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
