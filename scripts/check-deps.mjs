#!/usr/bin/env node
// The import-graph checks the linter cannot make (it does not resolve paths): no import cycle
// anywhere, and no file of one app imports a file of another app (only packages/* are shared).
// Fails with the offending chains.
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['apps', 'packages', 'e2e', 'bench'];

const graph = await madge(
  roots.map((r) => join(root, r)),
  {
    baseDir: root,
    fileExtensions: ['ts', 'tsx'],
    tsConfig: join(root, 'tsconfig.base.json'),
    excludeRegExp: [/node_modules/, /(^|\/)dist\//, /\.d\.ts$/, /e2e\/fixtures\//],
    detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
  },
);

const problems = [];
for (const cycle of graph.circular()) problems.push(`import cycle: ${[...cycle, cycle[0]].join(' → ')}`);

const appOf = (file) => {
  const parts = relative(root, join(root, file)).split(sep);
  return parts[0] === 'apps' ? parts[1] : undefined;
};
for (const [file, deps] of Object.entries(graph.obj())) {
  const from = appOf(file);
  if (!from) continue;
  for (const dep of deps) {
    const to = appOf(dep);
    if (to && to !== from) problems.push(`app ${from} imports app ${to}: ${file} → ${dep}`);
  }
}

const files = Object.keys(graph.obj()).length;
if (graph.warnings().skipped.length) console.log(`(unresolved imports, not followed: ${graph.warnings().skipped.length})`);
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`dependency check: ${problems.length} problem(s) in ${files} files`);
  process.exit(1);
}
console.log(`dependency check: no import cycles, no app imports another app (${files} files)`);
