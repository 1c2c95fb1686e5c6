#!/usr/bin/env node
// `npm run check:config -- <target>…`: checks a deployment's configuration against the apps' own
// config shapes (each app's `appConfigShape`, exported by apps/<app>/src/config.ts: the schema
// `main.ts` parses the environment with), before anything is deployed.
//
// A target is a kustomize overlay (a directory: rendered with `kubectl kustomize`), a manifest file
// (the render saved) or a docker-compose file. For every app's workload it assembles the
// container's environment the way Kubernetes (or Compose) would: the image's ENV (infra/Dockerfile),
// Kubernetes' service links, `envFrom` ConfigMaps and Secrets, `env` entries (`$(VAR)` expanded,
// `valueFrom` resolved; a `fieldRef` gets a realistic placeholder such as the pod's name). It then
// parses that environment with the app's shape (the runtime's loadConfig, as at start) and reports
// every variable set for the app that the app does not read (a typo such as SHUTDOWN_TIMEOUT would
// otherwise be ignored without a word). Secrets that the operator creates outside the render (those
// infra/k8s/README.md names in bold) are reported as supplied at deploy time: their contents are
// not known here and what they may carry is not required.
//
// Exit 0: every target valid (one summary line per app). Exit 1: a problem, each on one line:
// target, app, variable, value (never a Secret's) and what is wrong. Exit 2: wrong usage, or the
// apps are not built (`--build`, which the npm script passes, builds them first with turbo).
// `--json` prints the results as JSON.
// KUBECTL names the kubectl binary (default: kubectl on PATH).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { APPS } from './lib/apps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APP_NAMES = APPS.map((a) => a.name);
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];
/** Read by Node.js itself, not by the apps' config: set for a reason, not typos. */
const NODE_VARIABLES = new Set(['NODE_ENV', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'TZ', 'UV_THREADPOOL_SIZE']);

/** Wrong usage or nothing to check with: exit 2. */
export class UsageError extends Error {}

const display = (path) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

// ---- the schemas: each app's built config shape ---------------------------------------------

let schemasCache;
/** Each app's `appConfigShape` and the runtime's loadConfig, from the apps' builds (apps/<app>/dist). */
export function loadSchemas() {
  if (schemasCache) return schemasCache;
  const schemas = new Map();
  for (const app of APP_NAMES) {
    const file = join(root, 'apps', app, 'dist', 'config.js');
    if (!existsSync(file)) throw new UsageError(`${app} is not built (no ${display(file)}): run \`npx turbo run build\`, or use \`npm run check:config\`, which builds first`);
    const require = createRequire(file);
    let appConfigShape;
    try {
      ({ appConfigShape } = require(file));
    } catch (err) {
      throw new UsageError(`cannot load ${display(file)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!appConfigShape) throw new UsageError(`${display(file)} exports no appConfigShape: rebuild ${app} (\`npx turbo run build\`)`);
    const { loadConfig, ConfigError } = require('@parley/runtime');
    schemas.set(app, { shape: appConfigShape, variables: new Set(Object.keys(appConfigShape)), loadConfig, ConfigError });
  }
  schemasCache = schemas;
  return schemas;
}

// ---- small helpers ----------------------------------------------------------------------------

function levenshtein(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The variable a misspelt one most likely meant: the app's own first, then any app's. */
function didYouMean(name, own, all) {
  for (const candidates of [own, all]) {
    let best;
    let bestDistance = Infinity;
    for (const c of candidates) {
      if (c === name) return undefined;
      // A suffix left off or added (SHUTDOWN_TIMEOUT for SHUTDOWN_TIMEOUT_MS) counts as one edit.
      const d = c.startsWith(`${name}_`) || name.startsWith(`${c}_`) ? 1 : levenshtein(name, c);
      if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    if (best && bestDistance <= Math.max(2, Math.floor(name.length / 5))) return best;
  }
  return undefined;
}

/** Kubernetes' `$(VAR)` expansion of `env` values: `$$` is a literal `$`, unknown references stay. */
function expandKubernetes(value, lookup) {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== '$' || i === value.length - 1) {
      out += c;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = value.indexOf(')', i + 2);
      if (end === -1) {
        out += value.slice(i);
        break;
      }
      const name = value.slice(i + 2, end);
      const found = lookup(name);
      out += found === undefined ? `$(${name})` : found;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/** Shell-style interpolation (Compose files, Dockerfile ENV): $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:?msg}, $$. */
function interpolate(value, lookup, onMissing) {
  return value.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, _all, braced, op, arg, bare) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare;
    const v = lookup(name);
    const unsetOrEmpty = v === undefined || v === '';
    switch (op) {
      case ':-':
        return unsetOrEmpty ? arg : v;
      case '-':
        return v === undefined ? arg : v;
      case ':+':
        return unsetOrEmpty ? '' : arg;
      case '+':
        return v === undefined ? '' : arg;
      case ':?':
      case '?':
        if (op === ':?' ? unsetOrEmpty : v === undefined) onMissing?.(name, arg || 'required');
        return v ?? '';
      default:
        if (v === undefined) onMissing?.(name);
        return v ?? '';
    }
  });
}

/** KEY=VALUE lines (Compose's env_file and .env): comments, `export `, single or double quotes. */
function parseDotenv(text) {
  const out = new Map();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      out.set(line, undefined);
      continue;
    }
    let value = m[2];
    const q = value[0];
    if ((q === '"' || q === "'") && value.lastIndexOf(q) > 0) value = value.slice(1, value.lastIndexOf(q));
    else value = value.replace(/\s+#.*$/, '');
    out.set(m[1], value);
  }
  return out;
}

/** A Kubernetes quantity (`500m`, `512Mi`, `1e3`) as a number. */
function quantity(q) {
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(String(q));
  if (!m) return NaN;
  const factor = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }[m[2]] ?? 1;
  return Number(m[1]) * factor;
}

