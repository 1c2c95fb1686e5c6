// What several benchmarks need before they measure: users with login tokens written straight into
// Redis (argon2 at registration would only slow setup), and many clients connected a batch at a time.
import { createHash, randomBytes } from 'node:crypto';
import { authToken, user, userIndex, userIndexField, users } from '@parley/key-schema';
import type { TestKeySpace } from '@parley/testing';

/** Users 1..count (nick `bench<id>`), each with a login token valid for an hour; returns the tokens in id order. */
export async function seedUsers(space: TestKeySpace, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let start = 1; start <= count; start += 1000) {
    const pipeline = space.redis.pipeline();
    for (let id = start; id < Math.min(count + 1, start + 1000); id++) {
      const token = randomBytes(32).toString('base64url');
      tokens.push(token);
      const hash = createHash('sha256').update(token).digest('hex');
      pipeline.hset(user(id), 'name', `bench ${id}`, 'nick', `bench${id}`, 'email', `bench${id}@example.com`).sadd(users(), id);
      pipeline.hset(userIndex(), userIndexField.nick(`bench${id}`), id);
      pipeline.hset(authToken(hash), 'userId', id, 'created', Date.now()).pexpire(authToken(hash), 3_600_000);
    }
    await pipeline.exec();
  }
  return tokens;
}

/** `make(0..n-1)`, `atOnce` at a time; the results in order. */
export async function inBatches<T>(n: number, make: (i: number) => Promise<T>, atOnce = 100): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += atOnce) out.push(...(await Promise.all(Array.from({ length: Math.min(atOnce, n - i) }, (_, j) => make(i + j)))));
  return out;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (sorted: number[], p: number) => +(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(2);

/**
 * Paced latency: `rate` sends a second for `seconds` (`send(k, id)` with ids `p-<k>`); each
 * delivery reported through the returned `delivered(id)` counts the time since its send. Resolves
 * once `expected(total)` deliveries came (or `limitMs` passed) with p50/p99 in ms.
 */
export function pacedLatency(rate: number, seconds: number, expected: (total: number) => number, limitMs = 60_000) {
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  const delivered = (id: string) => {
    const t = sentAt.get(id);
    if (t !== undefined) latencies.push(now() - t);
  };
  const run = async (send: (k: number, id: string) => Promise<void>) => {
    const total = rate * seconds;
    const start = now();
    const sends: Promise<void>[] = [];
    for (let k = 0; k < total; k++) {
      const wait = start + (k * 1000) / rate - now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const id = `p-${k}`;
      sentAt.set(id, now());
      sends.push(send(k, id));
    }
    await Promise.all(sends);
    const want = expected(total);
    const deadline = now() + limitMs;
    while (latencies.length < want && now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (latencies.length < want) throw new Error(`${want - latencies.length} paced messages not delivered within ${limitMs} ms`);
    latencies.sort((a, b) => a - b);
    return { p50: pct(latencies, 50), p99: pct(latencies, 99), samples: latencies.length };
  };
  return { delivered, run };
}
