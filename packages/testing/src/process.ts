import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const REGISTER = join(__dirname, '..', 'register.cjs');

/**
 * A child Node process running a TypeScript file straight from source (see register.cjs), whose
 * stdout lines a test can wait for. For tests that must SIGKILL real work in the middle.
 */
export class ChildFixture {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  private stderr = '';

  private constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.predicate(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /**
   * Runs `node -r register.cjs <file>` (or a built .js file) with extra environment variables;
   * `node`: another Node binary than this one (a benchmark's reference that needs a newer Node).
   */
  static start(file: string, env: Record<string, string> = {}, args: string[] = [], node = process.execPath): ChildFixture {
    const nodeArgs = file.endsWith('.ts') ? ['-r', REGISTER, file, ...args] : [file, ...args];
    return new ChildFixture(spawn(node, nodeArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** Waits for a stdout line (already printed or still to come) that satisfies `predicate`. */
  waitForLine(predicate: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ predicate, resolve });
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`child exited (code ${String(code)}, signal ${String(signal)}) before the line came; stderr:\n${this.stderr.slice(-3000)}`)),
      );
    });
  }

  get errorOutput(): string {
    return this.stderr;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill(signal);
      await this.exited;
    }
  }
}
