import { Injectable } from '@nestjs/common';
import { withTimeout } from './time';

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
          await withTimeout(Promise.resolve(check()), 2_000, `${name}: no answer within 2000 ms`);
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
