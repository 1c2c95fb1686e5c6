// Image size per app (the production issue: "a small image per app, only that app's production
// dependencies"). No Docker engine is needed: infra/Dockerfile is carried out for real, stage by
// stage, in a temporary directory, once per app of docker-compose.yml (its build's target and args,
// e.g. `target: worker`, `args: { APP, PORT }`):
//  - only the target stage and the stages it depends on (its FROM chain and its COPY --from
//    sources, and theirs) are built, in the Dockerfile's order, as BuildKit does; no target: the last;
//  - the build context is a snapshot of the repository filtered by .dockerignore (`COPY . .`);
//  - every RUN runs with `sh -c` in its stage's WORKDIR, with the stage's ARGs and ENVs in the
//    environment (so `turbo prune`, `npm ci`, the build and `npm prune --omit=dev` are the real ones,
//    from the npm registry and its cache);
//  - every COPY copies what Docker would (a directory's contents, symbolic links kept as links);
//    a stage whose inputs are the same as an earlier app's is reused, as BuildKit's cache would;
//  - FROM a base image starts from an empty directory: the base image is NOT measured (see BASE_NOTE);
//    FROM an earlier stage starts from a copy of that stage's files, ENV and WORKDIR (its layers too).
// Measured in the target stage (what the app's image adds on top of its base image): bytes and
// files in all, per COPY layer, node_modules, the app's own dist, the workspace packages, the web
// client, the 5 largest npm packages, and the same tree as a tar.gz (what a registry stores).
// Then what of it the app needs: the packages reachable from the app's package.json through
// dependencies / optionalDependencies / peerDependencies (node's resolution, from each package's
// real directory), of each workspace only package.json and its "files", the web client only where
// the app's code reads WEB_DIR. The "needed only" tree is built too, and both trees are checked by
// requiring, with NODE_ENV=production, every production dependency of the app and every module its
// main file requires.
// Not a test: prints its figures and writes bench/results/image-size.json. Takes a few minutes
// (each app's build stage installs and builds for real).
//   npm run -w @parley/bench image-size   (IMAGE_BENCH_APPS=gateway,im-router to measure some;
//                                          IMAGE_BENCH_CONTEXT=worktree (default) or head: the
//                                          committed tree (git archive HEAD) as the build context;
//                                          IMAGE_BENCH_KEEP=1 keeps the temporary directory)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { createGzip } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { runBench, writeResults } from './results-file';

const REPO = join(__dirname, '..');
const DOCKERFILE = 'infra/Dockerfile';
const COMPOSE = 'docker-compose.yml';
const ONLY_APPS = process.env.IMAGE_BENCH_APPS?.split(',').map((a) => a.trim()).filter(Boolean);
const CONTEXT_FROM = process.env.IMAGE_BENCH_CONTEXT ?? 'worktree';
const KEEP = process.env.IMAGE_BENCH_KEEP === '1';
const TOP = 5;

const BASE_NOTE =
  'the base image is not included: FROM <image> starts a stage from an empty directory here (FROM <earlier stage> from a copy of it), because there is no Docker engine ' +
  'or image registry on this machine to pull it from; it is the same for every app (one set of layers a host pulls once), ' +
  'so the figures are what each app adds on top of it (add `docker image ls <base>` where Docker runs)';

// ---- sizes ------------------------------------------------------------------------------------

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Tally {
  bytes: number;
  files: number;
  symlinks: number;
}
const tally = (): Tally => ({ bytes: 0, files: 0, symlinks: 0 });
const cell = (t: Tally) => `${size(t.bytes)} (${t.files})`;

interface Entry {
  /** Path relative to the stage's root, with `/`. */
  rel: string;
  kind: 'file' | 'symlink';
  bytes: number;
}

/** Every file and symbolic link under `root` (links not followed). */
function walk(root: string, under = ''): Entry[] {
  const out: Entry[] = [];
  const dir = join(root, under);
  for (const name of readdirSync(dir).sort()) {
    const rel = under ? `${under}/${name}` : name;
    const st = lstatSync(join(dir, name));
    if (st.isDirectory()) out.push(...walk(root, rel));
    else if (st.isSymbolicLink()) out.push({ rel, kind: 'symlink', bytes: 0 });
    else if (st.isFile()) out.push({ rel, kind: 'file', bytes: st.size });
  }
  return out;
}

function add(t: Tally, e: Entry): void {
  if (e.kind === 'file') {
    t.files++;
    t.bytes += e.bytes;
  } else t.symlinks++;
}

/** The tree as `tar | gzip` (level 6, as registries' layers are) would be: its length in bytes. */
function tarGzBytes(root: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', root, '--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '-cf', '-', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let stderr = '';
    const gzip = createGzip({ level: 6 });
    tar.stdout.pipe(gzip);
    gzip.on('data', (chunk: Buffer) => (bytes += chunk.length));
    tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let ended = false;
    let exit: number | null | undefined;
    const settle = () => {
      if (!ended || exit === undefined) return;
      if (exit === 0) resolve(bytes);
      else reject(new Error(`tar exited with ${exit}: ${stderr}`));
    };
    tar.on('error', reject);
    gzip.on('error', reject);
    gzip.on('end', () => {
      ended = true;
      settle();
    });
    tar.on('close', (code) => {
      exit = code;
      settle();
    });
  });
}

// ---- copying (COPY, the context) ----------------------------------------------------------------