// ---- the image's environment (a stage of infra/Dockerfile) --------------------------------------

/** The build target of an app's image: the gateway's carries the web client, the others are workers. */
export const imageTarget = (app) => (app === 'gateway' ? 'gateway' : 'worker');

/**
 * The ENV of a Dockerfile stage (`target`, or the last stage), with its build arguments
 * substituted; a stage `FROM <earlier stage>` starts with that stage's.
 */
export function imageEnvironment(dockerfile, buildArgs, target) {
  const lines = readFileSync(dockerfile, 'utf8').replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const stages = [];
  lines.forEach((l, i) => {
    const m = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (m) stages.push({ from: m[1], name: m[2], start: i });
  });
  const index = target === undefined ? stages.length - 1 : stages.findIndex((st) => st.name === target);
  if (index < 0) throw new Error(`${dockerfile}: no stage named ${target}`);
  return stageEnvironment(lines, stages, index, buildArgs);
}

function stageEnvironment(lines, stages, index, buildArgs) {
  const stage = stages[index];
  const parent = stages.findIndex((st, i) => i < index && st.name === stage.from);
  const stageStart = stage.start;
  const stageEnd = index + 1 < stages.length ? stages[index + 1].start : lines.length;
  const args = new Map();
  const env = parent >= 0 ? stageEnvironment(lines, stages, parent, buildArgs) : new Map();
  const lookup = (name) => env.get(name) ?? args.get(name);
  for (const line of lines.slice(stageStart + 1, stageEnd)) {
    const m = /^\s*(ARG|ENV)\s+(.*)$/i.exec(line);
    if (!m) continue;
    const body = m[2].trim();
    if (m[1].toUpperCase() === 'ARG') {
      const [name, ...rest] = body.split('=');
      const fallback = rest.length ? rest.join('=') : undefined;
      const value = buildArgs[name] ?? (fallback === undefined ? undefined : interpolate(fallback, lookup));
      if (value !== undefined) args.set(name, String(value));
      continue;
    }
    if (!/^[^\s=]+=/.test(body)) {
      // ENV key value (the legacy form: its first word holds no `=`)
      const [, key, value] = /^(\S+)\s+(.*)$/.exec(body) ?? [];
      if (key) env.set(key, interpolate(value, lookup));
      continue;
    }
    for (const pair of body.match(/[^\s=]+=(?:"(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g) ?? []) {
      const eq = pair.indexOf('=');
      let value = pair.slice(eq + 1);
      if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
      env.set(pair.slice(0, eq), interpolate(value, lookup));
    }
  }
  return env;
}

// ---- checking one environment against one app's shape --------------------------------------------

/**
 * @typedef {{ kind: string, name?: string, shared?: string, secret?: boolean }} Source
 * @typedef {{ value: string | undefined, source: Source, operatorSet: boolean }} EnvEntry
 */

const describeSource = (s) => (s.name ? `${s.kind} ${s.name}` : s.kind);

/**
 * Validates one container's environment with its app's shape.
 * @param {object} ctx target, app, workload, env (Map of EnvEntry), deployTime (Sources whose contents
 *   are unknown), sharedReaders (source key -> apps that take the whole source), referenced (names
 *   used in a `$(VAR)`), problems, notes
 */
function validate({ target, app, workload, env, deployTime, sharedReaders, referenced = new Set(), problems, notes }) {
  const schemas = loadSchemas();
  const { shape, variables, loadConfig, ConfigError } = schemas.get(app);
  const allVariables = new Set([...schemas.values()].flatMap((s) => [...s.variables]));
  const report = (variable, message) => {
    const entry = variable && env.get(variable);
    problems.push({
      target,
      app,
      workload,
      variable,
      // A Secret's value is never printed.
      value: entry && !entry.source.secret ? entry.value : undefined,
      hidden: entry?.source.secret === true && entry.value !== undefined,
      source: entry ? describeSource(entry.source) : undefined,
      message,
    });
  };

  const source = {};
  for (const [name, entry] of env) if (entry.value !== undefined) source[name] = entry.value;
  try {
    loadConfig(app, shape, source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const { variable, message } of err.problems) {
      const given = source[variable];
      // loadConfig appends the value; it is reported on its own (and never a Secret's).
      let problem = given !== undefined && message.endsWith(` (got ${JSON.stringify(given)})`) ? message.slice(0, -` (got ${JSON.stringify(given)})`.length) : message;
      if (given && env.get(variable)?.source.secret) problem = problem.split(given).join('<not shown>');
      // Missing, and a Secret created at deploy time may carry it (any key, or this one): not required here.
      const from = deployTime.filter((s) => !s.only || s.only.has(variable));
      if ((given === undefined || given === '') && from.length) {
        notes.push(`${variable}: ${problem} here; expected from ${from.map(describeSource).join(' or ')}, supplied at deploy time`);
        continue;
      }
      const entry = env.get(variable);
      const hints = [];
      // Kubernetes sets <SERVICE>_PORT=tcp://… and more in every pod, for each Service of the namespace.
      if (entry?.source.kind === 'service link') hints.push(`Kubernetes gives every pod of the namespace this variable for the Service ${entry.source.name.replace(/^of Service /, '')}: set ${variable} in the container's env, or enableServiceLinks: false`);
      for (const [, ref] of (entry?.source.kind === 'env' ? given : '').matchAll(/\$\(([^)]*)\)/g)) hints.push(`$(${ref}) is not defined above it, so Kubernetes leaves it as it is`);
      report(variable, [problem, ...hints].join('; '));
    }
  }

  const forOthers = new Map(); // shared source -> variables there for the other apps taking it
  for (const [name, entry] of env) {
    if (!entry.operatorSet || variables.has(name)) continue;
    if (NODE_VARIABLES.has(name)) {
      notes.push(`${name}: for Node.js itself`);
      continue;
    }
    if (referenced.has(name)) {
      notes.push(`${name}: used in another variable's $(${name}), not read by ${app}`);
      continue;
    }
    const readers = APP_NAMES.filter((a) => a !== app && schemas.get(a).variables.has(name));
    const sharers = entry.source.shared ? (sharedReaders.get(entry.source.shared) ?? []).filter((a) => a !== app) : [];
    const sharedWithReader = sharers.filter((a) => readers.includes(a));
    if (sharedWithReader.length) {
      const key = describeSource(entry.source);
      forOthers.set(key, [...(forOthers.get(key) ?? []), name]);
      continue;
    }
    const guess = didYouMean(name, variables, allVariables);
    const who = readers.length ? `only ${readers.join(', ')} read${readers.length === 1 ? 's' : ''} it` : 'no Parley app reads it';
    report(name, `${app} does not read this variable (${who})${guess ? `: did you mean ${guess}?` : ''}`);
  }
  for (const [key, names] of forOthers) notes.push(`${names.join(', ')} from ${key}: for the other apps that take it, not read here`);
}

// ---- Kubernetes --------------------------------------------------------------------------------

/** Secrets (and other objects) infra/k8s/README.md tells the operator about: `**\`name\`**`. */
function operatorObjects() {
  const readme = join(root, 'infra', 'k8s', 'README.md');
  if (!existsSync(readme)) return new Set();
  return new Set([...readFileSync(readme, 'utf8').matchAll(/\*\*`([a-z0-9][a-z0-9.-]*)`\*\*/g)].map((m) => m[1]));
}
/** kustomize appends a content hash to generated names. */
const unhashed = (name) => name.replace(/-[a-z0-9]{10}$/, '');

function appOfWorkload(w) {
  const label = w.spec?.template?.metadata?.labels?.['app.kubernetes.io/name'] ?? w.metadata?.labels?.['app.kubernetes.io/name'];
  if (APP_NAMES.includes(label)) return label;
  if (APP_NAMES.includes(w.metadata?.name)) return w.metadata.name;
  for (const c of w.spec?.template?.spec?.containers ?? []) {
    const m = /(?:^|\/)parley\/([a-z-]+)(?:[:@]|$)/.exec(c.image ?? '');
    if (m && APP_NAMES.includes(m[1])) return m[1];
  }
  return undefined;
}

function appContainer(w, app) {
  const containers = w.spec?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === app) ?? containers.find((c) => new RegExp(`(?:^|/)parley/${app}(?:[:@]|$)`).test(c.image ?? '')) ?? (containers.length === 1 ? containers[0] : undefined);
}

