import { existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { APP_CONFIG, type Logger, LOGGER } from '@parley/runtime';
import { SECURITY_HEADERS } from './security-headers';

/** Paths of the gateway's own routes: never a file of the client, never its index.html. */
const RESERVED = ['/api', '/socket.io', '/healthz', '/readyz', '/metrics'];
/** Vite's hashed output: a name never changes content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, favicon.svg, …) is revalidated on each use (ETag / Last-Modified). */
const REVALIDATE = 'no-cache';

/** What a GET/HEAD path can be, decided from the path alone (see `webPath`). */
export type WebPath =
  /** A path of the gateway's own routes (or a variant of one): left to Nest, whose 404 is JSON. */
  | { kind: 'reserved' }
  /** Undecodable percent-encoding or a NUL byte: 400. */
  | { kind: 'bad' }
  /** Can name nothing served (a `.`, `..` or dot-file segment, a backslash): Nest's 404. */
  | { kind: 'none' }
  /**
   * A file relative to WEB_DIR (`''` is the index); `fallback`: if there is no such file, the
   * path is a client-side route and gets index.html (not under /assets/, no dot in its last part).
   */
  | { kind: 'file'; rel: string; fallback: boolean };

/** Classifies a request's raw (still percent-encoded) path. Pure; the file system is not asked. */
export function webPath(pathname: string): WebPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad' };
  }
  if (decoded.includes('\0')) return { kind: 'bad' };
  // Express matches routes case-insensitively and ignores a trailing slash: so does this.
  const lower = decoded.toLowerCase();
  if (RESERVED.some((r) => lower === r || lower.startsWith(`${r}/`))) return { kind: 'reserved' };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.') || s.includes('\\'))) return { kind: 'none' };
  const assets = lower === '/assets' || lower.startsWith('/assets/');
  const last = segments.at(-1) ?? '';
  return { kind: 'file', rel: segments.join('/'), fallback: !assets && !last.includes('.') };
}

const NOT_BUILT_PAGE = [
  '<!doctype html>',
  '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Parley</title></head>',
  '<body><h1>Parley</h1>',
  '<p>The gateway is running, but the web client is not built.</p>',
  '<p>Build it with <code>npm run build -w @parley/web</code> (or run <code>npm start</code>, which builds everything), then reload this page.</p>',
  '</body></html>',
  '',
].join('\n');

/**
 * Serves the web client's production build (WEB_DIR) at `/`: its files, index.html for `/` and for
 * client-side routes, the security headers on all of them, and a "not built" page while WEB_DIR
 * has no index.html. No directory listings, no dot-files, nothing outside WEB_DIR (symbolic links
 * included).
 *
 * The handler goes on Express directly in onModuleInit, which Nest calls after it has registered
 * every controller's routes and before it adds its not-found handler: the API, /healthz & co. keep
 * priority, and whatever is not the client's falls through to the JSON 404.
 */
@Injectable()
export class WebClient implements OnModuleInit {
  private readonly root: string;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) config: { WEB_DIR: string },
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.root = config.WEB_DIR;
  }

  onModuleInit(): void {
    if (!existsSync(join(this.root, 'index.html'))) {
      this.logger.warn(
        { webDir: this.root },
        `web client not built: ${this.root} has no index.html; / serves a placeholder page until \`npm run build -w @parley/web\` (or \`npm start\`) builds it`,
      );
    }
    const handler: RequestHandler = (req, res, next) => {
      this.handle(req, res, next).catch(next);
    };
    this.adapterHost.httpAdapter.getInstance<{ use(handler: RequestHandler): void }>().use(handler);
  }

  private async handle(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = webPath(req.path);
    switch (path.kind) {
      case 'reserved':
      case 'none':
        return next();
      case 'bad':
        res.status(400).json({ error: { code: 'BAD_PATH', message: 'the path is not valid' } });
        return;
      case 'file':
        break;
    }
    if (path.rel !== '' && (await this.isFileInside(path.rel))) {
      return this.send(res, next, path.rel, path.rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
    }
    if (!path.fallback) return next();
    if (await this.isFileInside('index.html')) return this.send(res, next, 'index.html', REVALIDATE);
    // Checked per request, so a client built while the gateway runs is served without a restart.
    setSecurityHeaders(res);
    res.status(200).setHeader('Cache-Control', 'no-store');
    res.type('html').send(NOT_BUILT_PAGE);
  }

  /** Whether `rel` is a regular file whose real path (links resolved) lies inside WEB_DIR. */
  private async isFileInside(rel: string): Promise<boolean> {
    try {
      const [file, root] = await Promise.all([realpath(join(this.root, rel)), realpath(this.root)]);
      if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
      return (await stat(file)).isFile();
    } catch {
      return false;
    }
  }

  private send(res: Response, next: NextFunction, rel: string, cacheControl: string): void {
    setSecurityHeaders(res);
    res.setHeader('Cache-Control', cacheControl);
    // `send` does the rest: Content-Type, ETag, Last-Modified, 304s, ranges, HEAD; `root` makes it
    // refuse `..` once more.
    res.sendFile(rel, { root: this.root, dotfiles: 'deny', cacheControl: false }, (err?: Error & { status?: number }) => {
      if (!err || res.headersSent) return;
      // Gone since it was looked at (a rebuild in progress): the ordinary 404.
      next(err.status === 404 ? undefined : err);
    });
  }
}

function setSecurityHeaders(res: Response): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