/** Copies `src` to `dest` (a directory's contents into `dest`), links as links; returns what it wrote. */
function copyTree(src: string, dest: string, keep: (rel: string) => boolean = () => true, rel = ''): Tally {
  const t = tally();
  const st = lstatSync(src);
  if (st.isSymbolicLink()) {
    mkdirSync(dirname(dest), { recursive: true });
    if (lstatExists(dest)) rmSync(dest, { recursive: true, force: true });
    symlinkSync(readlinkSync(src), dest);
    t.symlinks++;
  } else if (st.isDirectory()) {
    if (lstatExists(dest) && !lstatSync(dest).isDirectory()) rmSync(dest, { force: true });
    mkdirSync(dest, { recursive: true });
    for (const name of readdirSync(src)) {
      const childRel = rel ? `${rel}/${name}` : name;
      if (!keep(childRel)) continue;
      const sub = copyTree(join(src, name), join(dest, name), keep, childRel);
      t.bytes += sub.bytes;
      t.files += sub.files;
      t.symlinks += sub.symlinks;
    }
  } else if (st.isFile()) {
    mkdirSync(dirname(dest), { recursive: true });
    if (lstatExists(dest)) rmSync(dest, { recursive: true, force: true });
    copyFileSync(src, dest);
    t.files++;
    t.bytes += st.size;
  }
  return t;
}
function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** .dockerignore as Docker reads it: a path is left out if it or one of its parents matches a pattern. */
function dockerignore(text: string): (rel: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const regexes = patterns.map((p) => {
    if (p.startsWith('!') || /[[\]\\]/.test(p)) throw new Error(`.dockerignore pattern ${p} is not supported by this benchmark (no ! or [ ])`);
    const segs = posix.normalize(p.replace(/^\/+/, '')).split('/');
    let re = '';
    segs.forEach((s, i) => {
      const last = i === segs.length - 1;
      if (s === '**') re += last ? '.*' : '(?:.*/)?';
      else re += s.replace(/[.+^${}()|]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + (last ? '' : '/');
    });
    return new RegExp(`^${re}$`);
  });
  // The copy walks parents first, so a parent that matches already left its children out.
  return (rel) => !regexes.some((r) => r.test(rel));
}

// ---- the Dockerfile -----------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  name: string;
  from: string;
  body: Instruction[];
}

