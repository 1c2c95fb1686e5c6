import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { CookieLoginResult, LoginResult } from '@parley/protocol';
import { ApiError } from '../http/api-error';
import { AccountsService } from './accounts.service';

/** The cookie that carries the login token for browsers (the same token works as a Bearer token). */
export const TOKEN_COOKIE = 'parley_token';

/** protocol.md's account endpoints. */
@Controller('api/v1')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('register')
  @HttpCode(201)
  register(@Body() body: unknown, @Req() req: Request): Promise<{ userId: number }> {
    return this.accounts.register(body, clientIp(req));
  }

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResult | CookieLoginResult> {
    const { userId, token, ttlMs, cookieOnly } = await this.accounts.login(body, clientIp(req));
    // httpOnly: scripts cannot read it; SameSite=Lax: not sent on cross-site subrequests; Secure over TLS.
    res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge: ttlMs, path: '/' });
    return cookieOnly ? { userId } : { userId, token };
  }

  @Post('password-reset')
  @HttpCode(202)
  async passwordReset(@Body() body: unknown, @Req() req: Request): Promise<void> {
    await this.accounts.requestPasswordReset(body, clientIp(req));
  }

  @Post('password-reset/confirm')
  @HttpCode(204)
  async passwordResetConfirm(@Body() body: unknown): Promise<void> {
    await this.accounts.confirmPasswordReset(body);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = requestToken(req);
    if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'not logged in');
    refuseForgedCookieRequest(req);
    const everywhere = typeof body === 'object' && body !== null && (body as { all?: unknown }).all === true;
    await this.accounts.logout(token, everywhere);
    res.clearCookie(TOKEN_COOKIE, { path: '/' });
  }
}

/**
 * The header a browser page must add to a request that changes something when it is authenticated
 * by the cookie: another site's form or script cannot (a custom header needs a CORS preflight,
 * which the gateway never grants), so a forged cross-site request is refused (CSRF).
 */
export const CSRF_HEADER = 'x-parley-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses a cookie-authenticated request that changes something and lacks CSRF_HEADER. */
export function refuseForgedCookieRequest(req: Request): void {
  if (SAFE_METHODS.has(req.method) || req.headers.authorization?.startsWith('Bearer ')) return;
  if (cookieToken(req.headers.cookie) === undefined) return;
  if (req.headers[CSRF_HEADER] === undefined) {
    throw new ApiError(403, 'CSRF_REJECTED', `a request authenticated by the cookie must carry the ${CSRF_HEADER} header`);
  }
}

/** The token of a request: `Authorization: Bearer <token>`, else the cookie. */
export function requestToken(req: Request): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim() || undefined;
  return cookieToken(req.headers.cookie);
}

/** The login token in a Cookie header, if any. */
export function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
      } catch {
        return undefined; // malformed escapes: no token
      }
    }
  }
  return undefined;
}

function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
