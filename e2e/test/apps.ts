import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import { outbox } from '@parley/key-schema';
import type { SequencedNotification } from '@parley/protocol';
import { ChildFixture, Collector, eventually, freePort, type KeySpace, type RedisTier, startTestRedis } from '@parley/testing';

export const APPS = ['gateway', 'connection-manager', 'irc-parser', 'loopback-parser', 'im-router'] as const;
export type AppName = (typeof APPS)[number];

export interface RunningApp {
  name: AppName;
  port: number;
  proc: ChildFixture;
  /** Resolves with the first pino line whose msg (and fields) match. */
  waitForLog(msg: string, match?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Starts the built app (apps/<name>/dist/main.js) as a real process on a free port. */
export async function startApp(name: AppName, env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const portVar = name === 'gateway' ? 'GATEWAY_PORT' : 'HEALTH_PORT';
  const proc = ChildFixture.start(join(__dirname, '..', '..', 'apps', name, 'dist', 'main.js'), {
    HTTP_HOST: '127.0.0.1',
    [portVar]: String(port),
    ...env,
  });
  const waitForLog = async (msg: string, match: Record<string, unknown> = {}) => {
    const line = await proc.waitForLine((l) => {
      const o = parse(l);
      return !!o && o.msg === msg && Object.entries(match).every(([k, v]) => o[k] === v);
    });
    return parse(line)!;
  };
  return { name, port, proc, waitForLog };
}

export function parse(line: string): Record<string, unknown> | undefined {
  try {
    const o: unknown = JSON.parse(line);
    return typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts apps on one Redis and remembers them by name (the last one started under a name wins):
 * `start(name, env)` resolves once the app logs that it is listening.
 */
export function appStarter(redisUrl: () => string, base: Record<string, string> = {}) {
  const apps = new Map<AppName, RunningApp>();
  const start = async (name: AppName, env: Record<string, string> = {}) => {
    const app = await startApp(name, { REDIS_URL: redisUrl(), INBOX_BLOCK_MS: '500', ...base, ...env });
    await app.waitForLog(`${name} listening`);
    apps.set(name, app);
    return app;
  };
  return { apps, start };
}

/**
 * An e2e suite's stack: a Redis of its own and the apps `setup` starts on it (it resolves with the
 * gateway's URL). After the suite the clients are disconnected, the apps killed and Redis stopped;
 * PARLEY_E2E_LOGS=1 prints each app's first warnings and errors (where to look when a test fails).
 */
export function useStack(setup: (start: ReturnType<typeof appStarter>['start']) => Promise<string>, base: Record<string, string> = { LOGIN_LIMIT_PER_IP: '100000' }) {
  let server: RedisTier | undefined;
  let space: KeySpace | undefined;
  let url = '';
  const clients: ParleyClient[] = [];
  const { apps, start } = appStarter(() => space!.url, base);
  beforeAll(async () => {
    server = await startTestRedis();
    space = await server.keySpace();
    url = await setup(start);
  });
  afterAll(async () => {
    if (process.env.PARLEY_E2E_LOGS) for (const a of apps.values()) console.log(a.name, a.proc.lines.filter((l) => /"level":"(warn|error)"/.test(l)).slice(0, 5).join('\n'));
    for (const c of clients) c.socket.disconnect();
    await Promise.all([...apps.values()].map((a) => a.proc.kill('SIGKILL')));
    await server?.stop();
  });
  return {
    apps,
    start,
    clients,
    get space(): KeySpace {
      return space!;
    },
    get url(): string {
      return url;
    },
  };
}

/** Registers a user through the HTTP API and logs in: their id and login token. */
export async function registerUser(url: string, nick: string, password = 'correct horse battery'): Promise<{ userId: number; token: string }> {
  const post = (path: string, body: unknown) => fetch(`${url}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const registered = await post('register', { name: nick, email: `${nick}@example.com`, nick, password });
  if (registered.status !== 201) throw new Error(`register ${nick}: ${registered.status} ${await registered.text()}`);
  return (await (await post('login', { username: nick, password })).json()) as { userId: number; token: string };
}

/** A connected ParleyClient of the token's user whose init burst has arrived, and what it is sent. */
export async function connectedSession(url: string, token: string): Promise<{ c: ParleyClient; seen: Collector<SequencedNotification> }> {
  const c = new ParleyClient({ url, token, clientName: 'e2e', transports: ['websocket'], ackDelayMs: 50 });
  const seen = new Collector<SequencedNotification>();
  c.on('notification', seen.push);
  await c.connect();
  await eventually(() => seen.items.some((i) => i.type === 'FINISH_INIT'), Boolean, 'burst');
  return { c, seen };
}

/** Someone whose notifications a test watches. */
export interface Watched {
  nick: string;
  seen: Collector<SequencedNotification>;
}

/** The notifications of one type a user has received so far. */
export const ofType = <T extends SequencedNotification['type']>(u: Watched, type: T) => u.seen.items.filter((i) => i.type === type) as Extract<SequencedNotification, { type: T }>[];

/** Waits for a notification of a type (that matches `predicate`) at the user. */
export const waitFor = <T extends SequencedNotification['type']>(u: Watched, type: T, predicate: (n: Extract<SequencedNotification, { type: T }>) => boolean = () => true) =>
  eventually(() => ofType(u, type).find(predicate), (x) => x !== undefined, `${u.nick}: ${type}`).then((x) => x!);

/** The answer, which must be OK (throws with the answer otherwise; no jest needed, so the chaos command can use it). */
export const ok = <T extends { status: string }>(answer: T): Extract<T, { status: 'OK' }> => {
  if (answer.status !== 'OK') throw new Error(`expected an OK answer, got ${JSON.stringify(answer)}`);
  return answer as Extract<T, { status: 'OK' }>;
};

/**
 * The IRC apps' settings for one test network, `testnet`, on `ircd` (its networks file is written
 * into `dir`): quick reconnects, no flood delay, no connect interval.
 */
export function testnetEnv(dir: string, ircd: { host: string; port: number }) {
  const file = join(dir, 'networks.json');
  writeFileSync(file, JSON.stringify([{ name: 'testnet', host: ircd.host, port: ircd.port, tls: false }]));
  return {
    ircParser: { IRC_NETWORKS_FILE: file, IRC_RETRY_DELAYS: '3x300,1x1000', IRC_RETRY_POLL_MS: '50' },
    connectionManager: { IRC_FLOOD_BURST: '100', IRC_FLOOD_INTERVAL_MS: '5', IRC_CONNECT_INTERVAL_MS: '0' },
  };
}

/**
 * Acknowledges what the session has and waits until its outbox is empty: from then on, a
 * notification reaches it only if its gateway is woken for it (no pump left over from its burst).
 */
export async function drained(space: KeySpace, c: ParleyClient): Promise<void> {
  c.ack();
  await eventually(() => space.redis.llen(outbox(c.userId!, c.sessionId!)), (n) => n === 0, 'the outbox drained');
}
