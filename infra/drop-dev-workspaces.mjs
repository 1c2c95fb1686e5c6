// The image build's last step before `npm prune --omit=dev` (infra/Dockerfile): removes the
// workspaces the app does not need at run time — those it reaches only through devDependencies
// (@parley/testing, and @parley/client for the gateway) — so that the prune drops them and what
// only they depend on (socket.io-client, …). npm counts every workspace as needed otherwise.
// Usage: node drop-dev-workspaces.mjs <app> (in the pruned monorepo's root).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const app = process.argv[2];
if (!app) throw new Error('usage: node drop-dev-workspaces.mjs <app>');
const root = process.cwd();
const workspaces = new Map();
for (const dir of ['apps', 'packages']) {
  if (!existsSync(join(root, dir))) continue;
  for (const name of readdirSync(join(root, dir))) {
    const file = join(root, dir, name, 'package.json');
    if (existsSync(file)) workspaces.set(JSON.parse(readFileSync(file, 'utf8')).name, join(dir, name));
  }
}
const needed = new Set();
const visit = (pkg) => {
  if (needed.has(pkg) || !workspaces.has(pkg)) return;
  needed.add(pkg);
  const { dependencies = {} } = JSON.parse(readFileSync(join(root, workspaces.get(pkg), 'package.json'), 'utf8'));
  for (const dep of Object.keys(dependencies)) visit(dep);
};
visit(`@parley/${app}`);
if (!needed.has(`@parley/${app}`)) throw new Error(`no workspace @parley/${app} here`);
for (const [pkg, dir] of workspaces) {
  if (needed.has(pkg)) continue;
  rmSync(join(root, dir), { recursive: true, force: true });
  rmSync(join(root, 'node_modules', ...pkg.split('/')), { recursive: true, force: true });
  console.log(`dropped ${pkg} (${dir}): not a run-time dependency of @parley/${app}`);
}
