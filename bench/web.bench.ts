// The web client's production build (apps/web, `vite build`) as a first-time visitor gets it:
//  1. size: the JS and CSS that dist/index.html makes the browser load before anything renders
//     (module scripts, modulepreload links, stylesheets), raw and gzip (level 9), against the
//     target of initial JavaScript < 200 KiB gzip; beside it every file in dist/assets;
//  2. time to first render on a throttled CPU (Chromium's CPU throttling, 4× by default, and 1×
//     for reference): dist served by a tiny static server whose GET /api/v1/profile answers 401,
//     so the app shows its login screen; each run in a fresh browser context (cold cache), timed
//     by the page's own clock from navigation start: First Contentful Paint and the moment
//     `form[aria-label="log in"]` is in the DOM.
// Not a test: prints its figures and writes bench/results/web.json; exits non-zero when the size
// target is missed.
//   npm run bench:web        (PARLEY_SKIP_BUILD=1 to measure the existing apps/web/dist;
//                             WEB_BENCH_RUNS=10, WEB_BENCH_CPU_THROTTLE=4, WEB_BENCH_WARMUP=1;
//                             WEB_BENCH_NETWORK=off, or "<latency ms>,<down kbit/s>,<up kbit/s>")
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus } from 'node:os';
import { extname, join, posix, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { runBench, writeResults } from './results-file';

const WEB = join(__dirname, '..', 'apps', 'web');
const DIST = join(WEB, 'dist');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const RUNS = Number(process.env.WEB_BENCH_RUNS ?? 10);
const WARMUP = Number(process.env.WEB_BENCH_WARMUP ?? 1);
const THROTTLE = Number(process.env.WEB_BENCH_CPU_THROTTLE ?? 4);
const NETWORK = process.env.WEB_BENCH_NETWORK ?? 'off';
const TARGET_INITIAL_JS_GZIP = 200 * 1024;
const LOGIN_FORM = 'form[aria-label="log in"]';
const TIMEOUT_MS = 30_000;

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const gzip = (buf: Buffer) => gzipSync(buf, { level: 9 });

// ---- size -------------------------------------------------------------------------------------

interface Sized {
  raw: number;
  gzip: number;
}
interface InitialFile extends Sized {
  file: string;
  kind: 'js' | 'css';
  /** How index.html refers to it: a module script, a modulepreload or a stylesheet link. */
  via: 'script' | 'modulepreload' | 'stylesheet';
}

/** The attributes of every <script> and <link> tag of an HTML document. */
function tags(html: string): { tag: string; attrs: Record<string, string> }[] {
  const out: { tag: string; attrs: Record<string, string> }[] = [];
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of withoutComments.matchAll(/<(script|link)\b([^>]*)>/gi)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      attrs[a[1]!.toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? '';
    }
    out.push({ tag: m[1]!.toLowerCase(), attrs });
  }
  return out;
}

/** dist-relative path of a same-origin URL in index.html (base `/`), or undefined for another origin. */
function distPath(url: string): string | undefined {
  if (/^(?:[a-z][a-z0-9+.-]*:)?\/\//i.test(url) || url.startsWith('data:')) return undefined;
  const path = posix.normalize(url.split(/[?#]/)[0]!.replace(/^\.?\//, ''));
  return path.startsWith('..') ? undefined : path;
}

function initialFiles(): InitialFile[] {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const found = new Map<string, InitialFile>();
  const add = (url: string | undefined, via: InitialFile['via']) => {
    const path = url === undefined ? undefined : distPath(url);
    if (path === undefined || found.has(path)) return;
    const full = join(DIST, path);
    if (!existsSync(full)) throw new Error(`index.html refers to ${url}, which is not in ${DIST}`);
    const buf = readFileSync(full);
    found.set(path, { file: path, kind: via === 'stylesheet' ? 'css' : 'js', via, raw: buf.length, gzip: gzip(buf).length });
  };
  for (const { tag, attrs } of tags(html)) {
    if (tag === 'script' && attrs.src !== undefined) add(attrs.src, 'script');
    if (tag === 'link') {
      const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
      if (rel.includes('modulepreload')) add(attrs.href, 'modulepreload');
      else if (rel.includes('stylesheet')) add(attrs.href, 'stylesheet');
    }
  }
  if (![...found.values()].some((f) => f.kind === 'js')) throw new Error('index.html loads no script: is apps/web/dist a production build?');
  return [...found.values()];
}

const sum = (files: Sized[]): Sized => files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

// ---- static server ----------------------------------------------------------------------------

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

/** Serves dist from memory (gzip when the browser accepts it, as a production server would), `/` as index.html, and a logged-out profile. */
async function serve(): Promise<{ server: Server; url: string }> {
  const files = new Map<string, { body: Buffer; gz: Buffer | undefined; type: string }>();
  for (const full of filesUnder(DIST)) {
    const body = readFileSync(full);
    const ext = extname(full);
    files.set('/' + relative(DIST, full).split('\\').join('/'), { body, gz: COMPRESSIBLE.has(ext) ? gzip(body) : undefined, type: TYPES[ext] ?? 'application/octet-stream' });
  }
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (path === '/api/v1/profile' && req.method === 'GET') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'not logged in' } }));
      return;
    }
    const file = req.method === 'GET' ? files.get(path === '/' ? '/index.html' : path) : undefined;
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no ${path}` } }));
      return;
    }
    const useGzip = file.gz !== undefined && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-cache',
      vary: 'accept-encoding',
      ...(useGzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(useGzip ? file.gz : file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/` };
}

