// Finding, installing and starting the local redis-server that `npm start` uses when REDIS_URL is unset.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** The command a person would run to install redis-server here. */
export function installHint() {
  if (process.platform === 'darwin') return 'brew install redis';
  if (has('apt-get')) return 'sudo apt-get update && sudo apt-get install -y redis-server';
  if (has('dnf')) return 'sudo dnf install -y redis';
  if (has('apk')) return 'sudo apk add redis';
  return 'install redis-server with your package manager';
}

/**
 * Makes sure redis-server is on PATH. Installs it with apt-get when that is possible (Debian or
 * Ubuntu, as root or with password-less sudo) and permitted (PARLEY_AUTO_INSTALL is not 0);
 * otherwise explains the exact command and returns false.
 */
export function ensureRedisServer(log) {
  if (has('redis-server')) return true;
  const permitted = process.env.PARLEY_AUTO_INSTALL !== '0';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (permitted && has('apt-get') && (root || sudo)) {
    log('redis-server is not installed: installing it with apt-get (set PARLEY_AUTO_INSTALL=0 to stop this)');
    const prefix = root ? [] : ['sudo', '-n'];
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', 'redis-server']]) {
      const cmd = [...prefix, ...args];
      const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env });
      if (r.status !== 0) {
        log(`"${cmd.join(' ')}" failed (exit ${r.status}).`);
        return false;
      }
    }
    return has('redis-server');
  }
  log(`redis-server is not installed${permitted ? '' : ' (PARLEY_AUTO_INSTALL=0)'}. Install it with:\n\n    ${installHint()}\n\nor point REDIS_URL at a Redis you have, then run npm start again.`);
  return false;
}

/** Resolves true when something at host:port answers PING with PONG. */
export function pingRedis(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    let answer = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

/**
 * Starts redis-server with AOF and noeviction, its files under `dir`. Returns the process at once
 * (so a Ctrl-C during start can still stop it) and `ready`, which resolves when it accepts clients.
 */
export function startRedisServer({ port, dir, onLine }) {
  mkdirSync(dir, { recursive: true });
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--save', ''],
    // Own process group, so a terminal's Ctrl-C does not stop Redis before the apps.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const ready = new Promise((resolve, reject) => {
    let ready = false;
    const onData = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        onLine(line);
        if (!ready && line.includes('Ready to accept connections')) {
          ready = true;
          resolve();
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      if (!ready) reject(new Error(`redis-server exited with code ${code} before it was ready (is port ${port} taken? set PARLEY_REDIS_PORT)`));
    });
  });
  return { proc, ready };
}
