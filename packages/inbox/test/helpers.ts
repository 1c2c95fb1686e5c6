import { type ChildFixture, type TestKeySpace, useTestRedis } from '@parley/testing';
import { inbox } from '@parley/key-schema';
import { InboxConsumer, type ConsumerOptions } from '../src';

export interface TestMessage {
  v: 1;
  type: string;
  userId: number;
  seq: number;
}

export const msg = (userId: number, seq: number, type = 'test'): TestMessage => ({ v: 1, type, userId, seq });

export const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export function parseTestMessage(raw: string): { ok: true; value: TestMessage } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
  }
  const m = value as Partial<TestMessage>;
  if (m.v !== 1 || typeof m.type !== 'string' || typeof m.userId !== 'number' || typeof m.seq !== 'number') return { ok: false, error: 'not a test message' };
  return { ok: true, value: m as TestMessage };
}

/** A consumer of inbox:loopbackparser on the test key space, with its own two connections. */
export function testConsumer(space: TestKeySpace, handle: (m: TestMessage) => Promise<void>, options: Partial<ConsumerOptions<TestMessage>> = {}) {
  return new InboxConsumer<TestMessage>({
    inbox: 'loopbackparser',
    redis: space.connect(),
    blocking: space.connect({ maxRetriesPerRequest: null }),
    parse: parseTestMessage,
    handle,
    logger: silentLogger,
    blockMs: 200,
    ...options,
  });
}

/** inbox:loopbackparser, where the courier tests push. */
export const INBOX = inbox('loopbackparser');

/** LPUSHes test messages (or raw strings) as a producer would. */
export const push = (space: TestKeySpace, ...messages: (TestMessage | string)[]) =>
  space.redis.lpush(INBOX, ...messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))));

/**
 * A real Redis for the file, a key space per test, and consumers (and child processes) that are
 * stopped after each test.
 */
export function courierTestbed() {
  const redis = useTestRedis();
  const running: InboxConsumer<TestMessage>[] = [];
  const children: ChildFixture[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
    await Promise.all(children.splice(0).map((c) => c.kill()));
  });
  return {
    get space() {
      return redis.space;
    },
    /** A consumer of the test key space, stopped after the test. */
    start(handle: (m: TestMessage) => Promise<void>, options: Partial<ConsumerOptions<TestMessage>> = {}) {
      const c = testConsumer(redis.space, handle, options);
      running.push(c);
      return c;
    },
    /** Kills the child after the test, if it is still running. */
    track(child: ChildFixture): ChildFixture {
      children.push(child);
      return child;
    },
  };
}
