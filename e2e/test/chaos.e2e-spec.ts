import { join } from 'node:path';
import { type ChaosReport, runChaos, writeReport } from './chaos/scenario';

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
      // Not yet closed (issue 9 stays open): lines the peer said just before connection-manager's
      // SIGKILL, read from the socket by the dying process but not yet pushed to Redis, are gone
      // (IRC does not replay them). The scenario exempts only lines said after the kill.
      const lossAllowed = s.stream.startsWith('IRC line in') ? 10 : 0;
      expect(s.lost).toBeLessThanOrEqual(lossAllowed);
      // Not exactly once yet (issue 9 stays open): the lines a killed connection-manager wrote in its
      // last turn, whose `sent` had not left the process, go out again after the reconnect
      // (apps/irc-parser/README.md); 2 in one run of this. Nothing else may be doubled. A second
      // copy comes after later lines, so each also counts as out of order, at most twice.
      const allowed = s.stream.startsWith('IRC line out') ? 5 : 0;
      expect(s.duplicated).toBeLessThanOrEqual(allowed);
      expect({ stream: s.stream, outOfOrder: s.outOfOrder <= 2 * s.duplicated ? 0 : s.outOfOrder }).toEqual({ stream: s.stream, outOfOrder: 0 });
      expect(s.sent).toBeGreaterThan(0);
    }
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
