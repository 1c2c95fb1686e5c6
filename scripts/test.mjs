#!/usr/bin/env node
// `npm test`: lint, typecheck, the dependency check (cycles, app-to-app imports) and every test tier
// (unit *.spec.ts, real-Redis *.int-spec.ts, e2e against the built apps), then one closing line
// "N passed, N failed" counted from every workspace's Jest results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const turbo = join(root, 'node_modules', '.bin', 'turbo');
const RESULTS = join('.turbo', 'jest-results.json');
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces.flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return [pattern];
  const dir = pattern.slice(0, -2);
  return spawnSync('ls', [dir], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((d) => `${dir}/${d}`);
});

const run = (title, cmd, args) => {
  console.log(`\n── ${title} ──`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return r.status === 0;
};

for (const ws of workspaces) {
  rmSync(join(root, ws, RESULTS), { force: true });
  mkdirSync(join(root, ws, '.turbo'), { recursive: true }); // Jest does not create the folder of --outputFile
}

const steps = [
  ['build, lint, typecheck', turbo, ['run', 'build', 'lint', 'typecheck', '--output-logs=errors-only', '--concurrency=2']],
  ['dependency check', process.execPath, [join(root, 'scripts', 'check-deps.mjs')]],
  ['tests (unit, real Redis, e2e)', turbo, ['run', 'test', '--concurrency=2', '--', `--json`, `--outputFile=${RESULTS}`]],
];
const failedSteps = [];
for (const [title, cmd, args] of steps) if (!run(title, cmd, args)) failedSteps.push(title);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const ws of workspaces) {
  const file = join(root, ws, RESULTS);
  const manifest = join(root, ws, 'package.json');
  if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
  if (!existsSync(file)) {
    missing.push(ws);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}

console.log('');
if (missing.length) console.log(`no test results from: ${missing.join(', ')}`);
if (failedSteps.length) console.log(`failed: ${failedSteps.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSteps.length === 0 && failed === 0 && missing.length === 0 ? 0 : 1);