/** A pod of this workload's name, as Kubernetes would generate it. */
function podName(w) {
  if (w.kind === 'StatefulSet') return `${w.metadata.name}-0`;
  const owner = w.kind === 'Deployment' ? `${w.metadata.name}-7c9d8b6f5d` : w.metadata.name;
  return `${`${owner}-`.slice(0, 58)}x4k2p`;
}

/** Kubernetes' service links: the variables every pod gets for each Service of its namespace. */
function serviceLinks(resources, namespace, enabled) {
  const env = new Map();
  const services = [
    { metadata: { name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } },
    ...(enabled ? resources.filter((r) => r.kind === 'Service' && (r.metadata?.namespace ?? 'default') === namespace) : []),
  ];
  services.forEach((svc, i) => {
    const ip = svc.spec?.clusterIP ?? `10.96.${Math.floor((i + 10) / 250)}.${((i + 10) % 250) + 2}`;
    if (ip === 'None' || svc.spec?.type === 'ExternalName' || !svc.spec?.ports?.length) return;
    const prefix = svc.metadata.name.toUpperCase().replace(/-/g, '_');
    const source = { kind: 'service link', name: `of Service ${svc.metadata.name}` };
    const set = (k, v) => env.set(k, { value: String(v), source, operatorSet: false });
    const [first] = svc.spec.ports;
    set(`${prefix}_SERVICE_HOST`, ip);
    set(`${prefix}_SERVICE_PORT`, first.port);
    for (const p of svc.spec.ports) if (p.name) set(`${prefix}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, p.port);
    set(`${prefix}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`);
    for (const p of svc.spec.ports) {
      const proto = (p.protocol ?? 'TCP').toUpperCase();
      const base = `${prefix}_PORT_${p.port}_${proto}`;
      set(base, `${proto.toLowerCase()}://${ip}:${p.port}`);
      set(`${base}_PROTO`, proto.toLowerCase());
      set(`${base}_PORT`, p.port);
      set(`${base}_ADDR`, ip);
    }
  });
  return env;
}

