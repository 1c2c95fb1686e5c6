import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void> | void;

/**
 * What `/readyz` asks. Each part of an app that must work before traffic is sent to it (Redis, an
 * inbox consumer) registers a check that throws when it is not ready.
 */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private stopping = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Called when the app starts stopping: it stops being ready at once. */
  markStopping(): void {
    this.stopping = true;
  }

  async report(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    let ready = !this.stopping;
    if (this.stopping) checks.shutdown = 'stopping';
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await withTimeout(Promise.resolve(check()), 2_000, name);
          checks[name] = 'ok';
        } catch (err) {
          ready = false;
          checks[name] = err instanceof Error ? err.message : String(err);
        }
      }),
    );
    return { ready, checks };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
