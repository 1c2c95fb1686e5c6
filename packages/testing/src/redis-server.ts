/// <reference types="jest" />
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { type RedisOptions } from 'ioredis';

/** How many logical databases a test server offers: one per test, handed out in turn. */
const DATABASES = 1000;

export class MissingBinaryError extends Error {}

/** Finds the redis-server binary, or explains how to get one. */
export function findRedisServer(): string {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new MissingBinaryError(
      `redis-server was not found (tried "${bin}"). Tests run against a real Redis: install it with ` +
        '`sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), ' +
        'or point REDIS_SERVER_BIN at the binary.',
    );
  }
  return bin;
}

/** A free TCP port on the loopback interface (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestRedisOptions {
  /** Extra `redis-server` arguments, e.g. `['--notify-keyspace-events', 'KA']`. */
  args?: string[];
}

/**
 * A real redis-server on a free port, with its files in a temp dir, owned by one test tier
 * (usually one test file: start in beforeAll, stop in afterAll). Each test asks for its own
 * logical database with `keySpace()`, so tests never see each other's keys and never touch a
 * Redis they did not start.
 */
export class TestRedis {
  private nextDb = 0;
  private readonly clients = new Set<Redis>();

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private proc: ChildProcess,
    private readonly options: TestRedisOptions,
  ) {}

  private static spawn(port: number, dir: string, options: TestRedisOptions): ChildProcess {
    return spawn(
      findRedisServer(),
      [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--dir', dir,
        '--save', '',
        '--appendonly', 'no',
        '--databases', String(DATABASES),
        '--protected-mode', 'no',
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  }

  static async start(options: TestRedisOptions = {}): Promise<TestRedis> {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
      const proc = TestRedis.spawn(port, dir, options);
      try {
        await waitForReady(proc, port);
        return new TestRedis(port, dir, proc, options);
      } catch (err) {
        proc.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        // Another process may have taken the port between our probe and the server's bind.
        if (attempt >= 4) throw err;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The server's process id (benchmarks read its CPU time). */
  get pid(): number {
    return this.proc.pid!;
  }

  /** A fresh logical database for one test: its URL and a connected client. */
  async keySpace(): Promise<TestKeySpace> {
    if (this.nextDb >= DATABASES) throw new Error(`TestRedis: more than ${DATABASES} key spaces asked of one server`);
    const db = this.nextDb++;
    const space = new TestKeySpace(this, db);
    await space.redis.flushdb(); // the database is new to this server, but make it certain
    return space;
  }

  /** A client on the given database; closed by stop(). */
  client(db = 0, options: RedisOptions = {}): Redis {
    const client = new Redis({ host: '127.0.0.1', port: this.port, db, lazyConnect: false, maxRetriesPerRequest: 1, ...options });
    this.clients.add(client);
    client.once('end', () => this.clients.delete(client));
    return client;
  }

  /**
   * Stops the server (SIGTERM: it writes out its append-only file, when it keeps one) and starts it
   * again on the same port and files, as an operator's restart does. Clients reconnect by themselves.
   */
  async restart(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    await exited;
    this.proc = TestRedis.spawn(this.port, this.dir, this.options);
    await waitForReady(this.proc, this.port);
  }

  /** Stops the server and removes its files. */
  async stop(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    this.clients.clear();
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      this.proc.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One test's own logical database on a TestRedis. */
export class TestKeySpace {
  readonly redis: Redis;
  constructor(
    readonly server: TestRedis,
    readonly db: number,
  ) {
    this.redis = server.client(db);
  }

  /** URL with the database number, for code under test that takes a REDIS_URL. */
  get url(): string {
    return `${this.server.url}/${this.db}`;
  }

  /** Another connection to the same database (for blocking reads, subscribers, a second consumer). */
  connect(options: RedisOptions = {}): Redis {
    return this.server.client(this.db, options);
  }

  async cleanup(): Promise<void> {
    await this.redis.flushdb();
  }
}

/** Resolves when the redis-server just spawned says it accepts connections (rejects if it exits first). */
export function waitForReady(proc: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`redis-server on port ${port} exited with code ${String(code)} before it was ready:\n${output.slice(-2000)}`));
    };
    const cleanup = () => {
      proc.stdout?.off('data', onData);
      proc.stderr?.off('data', onData);
      proc.off('exit', onExit);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', onExit);
  });
}

/**
 * For a test file: one TestRedis for the file (started before its tests, stopped after) and a new
 * key space for each test (flushed after it). Call at describe level; read `.server` and `.space`
 * inside tests and hooks.
 */
export function useTestRedis(options: TestRedisOptions = {}): { readonly server: TestRedis; readonly space: TestKeySpace } {
  let server: TestRedis | undefined;
  let space: TestKeySpace | undefined;
  beforeAll(async () => {
    server = await TestRedis.start(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    space = await server!.keySpace();
  });
  afterEach(async () => {
    await space?.cleanup();
  });
  return {
    get server() {
      return server!;
    },
    get space() {
      return space!;
    },
  };
}