function parseDockerfile(text: string): { globalArgs: Instruction[]; stages: Stage[] } {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    if (!l.trim() || l.trimStart().startsWith('#')) continue;
    const line = i + 1;
    while (l.trimEnd().endsWith('\\')) {
      l = l.trimEnd().slice(0, -1);
      i++;
      while (i < lines.length && (lines[i]!.trimStart().startsWith('#') || !lines[i]!.trim())) i++;
      if (i >= lines.length) break;
      l += ` ${lines[i]!.trim()}`;
    }
    const m = /^\s*(\S+)\s*(.*)$/.exec(l)!;
    instructions.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line });
  }
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`${DOCKERFILE}:${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ name: m[2] ?? String(stages.length), from: m[1]!, body: [] });
    } else if (stages.length === 0) {
      if (ins.op !== 'ARG') throw new Error(`${DOCKERFILE}:${ins.line}: ${ins.op} before the first FROM`);
      globalArgs.push(ins);
    } else stages[stages.length - 1]!.body.push(ins);
  }
  return { globalArgs, stages };
}

/** Splits on whitespace, keeping "quoted" and 'quoted' parts together (quotes removed). */
function words(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let any = false;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (cur || any) out.push(cur);
  return out;
}

/** Docker's variable substitution: $X, ${X}, ${X:-word}, ${X:+word}. */
function substitute(s: string, vars: Record<string, string | undefined>): string {
  return s.replace(/\$\{([A-Za-z_]\w*)(?::([-+])([^}]*))?\}|\$([A-Za-z_]\w*)/g, (_, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const v = vars[(braced ?? bare)!];
    if (op === '-') return v ? v : (word ?? '');
    if (op === '+') return v ? (word ?? '') : '';
    return v ?? '';
  });
}

/** KEY=value pairs (ARG, ENV; also the old `ENV KEY value`). */
function assignments(args: string, old: boolean): [string, string | undefined][] {
  const ws = words(args);
  if (old && ws.length >= 2 && !ws[0]!.includes('=')) return [[ws[0]!, ws.slice(1).join(' ')]];
  return ws.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
  });
}

// Metadata only: no files change.
const NO_FILES = new Set(['USER', 'EXPOSE', 'HEALTHCHECK', 'CMD', 'ENTRYPOINT', 'LABEL', 'STOPSIGNAL', 'MAINTAINER', 'VOLUME']);

interface Layer {
  instruction: string;
  bytes: number;
  files: number;
  symlinks: number;
}
interface StageRun {
  name: string;
  /** The cache key of its inputs (see DockerBuild.key). */
  key: string;
  root: string;
  base: string | undefined;
  env: Record<string, string>;
  /** The WORKDIR at the end of the stage (a stage FROM it starts there). */
  workdir: string;
  /** Every layer above the base image: those of the stage it starts from, if any, then its own. */
  layers: Layer[];
  reused: boolean;
  /** The ARGs it declares, and those of the stage it starts from (its files may depend on them). */
  declaredArgs: string[];
  runs: { command: string; ms: number }[];
}

/** The environment RUN sees: this process's, without what `npm run` put there, plus the stage's ARGs and ENVs. */
function runEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE' || k === 'NODE_ENV' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  // Turbo would try to reach its telemetry endpoint; it writes no files either way.
  return { ...env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ...vars };
}

/** Content digest of a file or tree (names, file contents, link targets), as BuildKit's COPY cache keys are. */
function digest(path: string): string {
  const h = createHash('sha256');
  const visit = (p: string, rel: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) h.update(`l ${rel} ${readlinkSync(p)}\n`);
    else if (st.isDirectory()) {
      h.update(`d ${rel}\n`);
      for (const name of readdirSync(p).sort()) visit(join(p, name), `${rel}/${name}`);
    } else {
      h.update(`f ${rel} ${st.size}\n`);
      h.update(readFileSync(p));
    }
  };
  visit(path, '.');
  return h.digest('hex');
}

class DockerBuild {
  private readonly cache = new Map<string, StageRun>();
  private contextDigest: string | undefined;
  constructor(
    private readonly file: { globalArgs: Instruction[]; stages: Stage[] },
    private readonly context: string,
    private readonly work: string,
  ) {}

  /**
   * Runs the target stage (the last one if none is given) and the stages it depends on — its FROM
   * chain and its COPY --from sources, and theirs — in the Dockerfile's order, as BuildKit does;
   * the other stages are not built. Returns the runs in that order, the last one being the image.
   */
  build(app: string, buildArgs: Record<string, string>, target: string | undefined, log: (s: string) => void): StageRun[] {
    const globals: Record<string, string> = {};
    for (const ins of this.file.globalArgs) {
      for (const [k, v] of assignments(ins.args, false)) globals[k] = buildArgs[k] ?? substitute(v ?? '', globals);
    }
    const stages = this.file.stages;
    const targetIndex = target === undefined ? stages.length - 1 : stages.findIndex((s) => s.name.toLowerCase() === target.toLowerCase());
    if (targetIndex < 0) throw new Error(`target ${target}: no such stage in ${DOCKERFILE} (${stages.map((s) => s.name).join(', ')})`);
    const needed = new Set<number>();
    const visit = (i: number) => {
      if (needed.has(i)) return;
      needed.add(i);
      for (const d of this.dependencies(i, globals, buildArgs)) visit(d);
    };
    visit(targetIndex);
    const done = new Map<string, StageRun>();
    const runs: StageRun[] = [];
    for (let i = 0; i <= targetIndex; i++) {
      if (!needed.has(i)) continue;
      const stage = stages[i]!;
      const run = this.stage(app, stage, globals, buildArgs, done, log);
      done.set(stage.name.toLowerCase(), run);
      done.set(String(i), run);
      runs.push(run);
    }
    return runs;
  }

  /** The earlier stage a FROM or COPY --from names (by name, case-insensitively as Docker does, or by index), if any. */
  private earlierStage(ref: string, before: number): number | undefined {
    if (/^\d+$/.test(ref)) return Number(ref) < before ? Number(ref) : undefined;
    const i = this.file.stages.findIndex((s) => s.name.toLowerCase() === ref.toLowerCase());
    return i >= 0 && i < before ? i : undefined;
  }

  /** The stages stage `index` starts from or copies from. */
  private dependencies(index: number, globals: Record<string, string>, buildArgs: Record<string, string>): number[] {
    const stage = this.file.stages[index]!;
    const deps: number[] = [];
    const from = this.earlierStage(substitute(stage.from, globals), index);
    if (from !== undefined) deps.push(from);
    const vars: Record<string, string> = {};
    for (const ins of stage.body) {
      if (ins.op === 'ARG') for (const [k, v] of assignments(ins.args, false)) vars[k] = buildArgs[k] ?? globals[k] ?? substitute(v ?? '', vars);
      if (ins.op !== 'COPY') continue;
      const ref = this.copyArgs(ins, vars).from;
      if (ref === undefined) continue;
      const dep = this.earlierStage(ref, index);
      if (dep === undefined) throw new Error(`${DOCKERFILE}:${ins.line}: COPY --from=${ref}: no such earlier stage (images are not supported)`);
      deps.push(dep);
    }
    return deps;
  }

  private source(from: string | undefined, path: string, done: Map<string, StageRun>): string {
    if (from === undefined) return join(this.context, posix.normalize(`/${path}`));
    const st = done.get(from.toLowerCase());
    if (!st) throw new Error(`COPY --from=${from}: no such earlier stage (images are not supported)`);
    return join(st.root, posix.normalize(`/${path}`));
  }

  /**
   * A key for the stage's inputs: what it starts from (a base image's name, or an earlier stage's
   * key), its instructions with the ARG values they see, and the content of what it copies.
   */
  private key(stage: Stage, globals: Record<string, string>, buildArgs: Record<string, string>, done: Map<string, StageRun>): string {
    const image = substitute(stage.from, globals);
    const parent = done.get(image.toLowerCase());
    const h = createHash('sha256').update(parent ? `stage ${parent.key}\n` : `image ${image}\n`);
    const vars: Record<string, string> = {};
    for (const ins of stage.body) {
      if (ins.op === 'ARG') for (const [k, v] of assignments(ins.args, false)) vars[k] = buildArgs[k] ?? globals[k] ?? substitute(v ?? '', vars);
      h.update(`${ins.op} ${ins.args} ${JSON.stringify(vars)}\n`);
      if (ins.op === 'COPY') {
        const { from, sources } = this.copyArgs(ins, vars);
        for (const s of sources) {
          if (from === undefined) h.update((this.contextDigest ??= digest(this.context)) + s);
          else h.update(digest(this.source(from, s, done)));
        }
      }
    }
    return h.digest('hex');
  }

  private copyArgs(ins: Instruction, vars: Record<string, string>): { from: string | undefined; sources: string[]; dest: string } {
    let ws = ins.args.startsWith('[') ? (JSON.parse(ins.args) as string[]) : words(ins.args);
    let from: string | undefined;
    while (ws[0]?.startsWith('--')) {
      const flag = ws.shift()!;
      const m = /^--([a-z-]+)(?:=(.*))?$/.exec(flag);
      if (m?.[1] === 'from') from = substitute(m[2] ?? '', vars);
      else if (m?.[1] !== 'chown' && m?.[1] !== 'chmod' && m?.[1] !== 'link') throw new Error(`${DOCKERFILE}:${ins.line}: COPY ${flag} is not supported by this benchmark`);
    }
    ws = ws.map((w) => substitute(w, vars));
    if (ws.length < 2) throw new Error(`${DOCKERFILE}:${ins.line}: COPY needs a source and a destination`);
    const sources = ws.slice(0, -1);
    if (sources.some((s) => /[*?[]/.test(s))) throw new Error(`${DOCKERFILE}:${ins.line}: COPY with wildcards is not supported by this benchmark`);
    return { from, sources, dest: ws[ws.length - 1]! };
  }

  private stage(app: string, stage: Stage, globals: Record<string, string>, buildArgs: Record<string, string>, done: Map<string, StageRun>, log: (s: string) => void): StageRun {
    const key = this.key(stage, globals, buildArgs, done);
    const cached = this.cache.get(key);
    if (cached) {
      log(`[${app}] ${stage.name}: same inputs as before, reused (as BuildKit's cache would)`);
      return { ...cached, reused: true };
    }
    const image = substitute(stage.from, globals);
    const parent = done.get(image.toLowerCase());
    const root = mkdtempSync(join(this.work, `${app}-${stage.name}-`));
    const run: StageRun = { name: stage.name, key, root, base: image, env: {}, workdir: '/', layers: [], reused: false, declaredArgs: [], runs: [] };
    if (parent) {
      // FROM an earlier stage: its filesystem, ENV and WORKDIR (ARGs are per stage and not carried over).
      copyTree(parent.root, root);
      run.base = parent.base;
      run.env = { ...parent.env };
      run.workdir = parent.workdir;
      run.layers = [...parent.layers];
      run.declaredArgs = [...parent.declaredArgs];
      log(`[${app}] ${stage.name}: FROM ${parent.name}: starts from a copy of its files, ENV and WORKDIR (${parent.workdir})`);
    }
    const args: Record<string, string> = {};
    const vars = () => ({ ...args, ...run.env });
    for (const ins of stage.body) {
      const where = `${DOCKERFILE}:${ins.line}`;
      switch (ins.op) {
        case 'ARG':
          for (const [k, v] of assignments(ins.args, false)) {
            args[k] = buildArgs[k] ?? globals[k] ?? substitute(v ?? '', vars());
            run.declaredArgs.push(k);
          }
          break;
        case 'ENV':
          for (const [k, v] of assignments(ins.args, true)) run.env[k] = substitute(v ?? '', vars());
          break;
        case 'WORKDIR':
          run.workdir = posix.resolve(run.workdir, substitute(ins.args, vars()));
          mkdirSync(join(root, run.workdir), { recursive: true });
          break;
        case 'COPY': {
          const { from, sources, dest } = this.copyArgs(ins, vars());
          const destPath = posix.resolve(run.workdir, dest);
          const intoDir = dest.endsWith('/') || dest === '.' || sources.length > 1;
          const t = tally();
          for (const s of sources) {
            const src = this.source(from, s, done);
            if (!lstatExists(src)) throw new Error(`${where}: COPY ${from ? `--from=${from} ` : ''}${s}: not found`);
            const isDir = lstatSync(src).isDirectory();
            const target = isDir || !(intoDir || (existsSync(join(root, destPath)) && lstatSync(join(root, destPath)).isDirectory())) ? destPath : posix.join(destPath, basename(src));
            const w = copyTree(src, join(root, target));
            t.bytes += w.bytes;
            t.files += w.files;
            t.symlinks += w.symlinks;
          }
          run.layers.push({ instruction: `COPY ${substitute(ins.args, vars())}`, ...t });
          break;
        }
        case 'RUN': {
          if (/^--/.test(ins.args)) throw new Error(`${where}: RUN flags (${ins.args.split(/\s/)[0]}) are not supported by this benchmark`);
          const argv = ins.args.startsWith('[') ? (JSON.parse(ins.args) as string[]) : ['sh', '-c', ins.args];
          const start = Date.now();
          const r = spawnSync(argv[0]!, argv.slice(1), { cwd: join(root, run.workdir), env: runEnv(vars()), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
          const ms = Date.now() - start;
          if (r.status !== 0) {
            const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
            throw new Error(`${where}: RUN ${ins.args}\nfailed (${r.error?.message ?? `exit ${r.status}`}) in ${join(root, run.workdir)}; its last output:\n${out.slice(-6000)}`);
          }
          run.runs.push({ command: ins.args, ms });
          log(`[${app}] ${stage.name}: RUN ${ins.args.length > 110 ? `${ins.args.slice(0, 107)}...` : ins.args}  (${secs(ms)})`);
          break;
        }
        default:
          if (!NO_FILES.has(ins.op)) throw new Error(`${where}: ${ins.op} is not supported by this benchmark`);
      }
    }
    this.cache.set(key, run);
    return run;
  }

  /** Frees a stage's directory (once no later app can reuse it). */
  drop(run: StageRun): void {
    for (const [k, v] of this.cache) if (v.root === run.root) this.cache.delete(k);
    rmSync(run.root, { recursive: true, force: true });
  }
}

