import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { Profile } from '@parley/protocol';
import { TOKEN_COOKIE } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { type AuthenticatedRequest, AuthGuard } from './auth.guard';

/** The logged-in user's own account: profile, password, deletion. */
@Controller('api/v1')
@UseGuards(AuthGuard)
export class ProfileController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('profile')
  profile(@Req() req: AuthenticatedRequest): Promise<Profile> {
    return this.accounts.profile(req.caller.userId);
  }

  @Patch('profile')
  updateProfile(@Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<Profile> {
    return this.accounts.updateProfile(req.caller.userId, body);
  }

  @Post('password')
  @HttpCode(204)
  async changePassword(@Body() body: unknown, @Req() req: AuthenticatedRequest): Promise<void> {
    await this.accounts.changePassword(req.caller, body);
  }

  @Delete('account')
  @HttpCode(204)
  async deleteAccount(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.accounts.deleteAccount(req.caller.userId, body);
    res.clearCookie(TOKEN_COOKIE, { path: '/' });
  }
}
