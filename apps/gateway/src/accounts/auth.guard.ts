import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiError } from '../http/api-error';
import { refuseForgedCookieRequest, requestToken } from './accounts.controller';
import { AccountsService, sha256 } from './accounts.service';

/** The caller of an authenticated request. */
export interface Caller {
  userId: number;
  tokenHash: string;
}

export type AuthenticatedRequest = Request & { caller: Caller };

/**
 * Lets a request through only with a live token (Bearer or cookie; a cookie one that changes
 * something must carry the CSRF header); puts the caller on it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly accounts: AccountsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = requestToken(req);
    const userId = token ? await this.accounts.authenticate(token) : undefined;
    if (!token || userId === undefined) throw new ApiError(401, 'UNAUTHORIZED', 'not logged in, or the login expired');
    refuseForgedCookieRequest(req);
    req.caller = { userId, tokenHash: sha256(token) };
    return true;
  }
}
