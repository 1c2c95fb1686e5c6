/**
 * The account API (protocol.md's HTTP table) as the browser calls it: same origin, the login
 * cookie (httpOnly: page scripts never see the token) and the CSRF header the gateway asks of
 * every cookie-authenticated request that changes something.
 */
import type { CookieLoginResult, ErrorBody, Profile } from '@parley/protocol';

/** A refused call: the server's code and message, and the fields it named (shown next to them). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

// Codes that are about one field, though the server does not name it in `fields`.
const FIELD_OF_CODE: Record<string, string> = { EMAIL_TAKEN: 'email', NICK_TAKEN: 'nick', INVALID_TOKEN: 'password' };

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/${path}`, {
      method,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-parley-csrf': '1' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiFailure(0, 'NETWORK', 'Parley cannot be reached; check the connection and try again.');
  }
  if (res.status === 204 || res.status === 202) return undefined as T;
  const data = (await res.json().catch(() => undefined)) as unknown;
  if (res.ok) return data as T;
  const error = (data as Partial<ErrorBody> | undefined)?.error;
  const code = error?.code ?? 'HTTP_' + res.status;
  const fields = { ...(error?.fields ?? {}) };
  const field = FIELD_OF_CODE[code];
  if (field && !fields[field]) fields[field] = error?.message ?? code;
  const retry = res.headers.get('retry-after');
  const message = res.status === 429 && retry ? `${error?.message ?? 'too many attempts'} (in ${retry} s)` : (error?.message ?? `the server answered ${res.status}`);
  throw new ApiFailure(res.status, code, message, fields);
}

export const api = {
  register: (b: { name: string; email: string; nick: string; password: string }) => call<{ userId: number }>('POST', 'register', b),
  // cookieOnly: the token stays in the httpOnly cookie; no script of the page ever holds it.
  login: (b: { username: string; password: string }) => call<CookieLoginResult>('POST', 'login', { ...b, cookieOnly: true }),
  logout: (all: boolean) => call<void>('POST', 'logout', { all }),
  requestReset: (email: string) => call<void>('POST', 'password-reset', { email }),
  confirmReset: (token: string, password: string) => call<void>('POST', 'password-reset/confirm', { token, password }),
  profile: () => call<Profile>('GET', 'profile'),
  /** Every other session of the account ends (PASSWORD_CHANGED); this one goes on. */
  changePassword: (currentPassword: string, newPassword: string) => call<void>('POST', 'password', { currentPassword, newPassword }),
  deleteAccount: (password: string) => call<void>('DELETE', 'account', { password }),
};
