import type { ClientToServerEvents, ServerToClientEvents } from '@parley/protocol';
import type { Server, Socket } from 'socket.io';
import type { SessionRef } from './sessions.repository';

/** What the gateway keeps on each socket. */
export interface SocketData {
  userId: number;
  /** The hash of the login token the socket authenticated with. */
  tokenHash: string;
  /** True when the token came from the cookie (it is then never put in an ack). */
  viaCookie: boolean;
  /** Set once `init` succeeded. */
  ref?: SessionRef;
  /** An init is under way (a second one is refused). */
  initializing?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no server-to-server events
export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
