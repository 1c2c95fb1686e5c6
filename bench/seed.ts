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
