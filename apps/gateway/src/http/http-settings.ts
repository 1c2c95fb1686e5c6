import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG } from '@parley/runtime';

/**
 * Express settings. No `X-Powered-By` header (nothing to tell about the server). `trust proxy` from
 * TRUST_PROXY: behind a TLS-terminating proxy, `req.secure` (the cookie's Secure flag) and `req.ip`
 * (rate limits) must come from X-Forwarded-* headers, and only from proxies that are trusted.
 * Unset: headers are ignored.
 */
@Injectable()
export class HttpSettings implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: { TRUST_PROXY?: string },
  ) {}

  onModuleInit(): void {
    const express = this.adapterHost.httpAdapter.getInstance<{ set(name: string, value: unknown): void; disable(name: string): void }>();
    express.disable('x-powered-by');
    const value = this.config.TRUST_PROXY;
    if (value === undefined) return;
    const setting = value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value;
    express.set('trust proxy', setting);
  }
}
