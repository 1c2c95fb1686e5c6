import { join } from 'node:path';
import { type ChaosReport, IRC_IN, runChaos, writeReport } from './chaos/scenario';

/**
 * The chaos suite in its short form (the full one is `npm run chaos`): the same scenario — a room,
 * direct messages and an IRC channel both ways under load, SIGKILL of each app in turn and a Redis
 * restart, then fuzzing — with few messages per phase and a thousand fuzz inputs of each kind.
 */
describe('chaos, short: kill -9 each app and restart Redis under load, then fuzz', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({ perPhase: 5, fuzz: { socket: 1_000, irc: 1_000, http: 300 } }, (line) => process.stdout.write(`chaos: ${line}\n`));
    writeReport(report, join(__dirname, '..', 'chaos-results', 'short'));
  }, 600_000);

  it('injected every fault, and every stream moved again after each', () => {
    expect(report.faults.map((f) => f.fault)).toEqual([
      'SIGKILL gateway',
      'SIGKILL loopback-parser',
      'SIGKILL irc-parser',
      'SIGKILL im-router',
      'SIGKILL connection-manager',
      'redis restart (AOF everysec)',
    ]);
    for (const f of report.faults) expect(Object.keys(f.recoveryMs).sort()).toEqual(['dm', 'ircIn', 'ircOut', 'room']);
  });

  it('delivered every message that got a gid to its recipient exactly once and in order', () => {
    for (const s of report.streams) {
      expect({ stream: s.stream, lost: s.lost }).toEqual({ stream: s.stream, lost: 0 });
      // The one thing plain IRC leaves open is not counted here but apart (resentAfterReconnect):
      // the lines on the wire when connection-manager was SIGKILLed, which the server may have
      // handled but never confirmed, go out again right after the reconnect (apps/irc-parser/README.md).
      // Any other second copy, and anything out of order, fails.
      expect({ stream: s.stream, duplicated: s.duplicated, outOfOrder: s.outOfOrder }).toEqual({ stream: s.stream, duplicated: 0, outOfOrder: 0 });
      expect(s.sent).toBeGreaterThan(0);
    }
    // IRC lines in that never reached Parley (no gid) are reported apart, not as lost: said while
    // dave's link was down, or, at connection-manager's SIGKILL, neither at dave nor anywhere in
    // Redis (in the server's queue, the kernel's buffer or the dead process: IRC has no replay).
    // Everything Redis held then must arrive (lost 0 above).
    const notReceived = report.streams.find((s) => s.stream === IRC_IN)?.notReceived;
    expect(Object.keys(notReceived ?? {}).sort()).toEqual(['diedWithSocket', 'offNetwork']);
  });

  it('kept the IRC socket up through every fault but the death of connection-manager itself', () => {
    expect(report.faults.filter((f) => f.ircSocketDropped).map((f) => f.fault)).toEqual(['SIGKILL connection-manager']);
  });

  it('survived the fuzzing: every malformed input answered with an error or handled, and no app died', () => {
    expect(report.fuzz.map((f) => f.kind)).toHaveLength(3);
    for (const f of report.fuzz) {
      expect(f.appsAlive).toBe(true);
      expect(f.handledOrLogged).toBe(f.sent);
    }
  });
});
