import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppsService } from './apps.service';

/** `POST /api/v1/apps/:appKey/login`: a SaaS app's backend logs one of its users in (signed). */
@Controller('api/v1/apps')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  @Post(':appKey/login')
  @HttpCode(200)
  login(@Param('appKey') appKey: string, @Body() body: unknown, @Req() req: Request): Promise<{ userId: number; token: string }> {
    return this.apps.login(appKey, body, req.ip ?? req.socket.remoteAddress ?? 'unknown');
  }
}