/** What a Secret or ConfigMap holds, decoded; undefined when the render does not hold it. */
function objectData(resources, kind, name, namespace) {
  const obj = resources.find((r) => r.kind === kind && r.metadata?.name === name && (r.metadata?.namespace ?? 'default') === namespace);
  if (!obj) return undefined;
  const data = new Map();
  for (const [k, v] of Object.entries(obj.data ?? {})) data.set(k, kind === 'Secret' ? Buffer.from(String(v), 'base64').toString('utf8') : String(v));
  for (const [k, v] of Object.entries(obj.stringData ?? {})) data.set(k, String(v));
  if (kind === 'ConfigMap') for (const k of Object.keys(obj.binaryData ?? {})) data.set(k, undefined);
  return data;
}

/** Checks the Kubernetes objects of one render. */
export function checkManifests(target, resources) {
  const problems = [];
  const apps = [];
  const operator = operatorObjects();
  const workloads = resources.filter((r) => WORKLOAD_KINDS.includes(r.kind) && appOfWorkload(r)).sort((a, b) => APP_NAMES.indexOf(appOfWorkload(a)) - APP_NAMES.indexOf(appOfWorkload(b)));

  // Which apps take each ConfigMap/Secret whole (envFrom): a variable there may be for another of them.
  const sharedReaders = new Map();
  for (const w of workloads) {
    const app = appOfWorkload(w);
    for (const from of appContainer(w, app)?.envFrom ?? []) {
      const ref = from.configMapRef ?? from.secretRef;
      const key = `${from.configMapRef ? 'ConfigMap' : 'Secret'} ${ref?.name}`;
      sharedReaders.set(key, [...new Set([...(sharedReaders.get(key) ?? []), app])]);
    }
  }

  for (const app of APP_NAMES) if (!workloads.some((w) => appOfWorkload(w) === app)) problems.push({ target, app, message: `no Deployment runs ${app} (Parley runs all five apps)` });

  for (const w of workloads) {
    const app = appOfWorkload(w);
    const workload = `${w.kind} ${w.metadata.name}`;
    const namespace = w.metadata?.namespace ?? 'default';
    const podSpec = w.spec?.template?.spec ?? {};
    const container = appContainer(w, app);
    const notes = [];
    const deployTime = [];
    const before = problems.length;
    const fail = (message, variable) => problems.push({ target, app, workload, variable, message });
    if (!container) {
      fail(`no container of ${workload} runs parley/${app}`);
      apps.push({ app, workload, valid: false, variables: [], notes, deployTime: [] });
      continue;
    }

    // The image's ENV, then the service links, then envFrom in order, then env in order.
    const env = new Map();
    const httpPort = (container.ports ?? []).find((p) => p.name === 'http') ?? (container.ports ?? [])[0];
    for (const [k, v] of imageEnvironment(join(root, 'infra', 'Dockerfile'), { APP: app, ...(httpPort ? { PORT: String(httpPort.containerPort) } : {}) }, imageTarget(app))) {
      env.set(k, { value: v, source: { kind: 'image', name: `parley/${app} (infra/Dockerfile)` }, operatorSet: false });
    }
    for (const [k, v] of serviceLinks(resources, namespace, podSpec.enableServiceLinks !== false)) env.set(k, v);

    /**
     * A ConfigMap's or Secret's data; undefined when the render does not hold it (a problem unless it
     * is optional or a Secret the operator creates: then it is supplied at deploy time, with any key
     * for envFrom, or with `variable` only for a secretKeyRef).
     */
    const dataOf = (kind, ref, optional, variable) => {
      const data = objectData(resources, kind, ref, namespace);
      if (data) return data;
      if (kind === 'Secret' && operator.has(unhashed(ref))) {
        const known = deployTime.find((s) => s.name === ref);
        if (!known) deployTime.push({ kind, name: ref, secret: true, ...(variable ? { only: new Set([variable]) } : {}) });
        else if (!variable) delete known.only;
        else known.only?.add(variable);
        return undefined;
      }
      if (!optional) fail(`${kind} ${ref} is neither in the render nor one the operator creates (infra/k8s/README.md): the pod would not start`);
      return undefined;
    };

    for (const from of container.envFrom ?? []) {
      const kind = from.configMapRef ? 'ConfigMap' : from.secretRef ? 'Secret' : undefined;
      const ref = (from.configMapRef ?? from.secretRef)?.name;
      if (!kind || !ref) {
        fail('an envFrom entry names no ConfigMap or Secret');
        continue;
      }
      const data = dataOf(kind, ref, (from.configMapRef ?? from.secretRef).optional === true);
      for (const [k, v] of data ?? []) {
        env.set(`${from.prefix ?? ''}${k}`, { value: v, source: { kind, name: ref, shared: `${kind} ${ref}`, secret: kind === 'Secret' }, operatorSet: true });
      }
    }

    const referenced = new Set(); // variables used in another's $(VAR): helpers, not typos
    const lookup = (name) => {
      const value = env.get(name)?.value;
      if (value !== undefined) referenced.add(name);
      return value;
    };
    for (const e of container.env ?? []) {
      const vf = e.valueFrom;
      if (!vf) {
        env.set(e.name, { value: expandKubernetes(String(e.value ?? ''), lookup), source: { kind: 'env' }, operatorSet: true });
        continue;
      }
      if (vf.fieldRef) {
        const path = vf.fieldRef.fieldPath;
        const meta = w.spec?.template?.metadata ?? {};
        const fields = {
          'metadata.name': podName(w),
          'metadata.namespace': namespace,
          'metadata.uid': '3f0c1a2e-8b4d-4c6e-9a7f-2d5e8c1b0a94',
          'spec.nodeName': 'node-1',
          'spec.serviceAccountName': podSpec.serviceAccountName ?? 'default',
          'status.hostIP': '10.0.0.11',
          'status.hostIPs': '10.0.0.11',
          'status.podIP': '10.244.1.17',
          'status.podIPs': '10.244.1.17',
        };
        const keyed = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
        const value = keyed ? String(meta[keyed[1]]?.[keyed[2]] ?? '') : fields[path];
        if (value === undefined) fail(`fieldRef ${path} is not a field Kubernetes can give a container`, e.name);
        else env.set(e.name, { value, source: { kind: 'fieldRef', name: `${path} (placeholder)` }, operatorSet: true });
      } else if (vf.resourceFieldRef) {
        const { resource, divisor = '1', containerName } = vf.resourceFieldRef;
        const c = containerName ? podSpec.containers?.find((x) => x.name === containerName) : container;
        const [section, what] = String(resource).split('.');
        const given = c?.resources?.[section]?.[what] ?? (section === 'requests' ? c?.resources?.limits?.[what] : undefined);
        const node = { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' }[what];
        const amount = quantity(given ?? (section === 'limits' ? node : '0'));
        if (Number.isNaN(amount) || !node) fail(`resourceFieldRef ${resource} is not a resource Kubernetes can give a container`, e.name);
        else env.set(e.name, { value: String(Math.ceil(amount / quantity(divisor))), source: { kind: 'resourceFieldRef', name: resource }, operatorSet: true });
      } else if (vf.configMapKeyRef || vf.secretKeyRef) {
        const kind = vf.configMapKeyRef ? 'ConfigMap' : 'Secret';
        const { name, key, optional } = vf.configMapKeyRef ?? vf.secretKeyRef;
        const data = dataOf(kind, name, optional === true, e.name);
        if (data?.has(key)) env.set(e.name, { value: data.get(key), source: { kind, name: `${name} key ${key}`, secret: kind === 'Secret' }, operatorSet: true });
        else if (data && optional !== true) fail(`${kind} ${name} has no key ${key}: the pod would not start`, e.name);
        else if (!data && deployTime.some((s) => s.name === name)) {
          env.delete(e.name);
          notes.push(`${e.name}: from ${kind} ${name} key ${key}, supplied at deploy time`);
        }
      } else {
        fail('valueFrom names no source', e.name);
      }
    }

    validate({ target, app, workload, env, deployTime, sharedReaders, referenced, problems, notes });
    apps.push({
      app,
      workload,
      valid: problems.length === before,
      variables: [...env].filter(([, e]) => e.operatorSet).map(([name, e]) => ({ name, source: describeSource(e.source), read: loadSchemas().get(app).variables.has(name) })),
      deployTime: deployTime.map(describeSource),
      notes,
    });
  }
  return { target, kind: 'kubernetes', valid: problems.length === 0, apps, problems };
}

/** Renders a kustomize overlay (directory) with kubectl and checks it. */
export function checkOverlay(dir) {
  const target = display(dir);
  const kubectl = process.env.KUBECTL ?? 'kubectl';
  const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new UsageError(`cannot run ${kubectl} (${r.error.message}): install kubectl or set KUBECTL to it`);
  if (r.status !== 0) {
    const message = (r.stderr || r.stdout)
      .split('\n')
      .filter((l) => l && !l.startsWith('# Warning'))
      .map((l) => l.replace(/^[EWI]\d{4} [\d:.]+\s+\d+ \S+\] /, '')) // klog's prefix
      .join(' ')
      .trim();
    return { target, kind: 'kubernetes', valid: false, apps: [], problems: [{ target, message: `kubectl kustomize failed: ${message}` }] };
  }
  return checkManifests(target, parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean));
}

