import { randomBytes } from 'node:crypto';
import type { IrcConfig } from '../src/irc/irc.config';

/** irc-parser's settings for tests: one quick retry, a small backlog, a fresh server key. */
export function testIrcConfig(overrides: Partial<IrcConfig> = {}): IrcConfig {
  return {
    IRC_RETRY_DELAYS: '1x1000',
    IRC_WINDOW_BACKLOG_MAX: 100,
    IRC_RETRY_POLL_MS: 1000,
    IRC_AWAY_DISCONNECT_DAYS: 0,
    IRC_AWAY_SWEEP_MS: 3_600_000,
    IRC_RESEND_MAX_AGE_MS: 300_000,
    IRC_CTCP_VERSION: 'Parley test',
    IRC_SECRET_KEY: randomBytes(32).toString('hex'),
    ...overrides,
  };
}

/** The one network the tests' users are on (no server behind it: the tests play the server). */
export const TEST_NETWORKS = new Map([['testnet', { name: 'testnet', host: '127.0.0.1', port: 6667, tls: false }]]);
