/**
 * Waiting for things to happen, without sleeps: tests wait for the event they expect.
 * Jest's own per-test timeout bounds every wait, so a missing event fails the test.
 */

/** Resolves with the first value for which `predicate` holds, polling `read` after each `tick`. */
export async function eventually<T>(read: () => Promise<T> | T, predicate: (value: T) => boolean, describe = 'condition'): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 1_000_000; i++) {
    last = await read();
    if (predicate(last)) return last;
    // Yield to the event loop (I/O and timers run) before reading again: this waits for progress, it does not measure time.
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`eventually: ${describe} never held; last value: ${JSON.stringify(last)}`);
}

/** A promise with its resolve function outside: for handlers that tests want to hold or observe. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Collects values and lets a test wait until `n` of them have arrived. */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (this.items.length >= w.n) {
        w.resolve();
        return false;
      }
      return true;
    });
  };

  async waitFor(n: number): Promise<T[]> {
    if (this.items.length < n) await new Promise<void>((resolve) => this.waiters.push({ n, resolve }));
    return this.items;
  }
}
