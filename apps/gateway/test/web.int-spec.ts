import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { baseConfigShape, loadConfig } from '@parley/runtime';
import { useTestRedis } from '@parley/testing';
import { AppModule } from '../src/app.module';
import { defaultWebDir, gatewayConfigShape } from '../src/config';
import { CONTENT_SECURITY_POLICY } from '../src/web/security-headers';
import { webPath } from '../src/web/web-client';

/** The policy the web client is written against; changing it is a decision, not a refactoring. */
const EXPECTED_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; manifest-src 'self'; media-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

const INDEX = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley</title><script type="module" crossorigin src="/assets/app-1234.js"></script></head><body><div id="root"></div></body></html>\n';
const ASSET = 'console.log("parley client");\n';
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8"/></svg>\n';
const SECRET = 'TOP SECRET, outside WEB_DIR';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('WEB_DIR', () => {
  const gatewayRoot = resolve(__dirname, '..');
  const checkoutWebDist = resolve(gatewayRoot, '..', 'web', 'dist');

  it("defaults to this checkout's apps/web/dist, whether the gateway runs from src/ or from dist/", () => {
    expect(checkoutWebDist.endsWith(join('apps', 'web', 'dist'))).toBe(true);
    expect(defaultWebDir()).toBe(checkoutWebDist); // config.ts's own folder: src/ under Jest
    expect(defaultWebDir(join(gatewayRoot, 'dist'))).toBe(checkoutWebDist);
    expect(defaultWebDir(join(gatewayRoot, 'dist', 'web'))).toBe(checkoutWebDist);
    expect(loadConfig('gateway', gatewayConfigShape, {}).WEB_DIR).toBe(checkoutWebDist);
  });

  it('is made absolute (relative to the working directory)', () => {
    expect(loadConfig('gateway', gatewayConfigShape, { WEB_DIR: 'some/build' }).WEB_DIR).toBe(resolve(process.cwd(), 'some/build'));
    expect(loadConfig('gateway', gatewayConfigShape, { WEB_DIR: '/srv/parley/web/' }).WEB_DIR).toBe('/srv/parley/web');
  });

  it('classifies paths without asking the file system', () => {
    expect(webPath('/')).toEqual({ kind: 'file', rel: '', fallback: true });
    expect(webPath('/settings')).toEqual({ kind: 'file', rel: 'settings', fallback: true });
    expect(webPath('/assets/app-1234.js')).toEqual({ kind: 'file', rel: 'assets/app-1234.js', fallback: false });
    expect(webPath('/assets/new')).toEqual({ kind: 'file', rel: 'assets/new', fallback: false });
    expect(webPath('/api/v1/nope')).toEqual({ kind: 'reserved' });
    expect(webPath('/%61pi/v1/nope')).toEqual({ kind: 'reserved' });
    expect(webPath('/Socket.IO/')).toEqual({ kind: 'reserved' });
    expect(webPath('/healthz/')).toEqual({ kind: 'reserved' });
    expect(webPath('/apinion')).toEqual({ kind: 'file', rel: 'apinion', fallback: true });
    expect(webPath('/a/%2e%2e/b')).toEqual({ kind: 'none' });
    expect(webPath('/a/..%2fb')).toEqual({ kind: 'none' });
    expect(webPath('/.git/config')).toEqual({ kind: 'none' });
    expect(webPath('/a%5c..%5cb')).toEqual({ kind: 'none' });
    expect(webPath('/x%00')).toEqual({ kind: 'bad' });
    expect(webPath('/%E0%A4%A')).toEqual({ kind: 'bad' });
  });
});

