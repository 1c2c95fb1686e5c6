// The baseline the room benchmark compares Parley with: the same hops and nothing else.
//   ROLE=server: socket.io; `send` from a client → LPUSH to a list (acked when pushed); a loop
//                BRPOPs the return list and emits each message to every other socket.
//   ROLE=worker: BRPOPs the first list, gives each message a number, LPUSHes it to the return list.
// Plain ioredis and socket.io: no sessions, no outbox, no sequence numbers, no storage.
import { createServer } from 'node:http';
import Redis from 'ioredis';
import { Server } from 'socket.io';

const redisUrl = process.env.REDIS_URL!;
const IN = 'baseline:in';
const OUT = 'baseline:out';

async function worker(): Promise<void> {
  const redis = new Redis(redisUrl);
  let gid = 0;
  console.log('baseline worker ready');
  for (;;) {
    const popped = await redis.brpop(IN, 0);
    if (!popped) continue;
    const batch = [popped[1], ...((await redis.rpop(IN, 99)) ?? [])];
    await redis.lpush(OUT, ...batch.map((raw) => JSON.stringify({ ...(JSON.parse(raw) as object), gid: ++gid })));
  }
}

async function server(): Promise<void> {
  const redis = new Redis(redisUrl);
  const blocking = new Redis(redisUrl);
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.on('connection', (socket) => {
    socket.on('send', (message: { from: string; body: string }, ack: () => void) => {
      redis.lpush(IN, JSON.stringify({ ...message, from: socket.id })).then(() => ack(), (err: unknown) => console.error(err));
    });
  });
  http.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('baseline server ready'));
  for (;;) {
    const popped = await blocking.brpop(OUT, 0);
    if (!popped) continue;
    for (const raw of [popped[1], ...((await blocking.rpop(OUT, 99)) ?? [])]) {
      const message = JSON.parse(raw) as { from: string };
      io.except(message.from).emit('message', message);
    }
  }
}

(process.env.ROLE === 'worker' ? worker() : server()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