// ---- docker-compose ---------------------------------------------------------------------------------

/** A mapping with YAML merge keys (`<<`) resolved, and which of its keys came from a merge. */
function merged(node) {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return { value: node, inherited: new Set() };
  const value = {};
  const inherited = new Set();
  const bases = node['<<'] === undefined ? [] : Array.isArray(node['<<']) ? node['<<'] : [node['<<']];
  for (const base of bases.reverse()) {
    for (const [k, v] of Object.entries(merged(base).value)) {
      value[k] = v;
      inherited.add(k);
    }
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === '<<') continue;
    value[k] = v;
    inherited.delete(k);
  }
  return { value, inherited };
}

/** Checks the app services of a docker-compose file. */
export function checkCompose(file) {
  const target = display(file);
  const problems = [];
  const apps = [];
  const doc = parse(readFileSync(file, 'utf8'), { merge: false });
  const projectDir = dirname(file);
  const dotenv = existsSync(join(projectDir, '.env')) ? parseDotenv(readFileSync(join(projectDir, '.env'), 'utf8')) : new Map();
  const shell = (name) => process.env[name] ?? dotenv.get(name);
  const services = Object.entries(doc?.services ?? {}).map(([name, raw]) => [name, merged(raw).value]);

  const argsOf = (build) => {
    const args = build?.args;
    if (Array.isArray(args)) return Object.fromEntries(args.map((a) => String(a).split(/=(.*)/s).slice(0, 2)));
    return Object.fromEntries(Object.entries(args ?? {}).map(([k, v]) => [k, String(v ?? '')]));
  };
  const appOfService = (name, svc) => {
    const arg = argsOf(svc.build).APP;
    if (APP_NAMES.includes(arg)) return arg;
    if (APP_NAMES.includes(name)) return name;
    const m = /(?:^|\/)parley\/([a-z-]+)(?:[:@]|$)/.exec(svc.image ?? '');
    return m && APP_NAMES.includes(m[1]) ? m[1] : undefined;
  };
  const appServices = services.filter(([name, svc]) => appOfService(name, svc));
  for (const app of APP_NAMES) if (!appServices.some(([name, svc]) => appOfService(name, svc) === app)) problems.push({ target, app, message: `no service runs ${app} (Parley runs all five apps)` });

  // Variables every app service inherits from one anchor (`<<: *app-env`) are shared, like a ConfigMap.
  const sharedReaders = new Map([['the shared environment (<<)', appServices.map(([name, svc]) => appOfService(name, svc))]]);

  for (const [name, svc] of appServices) {
    const app = appOfService(name, svc);
    const workload = `service ${name}`;
    const notes = [];
    const before = problems.length;
    const env = new Map();
    const missing = (variable, why) => notes.push(`\${${variable}} is not set in this shell or ${display(join(projectDir, '.env'))}${why ? ` (${why})` : ''}: interpolated as empty`);

    if (svc.build) {
      const context = resolve(projectDir, typeof svc.build === 'string' ? svc.build : (svc.build.context ?? '.'));
      const dockerfile = resolve(context, svc.build.dockerfile ?? 'Dockerfile');
      if (existsSync(dockerfile)) {
        for (const [k, v] of imageEnvironment(dockerfile, argsOf(svc.build), typeof svc.build === 'object' ? svc.build.target : undefined)) env.set(k, { value: v, source: { kind: 'image', name: display(dockerfile) }, operatorSet: false });
      } else {
        notes.push(`${display(dockerfile)} not found: the image's own ENV is not checked`);
      }
    } else if (svc.image) {
      notes.push(`image ${svc.image}: its own ENV is not checked`);
    }

    for (const entry of svc.env_file === undefined ? [] : [svc.env_file].flat()) {
      const path = resolve(projectDir, typeof entry === 'string' ? entry : entry.path);
      if (!existsSync(path)) {
        if (typeof entry === 'object' && entry.required === false) continue;
        problems.push({ target, app, workload, message: `env_file ${display(path)} does not exist: compose would refuse to start the service` });
        continue;
      }
      for (const [k, v] of parseDotenv(readFileSync(path, 'utf8'))) {
        env.set(k, { value: v === undefined ? shell(k) : interpolate(v, shell, missing), source: { kind: 'env_file', name: display(path) }, operatorSet: true });
      }
    }

    const { value: environment, inherited } = Array.isArray(svc.environment)
      ? { value: Object.fromEntries(svc.environment.map((l) => (String(l).includes('=') ? String(l).split(/=(.*)/s).slice(0, 2) : [String(l), null]))), inherited: new Set() }
      : merged(svc.environment ?? {});
    for (const [k, v] of Object.entries(environment)) {
      const source = inherited.has(k) ? { kind: 'environment', name: '(shared through <<)', shared: 'the shared environment (<<)' } : { kind: 'environment' };
      if (v === null || v === undefined) {
        // `KEY` alone: the shell's value, or not set at all.
        if (shell(k) === undefined) env.delete(k);
        else env.set(k, { value: shell(k), source: { kind: 'environment', name: '(from the shell)' }, operatorSet: true });
        continue;
      }
      if (typeof v === 'boolean') problems.push({ target, app, workload, variable: k, value: String(v), source: 'environment', message: 'compose refuses a boolean here: quote it ("true")' });
      env.set(k, { value: interpolate(String(v), shell, missing), source, operatorSet: true });
    }

    validate({ target, app, workload, env, deployTime: [], sharedReaders, problems, notes });
    apps.push({
      app,
      workload,
      valid: problems.length === before,
      variables: [...env].filter(([, e]) => e.operatorSet).map(([variable, e]) => ({ name: variable, source: describeSource(e.source), read: loadSchemas().get(app).variables.has(variable) })),
      deployTime: [],
      notes,
    });
  }
  return { target, kind: 'compose', valid: problems.length === 0, apps, problems };
}

