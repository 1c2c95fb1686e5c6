// The reference the gateway is measured against: a bare socket.io server (no Redis, no sessions),
// run as its own process. It reports its RSS on GET /rss and, when a client emits `blast` with a
// count, emits that many notification-shaped `ntf` events to every connected socket, ten per
// socket per turn of the event loop, then acks.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer((req, res) => {
  if (req.url === '/rss') {
    res.end(String(process.memoryUsage().rss));
    return;
  }
  res.statusCode = 404;
  res.end();
});
const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('blast', (count: number, ack: () => void) => {
    const sockets = [...io.sockets.sockets.values()].filter((s) => s.id !== socket.id);
    let seq = 0;
    const turn = () => {
      for (let k = 0; k < 10 && seq < count; k++) {
        seq++;
        for (const s of sockets) s.emit('ntf', { seq, type: 'ADD_MESSAGE', windowId: 1, gid: seq, ts: Date.now(), cat: 'msg', body: `notification number ${seq} of the reference run`, nick: 'bench' });
      }
      if (seq < count) setImmediate(turn);
      else ack();
    };
    turn();
  });
});
http.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('reference ready'));
