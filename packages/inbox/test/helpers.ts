import type { TestKeySpace } from '@parley/testing';
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