// ---- first render -----------------------------------------------------------------------------

interface Stats {
  median: number;
  p90: number;
  min: number;
  max: number;
}
/** Median (mean of the middle two for an even count), p90 by nearest rank, min and max; ms, 1 decimal. */
function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const r = (v: number) => +v.toFixed(1);
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median: r(median), p90: r(s[Math.max(0, Math.ceil(0.9 * s.length) - 1)]!), min: r(s[0]!), max: r(s[s.length - 1]!) };
}
const line = (s: Stats) => `median ${s.median}  p90 ${s.p90}  min ${s.min}  max ${s.max} ms`;

interface Run {
  /** First Contentful Paint, ms since navigation start. */
  fcpMs: number;
  /** The login form inserted into the DOM (a MutationObserver installed before the page's scripts). */
  loginFormMs: number;
  /** performance.now() read once Playwright's waitForSelector came back: the above plus the round trip. */
  loginFormReadMs: number;
}

// In the page, before its own scripts: note when the login form first appears in the DOM.
const WATCH_LOGIN_FORM = `(() => {
  const watch = new MutationObserver(() => {
    if (document.querySelector(${JSON.stringify(LOGIN_FORM)})) {
      window.__loginFormAt = performance.now();
      watch.disconnect();
    }
  });
  watch.observe(document, { childList: true, subtree: true });
})()`;
const READ_FCP = `new Promise((resolve) => {
  const fcp = (entries) => entries.find((e) => e.name === 'first-contentful-paint');
  const now = fcp(performance.getEntriesByType('paint'));
  if (now) return resolve(now.startTime);
  new PerformanceObserver((list) => {
    const e = fcp(list.getEntries());
    if (e) resolve(e.startTime);
  }).observe({ type: 'paint', buffered: true });
  setTimeout(() => resolve(null), ${TIMEOUT_MS});
})`;

function networkConditions(): { offline: false; latency: number; downloadThroughput: number; uploadThroughput: number } | undefined {
  if (NETWORK === 'off') return undefined;
  const [latency, down, up] = NETWORK.split(',').map(Number);
  if (![latency, down, up].every((n) => n !== undefined && Number.isFinite(n) && n >= 0)) throw new Error(`WEB_BENCH_NETWORK must be "off" or "<latency ms>,<down kbit/s>,<up kbit/s>", not ${NETWORK}`);
  return { offline: false, latency: latency!, downloadThroughput: (down! * 1000) / 8, uploadThroughput: (up! * 1000) / 8 };
}

async function firstRender(browser: Browser, url: string, rate: number): Promise<Run> {
  const context = await browser.newContext();
  try {
    await context.addInitScript({ content: WATCH_LOGIN_FORM });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    const network = networkConditions();
    if (network) {
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', network);
    }
    await page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT_MS });
    try {
      await page.waitForSelector(LOGIN_FORM, { state: 'attached', timeout: TIMEOUT_MS });
    } catch (err) {
      throw new Error(`the login form did not appear${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}`, { cause: err });
    }
    const loginFormReadMs = await page.evaluate<number>('performance.now()');
    const loginFormMs = await page.evaluate<number | undefined>('window.__loginFormAt');
    const fcpMs = await page.evaluate<number | null>(READ_FCP);
    if (fcpMs === null || loginFormMs === undefined) throw new Error(`no ${fcpMs === null ? 'first-contentful-paint entry' : 'login form time'} in the page`);
    return { fcpMs, loginFormMs, loginFormReadMs };
  } finally {
    await context.close();
  }
}

