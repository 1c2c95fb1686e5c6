import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The house rules of style.md are enforced by the linter: these fixtures break them on purpose.
const root = join(__dirname, '..', '..');
const fixtures = join(__dirname, '..', 'fixtures', 'lint');

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

const FILES = ['uses-ioredis.ts', 'allowed.repository.ts', 'imports-an-app.ts', 'floating-promise.ts', 'non-exhaustive-switch.ts'];
let problems: Map<string, string[]>;

/** What the linter says of one fixture file: `rule: message` lines. */
const lint = (file: string): string[] => problems.get(file)!;

describe('house rules (eslint)', () => {
  beforeAll(() => {
    // One run for all fixtures: typed linting takes seconds to start.
    const run = spawnSync(join(root, 'node_modules', '.bin', 'eslint'), ['--format', 'json', ...FILES.map((f) => join(fixtures, f))], { cwd: root, encoding: 'utf8' });
    const results = JSON.parse(run.stdout) as LintResult[];
    problems = new Map(results.map((r) => [r.filePath.split('/').pop()!, r.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`)]));
  });

  it('refuses ioredis outside the Redis-facing packages and repository files', () => {
    expect(lint('uses-ioredis.ts')).toEqual([expect.stringMatching(/^no-restricted-imports: 'ioredis' import is restricted/)]);
    expect(lint('allowed.repository.ts')).toEqual([]);
  });

  it('refuses an import of another app, by path or by package name', () => {
    const problems = lint('imports-an-app.ts').filter((p) => p.startsWith('no-restricted-imports'));
    expect(problems).toEqual([
      expect.stringContaining("'../../../apps/gateway/src/app.module' import is restricted"),
      expect.stringContaining("'@parley/loopback-parser' import is restricted"),
    ]);
  });

  it('refuses a floating promise', () => {
    expect(lint('floating-promise.ts')).toEqual([expect.stringMatching(/^@typescript-eslint\/no-floating-promises: /)]);
  });

  it('refuses a switch that misses a member of a union', () => {
    expect(lint('non-exhaustive-switch.ts')).toEqual([expect.stringMatching(/^@typescript-eslint\/switch-exhaustiveness-check: Switch is not exhaustive. Cases not matched: "b"/)]);
  });
});
