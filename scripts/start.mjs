#!/usr/bin/env node
// `npm start`: build, start Redis (REDIS_URL, or a local redis-server with AOF under ./.data/redis),
// start the five apps with readable prefixed logs, wait until each reports ready, print the URL,
// and stop everything cleanly on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { APPS } from './lib/apps.mjs';
import { formatLine } from './lib/logfmt.mjs';
import { ensureRedisServer, pingRedis, startRedisServer } from './lib/redis.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => console.log(formatLine('parley', JSON.stringify({ level: 'info', time: new Date().toISOString(), msg })));
const fail = (msg) => {
  console.error(formatLine('parley', JSON.stringify({ level: 'error', time: new Date().toISOString(), msg })));
};

const children = new Map(); // name -> child process
let redisProc;
let stopping = false;

function pipeLines(name, stream, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`${formatLine(name, line)}\n`));
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('stopping: SIGTERM to every app (each finishes the work in hand)');
  const exits = [...children.values()].map(
    (child) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  if (redisProc && redisProc.exitCode === null) {
    say('stopping redis-server (its AOF is flushed to ./.data/redis)');
    await new Promise((resolve) => {
      redisProc.once('exit', resolve);
      redisProc.kill('SIGTERM');
    });
  }
  say('stopped');
  process.exit(code);
}

async function waitReady(app, deadline) {
  while (Date.now() < deadline) {
    if (stopping) return false;
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/readyz`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function main() {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0)); // the terminal closed
  // Whatever way this script ends, nothing it started may outlive it.
  process.on('exit', () => {
    for (const child of [...children.values(), redisProc]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  if (process.env.PARLEY_SKIP_BUILD !== '1') {
    say('building (turbo caches what has not changed)');
    const build = spawnSync(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) {
      fail('the build failed; see above');
      process.exit(1);
    }
  }

  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    say(`using REDIS_URL (${redisUrl.replace(/\/\/([^@/]*)@/, '//***@')})`);
  } else {
    const port = Number(process.env.PARLEY_REDIS_PORT ?? 6380);
    redisUrl = `redis://127.0.0.1:${port}`;
    if (await pingRedis(port)) {
      say(`a Redis already answers on 127.0.0.1:${port}; using it`);
    } else {
      if (!ensureRedisServer((m) => (m.includes('Install it') ? fail(m) : say(m)))) process.exit(1);
      const dir = join(root, '.data', 'redis');
      say(`starting redis-server on 127.0.0.1:${port} (AOF on, noeviction, files in ./.data/redis)`);
      const started = startRedisServer({ port, dir, onLine: (line) => process.stdout.write(`${formatLine('redis', line)}\n`) });
      redisProc = started.proc;
      await started.ready;
      if (stopping) return;
      redisProc.once('exit', (code) => {
        if (!stopping) {
          fail(`redis-server exited (code ${code})`);
          void stopAll(1);
        }
      });
    }
  }

  for (const app of APPS) {
    if (stopping) return;
    const main = join(root, 'apps', app.name, 'dist', 'main.js');
    if (!existsSync(main)) {
      fail(`${main} is missing: the build did not produce it`);
      await stopAll(1);
    }
    const env = { ...process.env, REDIS_URL: redisUrl, HTTP_HOST: process.env.HTTP_HOST ?? '127.0.0.1', [app.portVar]: String(app.port) };
    // Own process group: a terminal's Ctrl-C reaches only this script, which stops the apps in order.
    const child = spawn(process.execPath, [main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.set(app.name, child);
    pipeLines(app.name, child.stdout, process.stdout);
    pipeLines(app.name, child.stderr, process.stderr);
    child.once('exit', (code, signal) => {
      if (!stopping) {
        fail(`${app.name} exited unexpectedly (code ${code}, signal ${signal}); stopping everything`);
        void stopAll(1);
      }
    });
  }

  const deadline = Date.now() + Number(process.env.PARLEY_START_TIMEOUT_MS ?? 60_000);
  const ready = await Promise.all(APPS.map((app) => waitReady(app, deadline)));
  if (stopping) return;
  const late = APPS.filter((_, i) => !ready[i]).map((a) => a.name);
  if (late.length > 0) {
    fail(`not ready in time: ${late.join(', ')} (see their logs above)`);
    await stopAll(1);
    return;
  }
  say(`all ${APPS.length} apps are ready: ${APPS.map((a) => `${a.name}:${a.port}`).join(' ')}`);
  say(`Parley is running at http://localhost:${APPS[0].port}  (Ctrl-C stops everything)`);
  say(`try it: redis-cli -u ${redisUrl} LPUSH inbox:loopbackparser '{"v":1,"type":"ping","id":"hello"}'`);
}

main().catch((err) => {
  fail(err instanceof Error ? err.message : String(err));
  void stopAll(1);
});
