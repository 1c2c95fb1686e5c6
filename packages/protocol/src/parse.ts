/**
 * Parsing with a result instead of an exception: every consumer turns a failure into a
 * dead-letter reason or a request error, so the error is a short line meant for people.
 */
import { type z } from 'zod';
import { INBOX_SCHEMAS, type InboxMessage, type InboxName } from './inbox';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Enough to see what is wrong without flooding a log line or a dead-letter entry. */
const MAX_ISSUES = 5;

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

// zod says only "Invalid input" when no member of a plain union matched; naming what each
// member objected to is what makes the reason useful.
function describe(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue.message;
  const branches = issue.errors.map((branch) =>
    branch.map((inner) => (inner.path.length > 0 ? `${formatPath(inner.path)}: ${describe(inner)}` : describe(inner))).join(', '),
  );
  return `no alternative matched (${branches.join(' | ')})`;
}

/** `path: message; path: message` — the first few zod issues. */
export function summarizeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, MAX_ISSUES).map((issue) => `${formatPath(issue.path)}: ${describe(issue)}`);
  if (issues.length > MAX_ISSUES) parts.push(`(+${issues.length - MAX_ISSUES} more)`);
  return parts.join('; ');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: summarizeIssues(result.error.issues) };
}

/** An inbox entry as popped from Redis: JSON text, then the inbox's schema. */
export function parseInboxMessage<N extends InboxName>(name: N, raw: string): ParseResult<InboxMessage<N>> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err: unknown) {
    return { ok: false, error: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  // INBOX_SCHEMAS[name] is the schema of InboxMessage<N>; TypeScript loses that when N is generic.
  return parseWith(INBOX_SCHEMAS[name], json) as ParseResult<InboxMessage<N>>;
}
