import { type Message, StoredMessage } from './common';

/** Which page of a window's history a FETCH asks for. */
export interface HistoryQuery {
  beforeGid?: number;
  afterGid?: number;
  limit: number;
}

/**
 * A FETCH page from a stored history (newest first, as the backlog lists hold it): after
 * `afterGid` the oldest `limit` newer ones, before `beforeGid` (or with neither) the newest `limit`
 * older ones; oldest first either way. Entries that are not stored messages are left out.
 */
export function historyPage(newestFirst: readonly string[], query: HistoryQuery, windowId: number): Message[] {
  const all: StoredMessage[] = [];
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    let json: unknown;
    try {
      json = JSON.parse(newestFirst[i]!);
    } catch {
      continue;
    }
    const parsed = StoredMessage.safeParse(json);
    if (parsed.success) all.push(parsed.data);
  }
  const { afterGid, beforeGid, limit } = query;
  let page: StoredMessage[];
  if (afterGid !== undefined) page = all.filter((m) => m.gid > afterGid).slice(0, limit);
  else if (beforeGid !== undefined) page = all.filter((m) => m.gid < beforeGid).slice(-limit);
  else page = all.slice(-limit);
  return page.map((m) => ({ ...m, windowId }));
}
