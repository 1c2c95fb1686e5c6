import { env } from '@parley/runtime';

/** loopback-parser's own settings. */
export const roomsConfigShape = {
  /** Messages a room keeps (MAS kept 200). */
  ROOM_BACKLOG_MAX: env.int(200, 10, 100_000),
  /** Messages a new member's window starts with. */
  ROOM_JOIN_BACKLOG: env.int(50, 0, 1000),
};

export interface RoomsConfig {
  ROOM_BACKLOG_MAX: number;
  ROOM_JOIN_BACKLOG: number;
}