// ---- what the app needs -------------------------------------------------------------------------

interface Manifest {
  name?: string;
  version?: string;
  main?: string;
  files?: string[];
  workspaces?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

interface Reach {
  parent: string | undefined;
  via: string;
}
interface Graph {
  /** Real directory (relative to the image root) → how it was first reached. */
  reached: Map<string, Reach>;
  /** Dependencies that are declared but not installed (optional and peer ones left out). */
  missing: string[];
}

/** Breadth first from `roots` over dependencies, optionalDependencies and installed peerDependencies, resolving as node does. */
function reachable(imageRoot: string, roots: string[]): Graph {
  const reached = new Map<string, Reach>();
  const missing: string[] = [];
  const queue: string[] = [];
  for (const r of roots) {
    if (!reached.has(r)) {
      reached.set(r, { parent: undefined, via: 'root' });
      queue.push(r);
    }
  }
  const resolveFrom = (fromRel: string, name: string): string | undefined => {
    let d = join(imageRoot, fromRel);
    for (;;) {
      const candidate = join(d, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return relative(imageRoot, realpathSync(candidate)).split(sep).join('/');
      if (relative(imageRoot, d) === '' || dirname(d) === d) return undefined;
      d = dirname(d);
    }
  };
  while (queue.length) {
    const dir = queue.shift()!;
    const m = manifest(join(imageRoot, dir));
    const edges: [string, string][] = [
      ...Object.keys(m.dependencies ?? {}).map((n): [string, string] => [n, 'dependency']),
      ...Object.keys(m.optionalDependencies ?? {}).map((n): [string, string] => [n, 'optional']),
      ...Object.keys(m.peerDependencies ?? {}).map((n): [string, string] => [n, 'peer']),
    ];
    for (const [name, via] of edges) {
      const dep = resolveFrom(dir, name);
      if (dep === undefined) {
        if (via === 'dependency') missing.push(`${name} (of ${m.name ?? dir})`);
        continue;
      }
      if (!reached.has(dep)) {
        reached.set(dep, { parent: dir, via });
        queue.push(dep);
      }
    }
  }
  return { reached, missing };
}

function why(imageRoot: string, graph: Graph, dir: string): string {
  const chain: string[] = [];
  let cur: string | undefined = dir;
  while (cur !== undefined) {
    const r: Reach = graph.reached.get(cur)!;
    const name = manifest(join(imageRoot, cur)).name ?? cur;
    chain.push(r.via === 'dependency' || r.via === 'root' ? name : `${name} (${r.via})`);
    cur = r.parent;
  }
  return chain.join(' ← ');
}

/** Whether a path inside a workspace is in what npm would publish of it (package.json, main, "files"). */
function published(m: Manifest, relInWs: string): boolean {
  if (relInWs === 'package.json') return true;
  if (m.main && posix.normalize(m.main) === relInWs) return true;
  if (!m.files) return true;
  return m.files.some((f) => {
    const p = posix.normalize(f).replace(/\/$/, '');
    if (/[*?]/.test(p)) return new RegExp(`^${p.replace(/[.+^${}()|]/g, '\\$&').replace(/\*\*/g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '.*').replace(/\?/g, '[^/]')}(/|$)`).test(relInWs);
    return relInWs === p || relInWs.startsWith(`${p}/`);
  });
}

type Why =
  | 'needed'
  | 'web client in an image whose code never reads WEB_DIR'
  | 'workspace the app does not use at runtime'
  | 'workspace files outside package.json "files" (src, tests, configs, READMEs, turbo logs)'
  | 'npm packages the app does not reach'
  | 'npm metadata (.bin links, .package-lock.json)'
  | 'other';

interface Analysis {
  workdir: string;
  appDir: string;
  total: Tally;
  nodeModules: Tally;
  appDist: Tally;
  appWorkspace: Tally;
  workspacePackages: Tally;
  web: Tally;
  needed: Tally;
  neededDeclarationsAndMaps: Tally;
  notNeeded: Record<string, Tally>;
  workspaces: { name: string; dir: string; usedAtRuntime: boolean; devDependencyOf: string[]; bytes: number; files: number }[];
  packages: { name: string; versions: string[]; bytes: number; files: number; needed: boolean; why: string }[];
  notReachedFromAnyWorkspace: string[];
  missing: string[];
  readsWebDir: boolean;
  neededEntries: Entry[];
}

function analyse(root: string, workdir: string, appName: string, webDir: string | undefined): Analysis {
  const top = workdir.replace(/^\/+/, '');
  const imageRoot = join(root, top);
  const rootManifest = manifest(imageRoot);
  const wsDirs = (rootManifest.workspaces ?? [])
    .flatMap((w) => {
      if (!w.includes('*')) return [w];
      const parent = w.slice(0, w.indexOf('*')).replace(/\/$/, '');
      return existsSync(join(imageRoot, parent)) ? readdirSync(join(imageRoot, parent)).map((n) => `${parent}/${n}`) : [];
    })
    .map((w) => posix.normalize(w))
    .filter((w) => existsSync(join(imageRoot, w, 'package.json')));
  const wsManifests = new Map(wsDirs.map((d) => [d, manifest(join(imageRoot, d))]));
  const appDir = wsDirs.find((d) => wsManifests.get(d)!.name === appName);
  if (!appDir) throw new Error(`${appName} is not among the image's workspaces (${wsDirs.join(', ')})`);

  const app = reachable(imageRoot, [appDir]);
  const kept = reachable(imageRoot, wsDirs); // what npm keeps: every workspace is a root of the tree
  const webRel = webDir ? posix.relative(workdir, webDir) : undefined;

  // Does the app's code (its own and its workspaces' published files) read WEB_DIR?
  const readsWebDir = [...app.reached.keys()]
    .filter((d) => wsManifests.has(d))
    .some((d) =>
      walk(join(imageRoot, d)).some(
        (e) => e.kind === 'file' && e.rel.endsWith('.js') && !e.rel.includes('node_modules/') && published(wsManifests.get(d)!, e.rel) && readFileSync(join(imageRoot, d, e.rel), 'utf8').includes('WEB_DIR'),
      ),
    );

  const entries = walk(imageRoot);
  const a: Analysis = {
    workdir,
    appDir,
    total: tally(),
    nodeModules: tally(),
    appDist: tally(),
    appWorkspace: tally(),
    workspacePackages: tally(),
    web: tally(),
    needed: tally(),
    neededDeclarationsAndMaps: tally(),
    notNeeded: {},
    workspaces: [],
    packages: [],
    notReachedFromAnyWorkspace: [],
    missing: app.missing,
    readsWebDir,
    neededEntries: [],
  };
  const pkgs = new Map<string, { name: string; versions: Set<string>; t: Tally; needed: boolean; why: string }>();
  const wsTallies = new Map<string, Tally>();
  const owners = new Map<string, { real: string; name: string; version: string }>();
  const owner = (pkgRel: string) => {
    let o = owners.get(pkgRel);
    if (!o) {
      const full = join(imageRoot, pkgRel);
      let m: Manifest = {};
      try {
        m = manifest(full);
      } catch {
        // not a package (no package.json): counted under its directory's name
      }
      o = { real: relative(imageRoot, realpathSync(full)).split(sep).join('/'), name: m.name ?? pkgRel, version: m.version ?? '?' };
      owners.set(pkgRel, o);
    }
    return o;
  };
  // The installed package a file belongs to: the deepest node_modules/<name> (or @scope/<name>) above it
  // that is a package (has a package.json; a workspace's link is its own entry). Not every directory
  // called node_modules holds packages (pino's test fixtures have one with plain files).
  const isPackage = new Map<string, boolean>();
  const packageOf = (e: Entry): string | undefined => {
    const segs = e.rel.split('/');
    let found: string | undefined;
    for (let i = 0; i < segs.length - 1; i++) {
      if (segs[i] !== 'node_modules') continue;
      const n = segs[i + 1]!.startsWith('@') ? 3 : 2;
      if (segs[i + 1]!.startsWith('.') || i + n > segs.length) continue;
      const candidate = segs.slice(0, i + n).join('/');
      if (candidate === e.rel) {
        if (e.kind === 'symlink') found = candidate;
        continue;
      }
      let ok = isPackage.get(candidate);
      if (ok === undefined) isPackage.set(candidate, (ok = existsSync(join(imageRoot, candidate, 'package.json'))));
      if (ok) found = candidate;
    }
    return found;
  };
  for (const e of entries) {
    add(a.total, e);
    const ws = wsDirs.find((d) => e.rel.startsWith(`${d}/`));
    const inWeb = webRel !== undefined && e.rel.startsWith(`${webRel}/`);
    // Where it lies.
    if (e.rel.startsWith('node_modules/')) add(a.nodeModules, e);
    else if (inWeb) add(a.web, e);
    else if (ws) {
      const t = wsTallies.get(ws) ?? tally();
      add(t, e);
      wsTallies.set(ws, t);
      if (ws === appDir) {
        add(a.appWorkspace, e);
        if (e.rel.startsWith(`${appDir}/dist/`)) add(a.appDist, e);
      } else add(a.workspacePackages, e);
    }
    // Whether the app needs it.
    let reason: Why = 'other';
    const pkgRel = packageOf(e);
    if (/(^|\/)node_modules\//.test(e.rel)) {
      if (/(^|\/)node_modules\/(\.bin\/|\.package-lock\.json$|\.cache\/)/.test(e.rel) || pkgRel === undefined) reason = 'npm metadata (.bin links, .package-lock.json)';
      else {
        const o = owner(pkgRel);
        const needed = app.reached.has(o.real);
        if (e.kind === 'symlink' && e.rel === pkgRel) reason = needed ? 'needed' : 'workspace the app does not use at runtime'; // a workspace's link
        else {
          reason = needed ? 'needed' : 'npm packages the app does not reach';
          const p = pkgs.get(o.name) ?? { name: o.name, versions: new Set<string>(), t: tally(), needed: false, why: '' };
          p.versions.add(o.version);
          add(p.t, e);
          if (needed && !p.needed) {
            p.needed = true;
            p.why = why(imageRoot, app, o.real);
          } else if (!p.needed && !p.why) p.why = kept.reached.has(o.real) ? why(imageRoot, kept, o.real) : 'reached from no workspace';
          pkgs.set(o.name, p);
          if (!kept.reached.has(o.real) && !a.notReachedFromAnyWorkspace.includes(o.name)) a.notReachedFromAnyWorkspace.push(o.name);
        }
      }
    } else if (inWeb) reason = readsWebDir ? 'needed' : 'web client in an image whose code never reads WEB_DIR';
    else if (ws) {
      if (!app.reached.has(ws)) reason = 'workspace the app does not use at runtime';
      else reason = published(wsManifests.get(ws)!, e.rel.slice(ws.length + 1)) ? 'needed' : 'workspace files outside package.json "files" (src, tests, configs, READMEs, turbo logs)';
    } else if (e.rel === 'package.json') reason = 'needed'; // the root manifest: tiny, kept
    if (reason === 'needed') {
      add(a.needed, e);
      a.neededEntries.push(e);
      if (/\.d\.ts$|\.map$/.test(e.rel)) add(a.neededDeclarationsAndMaps, e);
    } else add((a.notNeeded[reason] ??= tally()), e);
  }
  a.workspaces = wsDirs.map((d) => ({
    name: wsManifests.get(d)!.name ?? d,
    dir: d,
    usedAtRuntime: app.reached.has(d),
    devDependencyOf: wsDirs.filter((o) => Object.keys(wsManifests.get(o)!.devDependencies ?? {}).includes(wsManifests.get(d)!.name ?? '')).map((o) => wsManifests.get(o)!.name ?? o),
    bytes: wsTallies.get(d)?.bytes ?? 0,
    files: wsTallies.get(d)?.files ?? 0,
  }));
  a.packages = [...pkgs.values()]
    .map((p) => ({ name: p.name, versions: [...p.versions], bytes: p.t.bytes, files: p.t.files, needed: p.needed, why: p.why }))
    .sort((x, y) => y.bytes - x.bytes);
  return a;
}

/** Copies the needed files (and links) into a fresh tree. */
function materialise(fromRoot: string, entries: Entry[], to: string): void {
  for (const e of entries) {
    const dest = join(to, e.rel);
    mkdirSync(dirname(dest), { recursive: true });
    if (e.kind === 'symlink') {
      if (lstatExists(dest)) unlinkSync(dest);
      symlinkSync(readlinkSync(join(fromRoot, e.rel)), dest);
    } else copyFileSync(join(fromRoot, e.rel), dest);
  }
}

/** Requires, in a fresh node with NODE_ENV=production, the app's production dependencies and what its main file requires. */
function loads(imageRoot: string, appDir: string): { ok: boolean; required: number; error?: string } {
  const dir = join(imageRoot, appDir);
  const m = manifest(dir);
  const main = join(dir, m.main ?? 'index.js');
  const fromMain = [...readFileSync(main, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((x) => x[1]!);
  const specs = [...new Set([...Object.keys(m.dependencies ?? {}), ...fromMain])].map((s) => (s.startsWith('.') ? join(dirname(main), s) : s));
  const script = `for (const s of ${JSON.stringify(specs)}) require(require.resolve(s, { paths: [${JSON.stringify(dir)}] })); process.exit(0);`;
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: imageRoot, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status === 0) return { ok: true, required: specs.length };
  const err = `${r.stderr ?? ''}`.split('\n').find((l) => /Error|Cannot find/.test(l)) ?? r.error?.message ?? `exit ${r.status}`;
  return { ok: false, required: specs.length, error: err.trim() };
}

// ---- main -------------------------------------------------------------------------------------

interface ComposeBuild {
  context?: string;
  dockerfile?: string;
  target?: string;
  args?: Record<string, string | number | boolean | null> | string[];
}
interface Service {
  service: string;
  /** The stage to build (`build.target`); undefined: the last one, as Docker does. */
  target: string | undefined;
  args: Record<string, string>;
}

/** The services of docker-compose.yml that build infra/Dockerfile: their `build.target` and `build.args` (merge keys applied). */
function composeApps(text: string): Service[] {
  const doc = parseYaml(text, { merge: true }) as { services?: Record<string, { build?: string | ComposeBuild } | null> } | null;
  const out: Service[] = [];
  for (const [service, def] of Object.entries(doc?.services ?? {})) {
    const build = typeof def?.build === 'string' ? { context: def.build } : def?.build;
    if (!build) continue;
    const context = posix.normalize(build.context ?? '.');
    if (posix.normalize(posix.join(context, build.dockerfile ?? 'Dockerfile')) !== DOCKERFILE) continue;
    if (context !== '.') throw new Error(`${COMPOSE}: service ${service} builds ${DOCKERFILE} with context ${build.context}; this benchmark uses the repository as the context`);
    // Compose's forms: a map, or a list of KEY=value; a key without a value comes from the environment.
    type Value = string | number | boolean | null | undefined;
    const pairs: [string, Value][] = Array.isArray(build.args)
      ? build.args.map((a): [string, Value] => (a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null]))
      : Object.entries(build.args ?? {});
    const args: Record<string, string> = {};
    for (const [k, v] of pairs) {
      const value = v === null || v === undefined ? process.env[k] : String(v);
      if (value !== undefined) args[k] = value;
    }
    if (!args.APP) throw new Error(`${COMPOSE}: service ${service} builds ${DOCKERFILE} without the build arg APP`);
    out.push({ service, target: build.target, args });
  }
  if (!out.length) throw new Error(`no service in ${COMPOSE} builds ${DOCKERFILE}`);
  return out;
}

function snapshotContext(to: string): { source: string; ignore: string; tally: Tally; commit?: string } {
  let from = REPO;
  let commit: string | undefined;
  let scratch: string | undefined;
  if (CONTEXT_FROM === 'head') {
    scratch = mkdtempSync(join(dirname(to), 'head-'));
    commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
    const r = spawnSync('sh', ['-c', `git archive --format=tar HEAD | tar -x -C '${scratch}'`], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git archive HEAD failed: ${r.stderr}`);
    from = scratch;
  } else if (CONTEXT_FROM !== 'worktree') throw new Error(`IMAGE_BENCH_CONTEXT is worktree or head, not ${CONTEXT_FROM}`);
  const ignore = existsSync(join(from, '.dockerignore')) ? readFileSync(join(from, '.dockerignore'), 'utf8') : '';
  const t = copyTree(from, to, dockerignore(ignore));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  return { source: CONTEXT_FROM === 'head' ? `git archive HEAD (${commit})` : `working tree of ${REPO}`, ignore, tally: t, ...(commit ? { commit } : {}) };
}

async function main(): Promise<void> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'parley-image-size-'));
  const cleanUp = () => {
    if (!KEEP) rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    const context = join(work, 'context');
    const ctx = snapshotContext(context);
    const file = parseDockerfile(readFileSync(join(context, DOCKERFILE), 'utf8'));
    let services = composeApps(readFileSync(join(context, COMPOSE), 'utf8'));
    if (ONLY_APPS) {
      const unknown = ONLY_APPS.filter((a) => !services.some((s) => s.args.APP === a));
      if (unknown.length) throw new Error(`IMAGE_BENCH_APPS: ${unknown.join(', ')} not among ${services.map((s) => s.args.APP).join(', ')} (${COMPOSE})`);
      services = services.filter((s) => ONLY_APPS.includes(s.args.APP!));
    }
    // Build args whose values differ between the services: a stage declaring one is never reused by the next app.
    const argNames = new Set(services.flatMap((s) => Object.keys(s.args)));
    const varying = new Set([...argNames].filter((k) => new Set(services.map((s) => s.args[k])).size > 1));
    const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8', env: runEnv({}) }).stdout.trim();
    const targetName = (s: Service) => s.target ?? file.stages[file.stages.length - 1]!.name;

    console.log(
      `image size: ${DOCKERFILE} carried out stage by stage (${file.stages.map((s) => s.name).join(' → ')}; only each target's stages) for ` +
        `${services.map((s) => `${s.args.APP} (--target ${targetName(s)})`).join(', ')} (targets and build args from ${COMPOSE})`,
    );
    console.log(`  build context: ${ctx.source} filtered by .dockerignore: ${cell(ctx.tally)}`);
    console.log(`  node ${process.version}, npm ${npmVersion} on this machine (the image's base brings its own node and npm)`);
    console.log(`  NOTE: ${BASE_NOTE}`);
    console.log(`  work directory: ${work}${KEEP ? ' (kept: IMAGE_BENCH_KEEP=1)' : ' (removed at the end)'}`);

    const docker = new DockerBuild(file, context, work);
    const results: Record<string, unknown>[] = [];
    const rows: { app: string; a: Analysis; gz: number; neededGz: number; layers: Layer[]; loadAsBuilt: ReturnType<typeof loads>; loadNeeded: ReturnType<typeof loads> }[] = [];
    let base: string | undefined;
    for (const { args, target } of services) {
      const app = args.APP!;
      const appStart = Date.now();
      const runs = docker.build(app, args, target, (s) => console.log(`  ${s}`));
      const image = runs[runs.length - 1]!;
      base = image.base;
      const workdir = image.workdir;
      const a = analyse(image.root, workdir, `@parley/${app}`, image.env.WEB_DIR);
      const imageRoot = join(image.root, workdir.replace(/^\/+/, ''));
      const gz = await tarGzBytes(image.root);
      const neededRoot = mkdtempSync(join(work, `${app}-needed-`));
      materialise(imageRoot, a.neededEntries, neededRoot);
      const neededGz = await tarGzBytes(neededRoot);
      const loadAsBuilt = loads(imageRoot, a.appDir);
      const loadNeeded = loads(neededRoot, a.appDir);
      rmSync(neededRoot, { recursive: true, force: true });
      for (const r of runs) if (!r.reused && (r === image || r.declaredArgs.some((k) => varying.has(k)))) docker.drop(r);

      rows.push({ app, a, gz, neededGz, layers: image.layers, loadAsBuilt, loadNeeded });
      results.push({
        app,
        target: image.name,
        buildArgs: args,
        seconds: +((Date.now() - appStart) / 1000).toFixed(1),
        stages: runs.map((r) => ({ name: r.name, base: r.base, reused: r.reused, runs: r.runs })),
        layers: image.layers,
        total: a.total,
        tarGzBytes: gz,
        nodeModules: a.nodeModules,
        appDir: a.appDir,
        appDist: a.appDist,
        appWorkspace: a.appWorkspace,
        workspacePackages: a.workspacePackages,
        web: { ...a.web, readByTheApp: a.readsWebDir },
        needed: { ...a.needed, tarGzBytes: neededGz, declarationsAndSourceMaps: a.neededDeclarationsAndMaps },
        notNeeded: a.notNeeded,
        workspaces: a.workspaces,
        topPackages: a.packages.slice(0, TOP),
        packages: a.packages,
        notReachedFromAnyWorkspace: a.notReachedFromAnyWorkspace,
        missingDependencies: a.missing,
        loadCheck: { asBuilt: loadAsBuilt, neededOnly: loadNeeded },
      });

      console.log(`\n${app}: the target stage (${image.name}; built: ${runs.map((r) => r.name).join(' → ')}) adds ${cell(a.total)} files, ${a.total.symlinks} links; ${size(gz)} as tar.gz; ${secs(Date.now() - appStart)} to build`);
      for (const l of image.layers) console.log(`  layer ${size(l.bytes).padStart(10)} ${String(l.files).padStart(6)} files  ${l.instruction}`);
      console.log(`  largest npm packages in node_modules:`);
      for (const p of a.packages.slice(0, TOP)) console.log(`    ${size(p.bytes).padStart(10)} ${String(p.files).padStart(6)} files  ${`${p.name}@${p.versions.join(',')}`.padEnd(40)} ${p.needed ? 'needed' : 'NOT NEEDED'}: ${p.why}`);
      console.log(`  workspaces in the image: ${a.workspaces.map((w) => `${w.name}${w.usedAtRuntime ? '' : ` (NOT used at runtime; a devDependency of ${w.devDependencyOf.join(', ') || 'none'})`}`).join(', ')}`);
      console.log(`  not needed by ${app}:`);
      for (const [reason, t] of Object.entries(a.notNeeded).sort((x, y) => y[1].bytes - x[1].bytes)) console.log(`    ${size(t.bytes).padStart(10)} ${String(t.files).padStart(6)} files  ${reason}`);
      console.log(`  of the needed, type declarations and source maps (.d.ts, .map): ${cell(a.neededDeclarationsAndMaps)}`);
      console.log(
        a.notReachedFromAnyWorkspace.length
          ? `  dev or extraneous packages (in node_modules, reached from no workspace's production dependencies): ${a.notReachedFromAnyWorkspace.join(', ')}`
          : `  dev or extraneous packages: none (npm prune --omit=dev left only packages some workspace depends on for production)`,
      );
      if (a.missing.length) console.log(`  declared but not installed: ${a.missing.join(', ')}`);
      const lc = (l: ReturnType<typeof loads>) => (l.ok ? `ok (${l.required} modules)` : `FAILED: ${l.error}`);
      console.log(`  require() check, NODE_ENV=production: as built ${lc(loadAsBuilt)}; needed files only ${lc(loadNeeded)}`);
    }

    console.log(`\nper app: what the target stage adds on top of ${base ?? 'its base image'} (size (files)); the base image is not included`);
    const head = ['app', 'total', 'tar.gz', 'node_modules', 'app dist', 'packages/*', 'web dist', 'needed only', 'needed tar.gz', 'not needed'];
    const table = rows.map(({ app, a, gz, neededGz }) => [
      app,
      cell(a.total),
      size(gz),
      cell(a.nodeModules),
      cell(a.appDist),
      cell(a.workspacePackages),
      cell(a.web),
      cell(a.needed),
      size(neededGz),
      `${size(a.total.bytes - a.needed.bytes)} (${Math.round((100 * (a.total.bytes - a.needed.bytes)) / Math.max(1, a.total.bytes))} %)`,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
    const fmt = (r: string[]) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
    console.log(fmt(head));
    for (const r of table) console.log(fmt(r));
    console.log(`  NOTE: ${BASE_NOTE}`);

    writeResults('image-size', {
      at: new Date().toISOString(),
      node: process.version,
      npm: npmVersion,
      cpus: cpus().length,
      dockerfile: DOCKERFILE,
      stages: file.stages.map((s) => s.name),
      baseImage: base,
      baseImageIncluded: false,
      baseImageNote: BASE_NOTE,
      context: { source: ctx.source, ...ctx.tally },
      seconds: +((Date.now() - started) / 1000).toFixed(1),
      apps: results,
    });
    const failed = rows.filter((r) => !r.loadAsBuilt.ok);
    if (failed.length) throw new Error(`the image as built does not load for ${failed.map((r) => r.app).join(', ')}`);
  } finally {
    cleanUp();
  }
}

runBench(main);