// ---- targets and the command ----------------------------------------------------------------------

/** Checks one target: a kustomize directory, a kustomization file, a rendered manifest or a compose file. */
export function checkTarget(path) {
  if (!existsSync(path)) throw new UsageError(`${display(path)}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    if (!['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(join(path, f)))) throw new UsageError(`${display(path)}: no kustomization.yaml here (expected a kustomize overlay)`);
    return checkOverlay(path);
  }
  if (/^kustomization\.ya?ml$|^Kustomization$/.test(path.split('/').pop())) return checkOverlay(dirname(path));
  const text = readFileSync(path, 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: -1 })).filter(Boolean);
  if (docs.length === 1 && docs[0].services && !docs[0].kind) return checkCompose(path);
  const resources = docs.flatMap((d) => (d.kind === 'List' ? (d.items ?? []) : [d]));
  if (resources.some((r) => r.kind)) return checkManifests(display(path), resources);
  throw new UsageError(`${display(path)}: neither a kustomize overlay, Kubernetes manifests nor a docker-compose file`);
}

function summary(result) {
  const lines = [];
  const width = Math.max(...APP_NAMES.map((a) => a.length));
  for (const a of result.apps) {
    const read = a.variables.filter((v) => v.read).map((v) => v.name);
    const ok = a.valid ? 'ok ' : 'BAD';
    const extra = [...a.deployTime.map((s) => `${s} supplied at deploy time`), ...a.notes];
    lines.push(`  ${ok} ${a.app.padEnd(width)}  ${a.workload}: ${read.length} variable${read.length === 1 ? '' : 's'} set (${read.join(', ') || 'none'})${extra.length ? `; ${extra.join('; ')}` : ''}`);
  }
  return lines;
}

/** Builds the five apps (and the packages they use) with turbo: what the schemas are loaded from. */
function build() {
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  const r = spawnSync(turbo, ['run', 'build', ...APP_NAMES.map((a) => `--filter=@parley/${a}`), '--output-logs=errors-only'], { cwd: root, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new UsageError(`the apps do not build (turbo run build):\n${r.error?.message ?? `${r.stdout}${r.stderr}`}`);
}

function main(argv) {
  const json = argv.includes('--json');
  if (argv.includes('--build')) build();
  const targets = argv.filter((a) => a !== '--json' && a !== '--build');
  if (!targets.length || targets.includes('--help') || targets.includes('-h')) {
    throw new UsageError(
      'usage: npm run check:config -- <kustomize overlay dir | manifests.yaml | docker-compose.yml>… [--json]\n' +
        '  e.g. npm run check:config -- infra/k8s/overlays/production\n' +
        '  (node scripts/check-config.mjs [--build] … runs it without npm; --build builds the apps first, as npm run does)',
    );
  }
  // `npm run` runs the script from the root: paths are then the caller's (INIT_CWD).
  const cwd = process.env.npm_lifecycle_event === 'check:config' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  const results = targets.map((t) => checkTarget(resolve(cwd, t)));
  if (json) {
    console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
  } else {
    for (const r of results) {
      const what = r.kind === 'compose' ? 'docker-compose' : 'Kubernetes';
      if (r.valid) {
        console.log(`${r.target}: ${what} configuration valid for ${r.apps.length} app workload${r.apps.length === 1 ? '' : 's'}, against each app's config shape`);
        for (const l of summary(r)) console.log(l);
        continue;
      }
      console.error(`${r.target}: ${what} configuration INVALID (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})`);
      for (const p of r.problems) {
        const where = [p.target, p.app, p.workload && p.workload !== `Deployment ${p.app}` && p.workload !== `service ${p.app}` ? p.workload : undefined].filter(Boolean).join(': ');
        const value = p.hidden ? '=<not shown>' : p.value !== undefined ? `=${JSON.stringify(p.value)}` : ' (unset)';
        const what = p.variable ? `${p.variable}${value}${p.source ? ` (from ${p.source})` : ''}: ` : '';
        console.error(`  ${where}: ${what}${p.message}`);
      }
      for (const l of summary(r)) console.error(l);
    }
  }
  return results.every((r) => r.valid) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`check:config: ${err.message}`);
    process.exitCode = 2;
  }
}
