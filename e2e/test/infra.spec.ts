import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { inboxConfigShape } from '@parley/inbox';
import { baseConfigShape } from '@parley/runtime';
import { APPS } from './apps';

// No Docker engine here: these tests read what a container platform would read and check it
// against the code (apps that exist, variables the apps parse, ports they serve).
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The variables the README's table documents, with the apps column. */
function documentedVariables(): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of read('README.md').split('\n')) {
    const m = /^\| `([A-Z0-9_]+)` \| ([^|]+) \|/.exec(line);
    if (m) vars.set(m[1]!, m[2]!.trim());
  }
  return vars;
}

const INBOX_WORKERS: readonly string[] = ['connection-manager', 'irc-parser', 'loopback-parser'];

/** The README's table documents this variable for this app (its apps column names it, or a group it is in). */
function expectDocumentedFor(variable: string, app: string): void {
  const apps = documentedVariables().get(variable);
  expect({ variable, documented: apps !== undefined }).toEqual({ variable, documented: true });
  const forApp = apps === 'all' || apps!.split(/,\s*/).includes(app) || (apps === 'workers' && app !== 'gateway') || (apps === 'inbox workers' && INBOX_WORKERS.includes(app));
  expect({ variable, app, forApp }).toEqual({ variable, app, forApp: true });
}

interface ComposeService {
  image?: string;
  command?: string[];
  volumes?: string[];
  build?: { dockerfile: string; target?: string; args: { APP: string; PORT: string } };
  environment?: Record<string, string>;
  healthcheck?: unknown;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

  it('runs Redis and the five apps', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['redis', ...APPS].sort());
  });

  it('runs Redis with AOF and noeviction', () => {
    const redis = compose.services.redis!;
    expect(redis.volumes).toContain('./infra/redis.conf:/usr/local/etc/redis/redis.conf:ro');
    expect(redis.command).toEqual(['redis-server', '/usr/local/etc/redis/redis.conf']);
    const conf = read('infra/redis.conf');
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(redis.healthcheck).toBeDefined();
  });

  it.each(APPS)('builds %s from the shared Dockerfile with its own app and port', (name) => {
    const service = compose.services[name]!;
    expect(service.build?.dockerfile).toBe('infra/Dockerfile');
    expect(service.build?.args.APP).toBe(name);
    expect(existsSync(join(root, 'apps', name, 'src', 'main.ts'))).toBe(true);
    const portVar = name === 'gateway' ? 'GATEWAY_PORT' : 'HEALTH_PORT';
    expect(service.environment?.[portVar]).toBe(service.build?.args.PORT);
    expect(service.environment?.REDIS_URL).toBe('redis://redis:6379');
  });

  it('sets only variables the README documents for that app', () => {
    for (const name of APPS) for (const variable of Object.keys(compose.services[name]!.environment ?? {})) expectDocumentedFor(variable, name);
  });
});