describe('the web client at / (real Redis)', () => {
  const redis = useTestRedis();
  const parent = mkdtempSync(join(tmpdir(), 'parley-web-'));
  /** A built client, with traps: a dot-file, a file where a gateway route is, links out of it. */
  const webDir = join(parent, 'web');
  const dataDir = join(parent, 'data');
  let app: INestApplication | undefined;
  let port = 0;
  let warnings: { msg: string; webDir?: string }[] = [];

  beforeAll(() => {
    mkdirSync(join(webDir, 'assets'), { recursive: true });
    mkdirSync(join(webDir, 'api', 'v1'), { recursive: true });
    mkdirSync(dataDir);
    writeFileSync(join(webDir, 'index.html'), INDEX);
    writeFileSync(join(webDir, 'assets', 'app-1234.js'), ASSET);
    writeFileSync(join(webDir, 'favicon.svg'), FAVICON);
    writeFileSync(join(webDir, '.env'), SECRET);
    writeFileSync(join(webDir, 'healthz'), SECRET);
    writeFileSync(join(webDir, 'api', 'v1', 'nope.json'), SECRET);
    writeFileSync(join(parent, 'secret.txt'), SECRET);
    symlinkSync(join(parent, 'secret.txt'), join(webDir, 'leak.txt'));
    symlinkSync(parent, join(webDir, 'outside'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  async function start(dir: string): Promise<void> {
    warnings = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string }) });
    const config = loadConfig('gateway', { ...baseConfigShape, ...gatewayConfigShape }, { REDIS_URL: redis.space.url, DATA_DIR: dataDir, WEB_DIR: dir });
    app = await NestFactory.create(AppModule.register(config, logger), { logger: false });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer() as { address(): { port: number } }).address().port;
  }

  /** An HTTP request with the path sent exactly as written (fetch would resolve `..` first). */
  function raw(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<RawResponse> {
    return new Promise((done, fail) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      });
      req.on('error', fail);
      req.end();
    });
  }

  function expectSecurityHeaders(res: RawResponse): void {
    expect(res.headers['content-security-policy']).toBe(EXPECTED_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['permissions-policy']).toEqual(expect.stringContaining('camera=()'));
    expect(res.headers['permissions-policy']).toEqual(expect.stringContaining('microphone=()'));
    expect(res.headers['permissions-policy']).toEqual(expect.stringContaining('geolocation=()'));
    expect(res.headers['x-powered-by']).toBeUndefined();
  }

  function expectJson404(res: RawResponse): void {
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) as string } });
  }

  it('exports the strict policy: nothing inline, nothing evaluated, no framing', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(EXPECTED_CSP);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*/);
  });

  it('serves index.html at / with the security headers, revalidated on each use', async () => {
    await start(webDir);
    const res = await raw('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(res);
    expect(warnings).toEqual([]);

    const etag = res.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await raw('/', 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers HEAD like GET, without the body', async () => {
    await start(webDir);
    const head = await raw('/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(INDEX)));
    expectSecurityHeaders(head);
    const asset = await raw('/assets/app-1234.js', 'HEAD');
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it.each(['/settings', '/rooms/general/', '/reset-password?token=abc_DEF-123', '/index.html'])('serves index.html for the client route %s', async (path) => {
    await start(webDir);
    const res = await raw(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(res);
  });

  it('serves the hashed assets as immutable and other files revalidated, with their content types', async () => {
    await start(webDir);
    const js = await raw('/assets/app-1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript(; charset=utf-8)?$/);
    expect(js.body).toBe(ASSET);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(js);

    const svg = await raw('/favicon.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.body).toBe(FAVICON);
    expect(svg.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(svg);
  });

  it.each(['/assets/app-9999.js', '/assets/', '/assets', '/assets/new-chunk', '/missing.png'])('answers %s with a 404, not index.html and not a listing', async (path) => {
    await start(webDir);
    expectJson404(await raw(path));
  });

  it.each([
    ['/assets/../../secret.txt', 404],
    ['/../secret.txt', 404],
    ['/..%2fsecret.txt', 404],
    ['/%2e%2e/secret.txt', 404],
    ['/assets/%2e%2e/%2e%2e/secret.txt', 404],
    ['/%2e%2e%2f%2e%2e%2fsecret.txt', 404],
    ['/assets/..%5c..%5csecret.txt', 404],
    ['/%252e%252e/secret.txt', 404],
    ['/leak.txt', 404], // a link inside WEB_DIR to a file outside
    ['/outside/secret.txt', 404], // a link inside WEB_DIR to the folder above
    ['/.env', 404],
    ['/secret.txt%00', 400],
    ['/assets/app-1234.js%00.html', 400],
    ['/%E0%A4%A', 400],
  ])('never serves a file outside WEB_DIR: %s → %d', async (path, status) => {
    await start(webDir);
    const res = await raw(path);
    expect(res.status).toBe(status);
    expect(res.body).not.toContain('TOP SECRET');
    expect(res.body).not.toContain('<html');
    expect(JSON.parse(res.body)).toEqual({ error: { code: status === 404 ? 'NOT_FOUND' : 'BAD_PATH', message: expect.any(String) as string } });
  });

  it("leaves the gateway's own paths to the gateway: JSON 404s, health, metrics", async () => {
    await start(webDir);
    expectJson404(await raw('/api/v1/nope'));
    expectJson404(await raw('/api/v1/nope.json')); // a file of that name in WEB_DIR is not served
    expectJson404(await raw('/API/v1/nope'));
    expectJson404(await raw('/api'));
    const head = await raw('/api/v1/nope', 'HEAD');
    expect(head.status).toBe(404);
    expect(head.headers['content-type']).toMatch(/^application\/json/);
    expect(head.body).toBe('');
    expectJson404(await raw('/settings', 'POST'));
    const health = await raw('/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expectJson404(await raw('/healthz/extra'));
    const metrics = await raw('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('parley_gateway_sockets');
  });

  it('serves a "not built" page with the same headers while WEB_DIR has no index.html, and warns once naming the folder', async () => {
    const empty = mkdtempSync(join(parent, 'empty-'));
    await start(empty);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ webDir: empty });
    expect(warnings[0]!.msg).toContain(empty);

    for (const path of ['/', '/settings']) {
      const res = await raw(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('web client is not built');
      expect(res.body).toContain('npm run build -w @parley/web');
      expect(res.body).toContain('npm start');
      expect(res.body).not.toMatch(/<script|<style|style=/);
      expect(res.body).not.toContain(empty);
      expectSecurityHeaders(res);
    }
    expect((await raw('/', 'HEAD')).body).toBe('');
    expectJson404(await raw('/assets/app-1234.js'));
    expectJson404(await raw('/api/v1/nope'));

    // Built while the gateway runs: served from the next request on, no restart.
    writeFileSync(join(empty, 'index.html'), INDEX);
    const built = await raw('/');
    expect(built.status).toBe(200);
    expect(built.body).toBe(INDEX);
    expect(warnings).toHaveLength(1);
  });

  it('serves the "not built" page when WEB_DIR does not exist at all', async () => {
    const missing = join(parent, 'never-built', 'dist');
    await start(missing);
    expect(warnings).toEqual([expect.objectContaining({ webDir: missing })]);
    const res = await raw('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('web client is not built');
    expectSecurityHeaders(res);
  });
});
