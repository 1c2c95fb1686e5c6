import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, MissingBinaryError } from './redis-server';

/** Finds Debian's ngircd, or explains how to get it. */
export function findNgircd(): string {
  const bin = process.env.NGIRCD_BIN ?? (spawnSync('sh', ['-c', 'command -v ngircd || ls /usr/sbin/ngircd'], { encoding: 'utf8' }).stdout.trim().split('\n')[0] || 'ngircd');
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new MissingBinaryError(
      `ngircd was not found (tried "${bin}"). IRC tests run against a real IRC server: install it with ` +
        '`sudo apt-get install ngircd` (Debian/Ubuntu), or point NGIRCD_BIN at the binary.',
    );
  }
  return bin;
}

export interface TestIrcServerOptions {
  /** The server's name (what it calls itself in replies). */
  name?: string;
  /** Extra `[Limits]` or `[Options]` lines. */
  limits?: Record<string, string | number>;
}

/**
 * A real IRC server (ngircd) on a free port with its own configuration in a temp dir, for one
 * test file. `stop()` and `start()` again keep the port: a client that reconnects finds it back.
 */
export class TestIrcServer {
  private proc: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
    readonly name: string,
  ) {}

  static async start(options: TestIrcServerOptions = {}): Promise<TestIrcServer> {
    const bin = findNgircd();
    const dir = mkdtempSync(join(tmpdir(), 'parley-ircd-'));
    // ngircd drops root for `nobody`: the pid file's directory must be writable by it.
    chmodSync(dir, 0o777);
    const server = new TestIrcServer(await freePort(), dir, bin, options.name ?? 'irc.parley.test');
    // MaxPenaltyTime 0: no flood penalties (tests and benchmarks send fast on purpose).
    const limits = { MaxConnectionsIP: 0, MaxJoins: 0, MaxNickLength: 30, PingTimeout: 120, PongTimeout: 20, MaxPenaltyTime: 0, ...options.limits };
    writeFileSync(
      join(dir, 'ngircd.conf'),
      [
        '[Global]',
        `Name = ${server.name}`,
        'Info = Parley test server',
        'AdminInfo1 = Parley tests',
        'AdminInfo2 = here',
        'AdminEMail = tests@parley.invalid',
        'Listen = 127.0.0.1',
        `Ports = ${server.port}`,
        `PidFile = ${join(dir, 'ngircd.pid')}`,
        'MotdPhrase = "Welcome to the Parley test server"',
        '[Limits]',
        ...Object.entries(limits).map(([k, v]) => `${k} = ${v}`),
        '[Options]',
        'DNS = no',
        'Ident = no',
        'PAM = no',
        '',
      ].join('\n'),
    );
    await server.run();
    return server;
  }

  get host(): string {
    return '127.0.0.1';
  }

  /** The running server's process id, if it runs (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts the server (again) on its port; resolves when it listens. */
  async run(): Promise<void> {
    const proc = spawn(this.bin, ['-n', '-f', join(this.dir, 'ngircd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: proc.stdout });
      lines.on('line', (line) => {
        output.push(line);
        if (line.includes('Now listening on')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`ngircd exited (${String(code)}) before listening:\n${output.join('\n')}`)));
    });
  }

  /** Stops the server (every client connection drops). */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Stops the server and removes its files. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A parsed line as a test reads it: prefix nick, command and parameters. */
export interface PeerLine {
  raw: string;
  nick: string | undefined;
  command: string;
  params: string[];
}

function parseLine(raw: string): PeerLine {
  let rest = raw;
  if (rest.startsWith('@')) rest = rest.slice(rest.indexOf(' ') + 1);
  let nick: string | undefined;
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    nick = rest.slice(1, space).split('!')[0];
    rest = rest.slice(space + 1);
  }
  const params: string[] = [];
  while (rest.length > 0) {
    if (rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    const space = rest.indexOf(' ');
    if (space < 0) {
      params.push(rest);
      break;
    }
    params.push(rest.slice(0, space));
    rest = rest.slice(space + 1);
  }
  const command = params.shift() ?? '';
  return { raw, nick, command: command.toUpperCase(), params };
}

/**
 * Another user on the IRC server, speaking raw IRC over a plain socket: what the Parley user sees
 * on the other side. Answers PING; every line received is kept for the test to wait on.
 */
export class IrcPeer {
  readonly lines: PeerLine[] = [];
  private waiters: { predicate: (l: PeerLine) => boolean; resolve: (l: PeerLine) => void }[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly nick: string,
  ) {
    createInterface({ input: socket }).on('line', (raw) => {
      const line = parseLine(raw.replace(/\r$/, ''));
      if (line.command === 'PING') this.send(`PONG :${line.params[0] ?? ''}`);
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.predicate(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    socket.on('close', () => (this.closed = true));
  }

  /** Connects and registers as `nick`; resolves after the welcome (001). */
  static async connect(server: { host: string; port: number }, nick: string): Promise<IrcPeer> {
    const socket = connect(server.port, server.host);
    socket.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const peer = new IrcPeer(socket, nick);
    peer.send(`NICK ${nick}`);
    peer.send(`USER ${nick} 0 * :Peer ${nick}`);
    await peer.waitFor((l) => l.command === '001');
    return peer;
  }

  send(line: string): void {
    if (!this.closed) this.socket.write(`${line}\r\n`);
  }

  /** Waits for a line (already received or still to come) that satisfies `predicate`. */
  waitFor(predicate: (line: PeerLine) => boolean): Promise<PeerLine> {
    const seen = this.lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** Lines received with this command (e.g. 'PRIVMSG'). */
  received(command: string): PeerLine[] {
    return this.lines.filter((l) => l.command === command);
  }

  close(): void {
    this.socket.destroy();
  }
}