describe('README', () => {
  it('documents every variable the shared config, the courier and the gateway parse', () => {
    const documented = documentedVariables();
    // The gateway's shape is read from its source (e2e code does not import apps).
    const gatewayVariables = [...read('apps/gateway/src/config.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    expect(gatewayVariables).toContain('SESSION_MAX_PER_USER');
    for (const variable of [...Object.keys(baseConfigShape), ...Object.keys(inboxConfigShape), ...gatewayVariables]) {
      expect(documented.has(variable) ? variable : `undocumented ${variable}`).toBe(variable);
    }
  });

  it('names the two commands on its first screen', () => {
    const firstScreen = read('README.md').split('\n').slice(0, 30).join('\n');
    expect(firstScreen).toContain('npm install && npm start');
    expect(firstScreen).toContain('npm test');
  });
});

describe('infra/Dockerfile', () => {
  const dockerfile = read('infra/Dockerfile');
  it('is multi-stage, parametrised by APP, runs as a non-root user, with a health check', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG APP$/m);
    const users = [...dockerfile.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toBe('root');
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \[.*exec node apps\/\$APP\/dist\/main\.js/m);
  });

  it('puts the web client build where the gateway serves it from (WEB_DIR), in the gateway image only', () => {
    expect(dockerfile).toMatch(/turbo run build --filter=@parley\/web/);
    // Stages by name: the gateway's is the workers' plus the web client.
    const stages = new Map(dockerfile.split(/^(?=FROM )/m).filter((st) => st.startsWith('FROM ')).map((st) => [/^FROM \S+ AS (\S+)$/m.exec(st)?.[1], st]));
    const gateway = stages.get('gateway')!;
    const worker = stages.get('worker')!;
    expect(gateway).toMatch(/^FROM worker AS gateway$/m);
    const copied = /^COPY --from=web \S+ \/repo\/apps\/web\/dist (\S+)$/m.exec(gateway);
    expect(copied?.[1]).toBe('./apps/web/dist');
    expect(worker).not.toMatch(/--from=web/);
    // WORKDIR /app + ./apps/web/dist is the WEB_DIR the gateway image sets.
    expect(worker).toMatch(/^WORKDIR \/app$/m);
    expect(gateway).toMatch(/^ENV .*\bWEB_DIR=\/app\/apps\/web\/dist\b/m);
  });

  it('drops the workspaces an app reaches only through devDependencies before the production prune', () => {
    expect(dockerfile).toMatch(/node infra\/drop-dev-workspaces\.mjs "\$\{APP\}" \\\n && npm prune --omit=dev/);
    // A pruned monorepo of its own: app x needs a (which needs b) and only tests with t.
    const repo = mkdtempSync(join(tmpdir(), 'parley-drop-dev-'));
    try {
      const workspace = (dir: string, name: string, deps: Record<string, string> = {}, devDeps: Record<string, string> = {}) => {
        for (const d of [join(repo, dir), join(repo, 'node_modules', '@parley', name)]) mkdirSync(d, { recursive: true });
        writeFileSync(join(repo, dir, 'package.json'), JSON.stringify({ name: `@parley/${name}`, dependencies: deps, devDependencies: devDeps }));
      };
      workspace('apps/x', 'x', { '@parley/a': '0.1.0', zod: '^4' }, { '@parley/t': '0.1.0' });
      workspace('packages/a', 'a', { '@parley/b': '0.1.0' });
      workspace('packages/b', 'b');
      workspace('packages/t', 't', { '@parley/b': '0.1.0' });
      const out = execFileSync(process.execPath, [join(root, 'infra', 'drop-dev-workspaces.mjs'), 'x'], { cwd: repo, encoding: 'utf8' });
      expect(out).toContain('dropped @parley/t');
      for (const kept of ['apps/x', 'packages/a', 'packages/b', 'node_modules/@parley/a']) expect({ kept, there: existsSync(join(repo, kept)) }).toEqual({ kept, there: true });
      for (const gone of ['packages/t', 'node_modules/@parley/t']) expect({ gone, there: existsSync(join(repo, gone)) }).toEqual({ gone, there: false });
      // An app that is not there is an error, not an image without it.
      expect(spawnSync(process.execPath, [join(root, 'infra', 'drop-dev-workspaces.mjs'), 'nope'], { cwd: repo, encoding: 'utf8' }).status).not.toBe(0);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('is built for the gateway with --target gateway and for every other app with --target worker (docker-compose.yml)', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
    for (const app of APPS) expect({ app, target: compose.services[app]!.build!.target }).toEqual({ app, target: app === 'gateway' ? 'gateway' : 'worker' });
  });
});

// ---- Kubernetes: the kustomize overlays rendered as kubectl would apply them ----------------------

interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean };
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
}
interface Resource {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown> & {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    strategy?: { rollingUpdate?: { maxSurge: number; maxUnavailable: number } };
    minReadySeconds?: number;
    template?: { metadata: { labels: Record<string, string> }; spec: { terminationGracePeriodSeconds: number; securityContext: { runAsNonRoot: boolean }; containers: Container[] } };
  };
  data?: Record<string, string>;
}

const KUBECTL = process.env.KUBECTL ?? 'kubectl';

function render(overlay: string): Resource[] {
  const out = execFileSync(KUBECTL, ['kustomize', join(root, 'infra', 'k8s', 'overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out).map((d) => d.toJS() as Resource);
}

describe.each(['dev', 'production'])('infra/k8s overlay %s', (overlay) => {
  const resources = render(overlay);
  const of = (kind: string, name: string) => resources.find((r) => r.kind === kind && r.metadata.name === name);
  const deployment = (app: string) => {
    const d = of('Deployment', app);
    if (!d) throw new Error(`no Deployment ${app}`);
    return d;
  };
  const container = (app: string) => deployment(app).spec!.template!.spec.containers[0]!;
  /** What a container's environment is, after its ConfigMaps and Secrets (those the render holds). */
  const environment = (app: string): Map<string, string | undefined> => {
    const c = container(app);
    const env = new Map<string, string | undefined>();
    for (const from of c.envFrom ?? []) {
      const ref = from.configMapRef?.name ?? from.secretRef?.name;
      const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
      const source = resources.find((r) => r.kind === kind && r.metadata.name === ref);
      for (const [k, v] of Object.entries(source?.data ?? {})) env.set(k, kind === 'Secret' ? Buffer.from(v, 'base64').toString() : v);
    }
    for (const e of c.env ?? []) env.set(e.name, e.value);
    return env;
  };
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

  it('has a Deployment, a Service and a PodDisruptionBudget for each of the five apps, and nothing unknown', () => {
    for (const app of APPS) {
      const d = deployment(app);
      expect(d.spec!.selector!.matchLabels).toEqual({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'parley' });
      expect(d.spec!.template!.metadata.labels).toMatchObject(d.spec!.selector!.matchLabels);
      expect((of('Service', app)?.spec as unknown as { selector: Record<string, string> }).selector).toMatchObject({ 'app.kubernetes.io/name': app });
      const pdb = of('PodDisruptionBudget', app)!.spec as { maxUnavailable: number; selector: { matchLabels: Record<string, string> } };
      expect(pdb.selector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': app });
      expect(pdb.maxUnavailable).toBe(1);
    }
    const deployments = resources.filter((r) => r.kind === 'Deployment').map((r) => r.metadata.name).sort();
    expect(deployments).toEqual([...APPS].sort());
  });

  it.each(APPS)('runs %s from its image, on the port its config and docker-compose give, with probes at /readyz and /healthz', (app) => {
    const c = container(app);
    expect(c.image).toMatch(overlay === 'production' ? new RegExp(`^parley/${app}:\\d+\\.\\d+\\.\\d+$`) : new RegExp(`^parley/${app}:`));
    const portVar = app === 'gateway' ? 'GATEWAY_PORT' : 'HEALTH_PORT';
    const port = Number(environment(app).get(portVar));
    expect(port).toBe(Number(compose.services[app]!.build!.args.PORT));
    expect(c.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // The endpoints are the shared runtime's (packages/runtime's health controller).
    const health = read('packages/runtime/src/health.controller.ts');
    expect(health).toContain("@Get('readyz')");
    expect(health).toContain("@Get('healthz')");
    const service = of('Service', app)!.spec as { ports: { port: number; targetPort: string }[] };
    expect(service.ports).toEqual([expect.objectContaining({ port, targetPort: 'http' })]);
  });

  it.each(APPS)('gives %s only variables the README documents for it', (app) => {
    for (const variable of environment(app).keys()) expectDocumentedFor(variable, app);
  });

  it.each(APPS)('lets %s finish its work on SIGTERM, as a non-root user', (app) => {
    const d = deployment(app);
    const shutdownMs = Number(environment(app).get('SHUTDOWN_TIMEOUT_MS'));
    expect(shutdownMs).toBeGreaterThan(0);
    expect(d.spec!.template!.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(shutdownMs + 5000);
    expect(d.spec!.template!.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container(app).securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(container(app).resources.requests.cpu).toBeDefined();
    expect(d.spec!.strategy!.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  it('rolls connection-manager out one pod at a time, and names inbox consumers after their pods', () => {
    expect(deployment('connection-manager').spec!.minReadySeconds).toBeGreaterThan(0);
    for (const app of INBOX_WORKERS) {
      expect(container(app).env?.find((e) => e.name === 'INBOX_CONSUMER_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    }
  });

  it('serves the gateway through an Ingress that keeps WebSockets open and long polling on one gateway', () => {
    const ingress = of('Ingress', 'gateway') as unknown as { metadata: { annotations: Record<string, string> }; spec: { rules: { http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } }[] } };
    expect(ingress.spec.rules[0]!.http.paths).toEqual([expect.objectContaining({ path: '/', backend: { service: { name: 'gateway', port: { name: 'http' } } } })]);
    expect(Number(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(60);
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
  });

  it('refers only to ConfigMaps and Secrets the render holds or infra/k8s/README.md tells the operator to create', () => {
    const k8sReadme = read('infra/k8s/README.md');
    for (const app of APPS) {
      for (const from of container(app).envFrom ?? []) {
        const name = (from.configMapRef ?? from.secretRef)!.name;
        const held = resources.some((r) => (r.kind === 'ConfigMap' || r.kind === 'Secret') && r.metadata.name === name);
        expect({ app, name, known: held || k8sReadme.includes(`**\`${name.replace(/-[a-z0-9]{10}$/, '')}\`**`) }).toEqual({ app, name, known: true });
      }
    }
    if (overlay === 'dev') expect(environment('gateway').get('REDIS_URL')).toBe('redis://redis:6379');
  });

  if (overlay === 'production') {
    it('runs two or more pods of every app, spread over nodes', () => {
      for (const app of APPS) {
        expect(deployment(app).spec!.replicas).toBeGreaterThanOrEqual(2);
        expect(JSON.stringify(deployment(app).spec!.template!.spec)).toContain('topologySpreadConstraints');
      }
    });
  } else {
    it("runs a Redis of the trial's own, with AOF, noeviction and keyspace events", () => {
      const redis = of('StatefulSet', 'redis') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
      const args = redis.spec.template.spec.containers[0]!.args.join(' ');
      expect(args).toContain('--appendonly yes');
      expect(args).toContain('--maxmemory-policy noeviction');
      expect(args).toMatch(/--notify-keyspace-events \S*K\S*h/);
    });
  }
});

// ---- npm run check:config: each app's own config shape is the deployment's schema ----------------

/** What `scripts/check-config.mjs --json` prints for one target. */
interface ConfigCheck {
  target: string;
  kind: 'kubernetes' | 'compose';
  valid: boolean;
  apps: { app: string; workload: string; valid: boolean; variables: { name: string; source: string; read: boolean }[]; deployTime: string[]; notes: string[] }[];
  problems: { app?: string; workload?: string; variable?: string; value?: string; hidden?: boolean; source?: string; message: string }[];
}

/** Runs the operator's command (on the apps' builds, which the e2e tier makes first) on one target. */
function checkConfig(target: string, options: { json?: boolean } = {}): { status: number | null; stdout: string; stderr: string } {
  const args = [join(root, 'scripts', 'check-config.mjs'), ...(options.json === false ? [] : ['--json']), target];
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, KUBECTL } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A kustomize overlay of its own in a temporary folder, on top of one of ours, with some files. */
function tempOverlay(over: 'dev' | 'production', kustomization: Record<string, unknown>, files: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-check-config-'));
  // `bases` (not `resources`): kustomize v2 (Debian's kubectl 1.20) takes directories only there; v5
  // takes both, and refuses an absolute path to another kustomization.
  const base = relative(dir, join(root, 'infra', 'k8s', 'overlays', over));
  writeFileSync(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', bases: [base], ...kustomization }));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), stringify(content));
  return dir;
}

describe("npm run check:config (every app's own config shape validates the deployment)", () => {
  const temp: string[] = [];
  afterAll(() => {
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  it('is the root package.json script', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['check:config']).toBe('node scripts/check-config.mjs --build');
  });

  it.each(['infra/k8s/overlays/dev', 'infra/k8s/overlays/production', 'docker-compose.yml'])("%s: every app's environment passes its own schema and holds only variables it reads", (target) => {
    const run = checkConfig(target);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const result = JSON.parse(run.stdout) as ConfigCheck;
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.apps.map((a) => a.app).sort()).toEqual([...APPS].sort());
    for (const a of result.apps) {
      const names = a.variables.map((v) => v.name);
      // The environment was assembled (the shared settings and the app's port are in it) ...
      expect({ app: a.app, shared: names.includes('SHUTDOWN_TIMEOUT_MS') && names.includes('LOG_LEVEL'), port: names.includes(a.app === 'gateway' ? 'GATEWAY_PORT' : 'HEALTH_PORT') }).toEqual({ app: a.app, shared: true, port: true });
      // ... and the app reads every variable it is given.
      expect({ app: a.app, unread: a.variables.filter((v) => !v.read).map((v) => v.name) }).toEqual({ app: a.app, unread: [] });
      expect(a.valid).toBe(true);
    }
    if (target.endsWith('production')) {
      // REDIS_URL comes from the Secret the operator creates: not in the render, not required.
      for (const a of result.apps) expect({ app: a.app, deployTime: a.deployTime }).toEqual({ app: a.app, deployTime: ['Secret parley-secrets'] });
    }
    if (target.startsWith('infra/')) {
      const pod = result.apps.find((a) => a.app === 'connection-manager')!.variables.find((v) => v.name === 'INBOX_CONSUMER_NAME');
      expect(pod?.source).toBe('fieldRef metadata.name (placeholder)');
    }
  });

  it('prints one line per app and exits 0 when the configuration is valid', () => {
    const run = checkConfig('infra/k8s/overlays/production', { json: false });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^infra\/k8s\/overlays\/production: Kubernetes configuration valid for 5 app workloads/);
    for (const app of APPS) expect(run.stdout).toMatch(new RegExp(`^ {2}ok +${app} +Deployment ${app}: `, 'm'));
  });

  it('reports a value an app refuses, naming the overlay, every app, the variable and its value', () => {
    const dir = tempOverlay('production', { configMapGenerator: [{ name: 'parley-config', behavior: 'merge', literals: ['SHUTDOWN_TIMEOUT_MS=abc'] }] });
    temp.push(dir);
    const run = checkConfig(dir);
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as ConfigCheck;
    expect(result.valid).toBe(false);
    expect(result.problems.map((p) => p.app).sort()).toEqual([...APPS].sort());
    for (const p of result.problems) {
      expect(p).toMatchObject({ variable: 'SHUTDOWN_TIMEOUT_MS', value: 'abc' });
      expect(p.source).toMatch(/^ConfigMap parley-config-/);
      expect(p.message).toMatch(/expected number/);
    }

    const text = checkConfig(dir, { json: false });
    expect(text.status).toBe(1);
    expect(text.stderr).toContain(`${dir}: Kubernetes configuration INVALID (5 problems)`);
    for (const app of APPS) expect(text.stderr).toMatch(new RegExp(`^ {2}${dir}: ${app}: SHUTDOWN_TIMEOUT_MS="abc" \\(from ConfigMap parley-config-[a-z0-9]+\\): `, 'm'));
  });

  it('reports a variable the app does not read (a misspelt one), with the one it meant', () => {
    const dir = tempOverlay(
      'dev',
      { patchesStrategicMerge: ['typo.yaml'] },
      {
        'typo.yaml': {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'im-router' },
          spec: { template: { spec: { containers: [{ name: 'im-router', env: [{ name: 'SHUTDOWN_TIMEOUT', value: '20000' }] }] } } },
        },
      },
    );
    temp.push(dir);
    const run = checkConfig(dir);
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as ConfigCheck;
    expect(result.problems.map(({ app, variable, value, source }) => ({ app, variable, value, source }))).toEqual([{ app: 'im-router', variable: 'SHUTDOWN_TIMEOUT', value: '20000', source: 'env' }]);
    expect(result.problems[0]!.message).toContain('did you mean SHUTDOWN_TIMEOUT_MS?');
    expect(result.apps.filter((a) => !a.valid).map((a) => a.app)).toEqual(['im-router']);
  });

  it("reports a docker-compose service's bad or unread variable", () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
    compose.services['loopback-parser']!.environment = { ...compose.services['loopback-parser']!.environment, INBOX_BATCH_SIZE: '0', ROOM_BACKLOG: '500' };
    const dir = mkdtempSync(join(tmpdir(), 'parley-check-config-'));
    temp.push(dir);
    writeFileSync(join(dir, 'docker-compose.yml'), stringify(compose));
    const run = checkConfig(join(dir, 'docker-compose.yml'));
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as ConfigCheck;
    expect(result.problems.map((p) => [p.app, p.variable, p.value]).sort()).toEqual([
      ['loopback-parser', 'INBOX_BATCH_SIZE', '0'],
      ['loopback-parser', 'ROOM_BACKLOG', '500'],
    ]);
    expect(result.problems.find((p) => p.variable === 'ROOM_BACKLOG')?.message).toContain('did you mean ROOM_BACKLOG_MAX?');
  });
});
