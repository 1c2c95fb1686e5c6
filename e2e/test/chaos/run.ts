// `npm run chaos`: the chaos scenario in full (needs `npm run build`); prints its progress and
// writes e2e/chaos-results/chaos-report.{md,json}. Sizes: CHAOS_PER_PHASE, CHAOS_FUZZ_SOCKET,
// CHAOS_FUZZ_IRC, CHAOS_FUZZ_HTTP.
import { join } from 'node:path';
import { runChaos, writeReport } from './scenario';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

runChaos(
  { perPhase: num('CHAOS_PER_PHASE', 50), fuzz: { socket: num('CHAOS_FUZZ_SOCKET', 100_000), irc: num('CHAOS_FUZZ_IRC', 100_000), http: num('CHAOS_FUZZ_HTTP', 10_000) } },
  (line) => console.log(line),
).then(
  (report) => {
    console.log(`report: ${writeReport(report, join(__dirname, '..', '..', 'chaos-results'))}`);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
