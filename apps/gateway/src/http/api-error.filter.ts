import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';
import { type Logger, LOGGER } from '@parley/runtime';
import { ApiError } from './api-error';

const CODES: Record<number, string> = { 400: 'VALIDATION_FAILED', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED' };

/**
 * Every error leaves the gateway in one shape, `{ error: { code, message, fields? } }`; Nest's own
 * (unknown route, unparsable JSON) included. Unexpected errors are logged once, with the request,
 * and answered 500 without their details.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<{ method: string; url: string }>();
    if (exception instanceof ApiError) {
      for (const [k, v] of Object.entries(exception.headers)) res.setHeader(k, v);
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const message = status === 400 ? 'the request body is not valid JSON' : exception.message;
      res.status(status).json({ error: { code: CODES[status] ?? 'HTTP_ERROR', message } });
      return;
    }
    this.logger.error({ err: exception, method: req.method, url: req.url }, 'request failed');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  }
}