async function measure(browser: Browser, url: string, rate: number) {
  for (let i = 0; i < WARMUP; i++) await firstRender(browser, url, rate);
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await firstRender(browser, url, rate));
  const figures = {
    cpuThrottle: rate,
    runs: RUNS,
    fcpMs: stats(runs.map((r) => r.fcpMs)),
    loginFormMs: stats(runs.map((r) => r.loginFormMs)),
    loginFormReadMs: stats(runs.map((r) => r.loginFormReadMs)),
    samples: runs.map((r) => ({ fcpMs: +r.fcpMs.toFixed(1), loginFormMs: +r.loginFormMs.toFixed(1), loginFormReadMs: +r.loginFormReadMs.toFixed(1) })),
  };
  console.log(`first render, CPU throttled ${rate}×, ${RUNS} cold runs (after ${WARMUP} warm-up):`);
  console.log(`  first contentful paint     ${line(figures.fcpMs)}`);
  console.log(`  login form in the DOM      ${line(figures.loginFormMs)}`);
  console.log(`    (read after waitForSelector: ${line(figures.loginFormReadMs)})`);
  return figures;
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!(RUNS >= 1) || !(THROTTLE >= 1) || !(WARMUP >= 0)) throw new Error('WEB_BENCH_RUNS ≥ 1, WEB_BENCH_CPU_THROTTLE ≥ 1 and WEB_BENCH_WARMUP ≥ 0, please');
  let buildMs: number | undefined;
  if (process.env.PARLEY_SKIP_BUILD === '1') {
    console.log(`PARLEY_SKIP_BUILD=1: measuring the existing ${DIST}`);
  } else {
    const start = Date.now();
    execFileSync('npx', ['vite', 'build'], { cwd: WEB, stdio: 'inherit' });
    buildMs = Date.now() - start;
  }
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: build the web client (npx vite build in apps/web)`);

  const initial = initialFiles();
  const js = sum(initial.filter((f) => f.kind === 'js'));
  const css = sum(initial.filter((f) => f.kind === 'css'));
  const assetFiles = filesUnder(join(DIST, 'assets')).map((full) => {
    const buf = readFileSync(full);
    return { file: relative(DIST, full), raw: buf.length, gzip: gzip(buf).length };
  });
  const assets = { files: assetFiles.length, ...sum(assetFiles) };
  const sizeMet = js.gzip < TARGET_INITIAL_JS_GZIP;

  console.log('web client, production build: what index.html loads before the first render (gzip level 9)');
  for (const f of initial) console.log(`  ${f.file.padEnd(36)} ${f.via.padEnd(13)} ${kib(f.raw).padStart(10)} raw ${kib(f.gzip).padStart(10)} gzip`);
  console.log(`  ${'initial JavaScript'.padEnd(50)} ${kib(js.raw).padStart(10)} raw ${kib(js.gzip).padStart(10)} gzip`);
  console.log(`  ${'initial CSS'.padEnd(50)} ${kib(css.raw).padStart(10)} raw ${kib(css.gzip).padStart(10)} gzip`);
  console.log(`  ${'initial total'.padEnd(50)} ${kib(js.raw + css.raw).padStart(10)} raw ${kib(js.gzip + css.gzip).padStart(10)} gzip`);
  console.log(`  ${`all of dist/assets (${assets.files} files)`.padEnd(50)} ${kib(assets.raw).padStart(10)} raw ${kib(assets.gzip).padStart(10)} gzip`);
  console.log(`  target: initial JavaScript < ${kib(TARGET_INITIAL_JS_GZIP)} gzip: ${sizeMet ? 'PASS' : 'FAIL'} (${kib(js.gzip)})`);

  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_BIN)`);
  const { server, url } = await serve();
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const throttled = await measure(browser, url, THROTTLE);
    const reference = await measure(browser, url, 1);

    writeResults('web', {
      at: new Date().toISOString(),
      node: process.version,
      chromium: browser.version(),
      cpus: cpus().length,
      setup: { built: buildMs !== undefined, buildMs, runs: RUNS, warmupRuns: WARMUP, cpuThrottle: THROTTLE, network: NETWORK, servedGzip: true },
      size: {
        initial: { files: initial, js, css, total: sum([js, css]) },
        assets,
        assetFiles,
        target: { initialJsGzipBytes: TARGET_INITIAL_JS_GZIP, met: sizeMet },
      },
      firstRender: { throttled, reference },
    });
  } finally {
    await browser?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (!sizeMet) throw new Error(`FAIL: initial JavaScript is ${kib(js.gzip)} gzip, over the ${kib(TARGET_INITIAL_JS_GZIP)} target`);
}

runBench(main);
