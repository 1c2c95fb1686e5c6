import { HttpException } from '@nestjs/common';

/** An HTTP error in protocol.md's shape: `{ error: { code, message, fields? } }`. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers: Record<string, string> = {},
  ) {
    super({ error: { code, message, ...(fields ? { fields } : {}) } }, status);
  }
}
