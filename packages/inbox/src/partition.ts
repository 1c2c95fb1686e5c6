/**
 * A message's ordering key: its top-level `userId`, the same rule as take.lua's `partition()`.
 * Messages without one (or that are not JSON) have the empty partition and no ordering promise.
 */
export function partitionOf(raw: string): string {
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    return '';
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return '';
  const u = (obj as { userId?: unknown }).userId;
  if (typeof u === 'number' && Number.isFinite(u)) return Math.trunc(u).toFixed(0);
  if (typeof u === 'string' && u.length > 0 && u.length <= 64) return u;
  return '';
}
