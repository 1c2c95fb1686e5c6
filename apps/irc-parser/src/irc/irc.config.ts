export interface IrcConfig {
  /** JSON file of the networks users may use (see infra/irc-networks.example.json). */
  IRC_NETWORKS_FILE?: string;
  /** Back-off before reconnect attempt n: comma-separated `<attempts>x<ms>` steps, the last one repeating. */
  IRC_RETRY_DELAYS: string;
  /** Messages an IRC window keeps (`windowmsgs`). */
  IRC_WINDOW_BACKLOG_MAX: number;
  /** How often due reconnects are looked for (ms). */
  IRC_RETRY_POLL_MS: number;
  /** A user who has not been seen for this many days is disconnected (and reconnected at their next login). */
  IRC_AWAY_DISCONNECT_DAYS: number;
  /** How often users away too long are looked for (ms). */
  IRC_AWAY_SWEEP_MS: number;
  /** The user's messages that never reached the socket are sent again after a reconnect if younger than this (ms). */
  IRC_RESEND_MAX_AGE_MS: number;
  /** The CTCP VERSION answer. */
  IRC_CTCP_VERSION: string;
  /** 32 bytes (64 hex characters or base64) sealing users' SASL credentials; unset: none can be stored. */
  IRC_SECRET_KEY?: string;
}

/**
 * The back-off schedule: `3x30000,4x180000,1x3600000` is 30 s for attempts 1-3, 3 min for 4-7,
 * then 1 h (the last step repeats).
 */
export function parseRetryDelays(spec: string): (attempt: number) => number {
  const steps = spec.split(',').map((s) => {
    const m = /^\s*(\d+)x(\d+)\s*$/.exec(s);
    if (!m) throw new Error(`IRC_RETRY_DELAYS: "${s}" is not <attempts>x<ms>`);
    return { times: Number(m[1]), ms: Number(m[2]) };
  });
  if (steps.length === 0) throw new Error('IRC_RETRY_DELAYS is empty');
  return (attempt: number) => {
    let n = attempt;
    for (const step of steps) {
      if (n <= step.times) return step.ms;
      n -= step.times;
    }
    return steps.at(-1)!.ms;
  };
}
