// Turns the apps' pino JSON lines into one readable, prefixed line each (for `npm start`).
const COLORS = { gateway: 36, 'connection-manager': 35, 'irc-parser': 34, 'loopback-parser': 32, 'im-router': 33, redis: 31, parley: 37 };
const LEVELS = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const SKIP = new Set(['level', 'time', 'app', 'pid', 'msg', 'hostname', 'v']);
const width = Math.max(...Object.keys(COLORS).map((k) => k.length));

export function formatLine(source, line, color = process.stdout.isTTY) {
  const tag = source.padEnd(width);
  const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let obj;
  try {
    obj = JSON.parse(line);
  } catch {
    return `${paint(COLORS[source] ?? 37, tag)} │ ${line}`;
  }
  if (typeof obj !== 'object' || obj === null) return `${paint(COLORS[source] ?? 37, tag)} │ ${line}`;
  const time = typeof obj.time === 'string' ? obj.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const level = LEVELS[obj.level] ?? String(obj.level ?? '').toUpperCase().padEnd(5);
  const levelColor = obj.level === 'error' || obj.level === 'fatal' ? 31 : obj.level === 'warn' ? 33 : 2;
  const extras = Object.entries(obj)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${paint(COLORS[source] ?? 37, tag)} │ ${time} ${paint(levelColor, level)} ${obj.msg ?? ''}${extras ? ` ${paint(2, extras)}` : ''}`;
}
