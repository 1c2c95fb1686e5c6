import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scriptRoute } from '@parley/key-schema';
import type { RedisConnection as Redis } from '@parley/runtime';

/**
 * A Lua script kept as a file under packages/inbox/lua (with its KEYS/ARGV header), run by SHA and
 * sent whole only when the server does not know it yet (after a restart or SCRIPT FLUSH).
 */
export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Loads `<dir>/<name>.lua`. */
  static fromDir(dir: string, name: string): LuaScript {
    return new LuaScript(name, readFileSync(join(dir, `${name}.lua`), 'utf8'));
  }

  /** Loads this package's lua/<name>.lua; the path is the same from src/ (tests) and dist/ (builds). */
  static load(name: string): LuaScript {
    return LuaScript.fromDir(join(__dirname, '..', 'lua'), name);
  }

  /**
   * A script made of this package's shared functions (`lua/lib/outbox.lua`: append to a user's
   * outboxes, answer a request) followed by `<dir>/<name>.lua`, so that a backend's script can
   * change its state, notify users and answer the request in one atomic step. `libs` are more
   * files of `dir` (without `.lua`) put between the two.
   */
  static withOutboxLib(dir: string, name: string, libs: readonly string[] = []): LuaScript {
    return LuaScript.compose([OUTBOX_LIB], dir, name, libs);
  }

  /**
   * Like withOutboxLib, with `lua/lib/request.lua` too (tell a user, answer the script's request:
   * `answered`, `reply`, `ok`, `fail`): the scripts of a backend that handles client requests.
   */
  static withRequestLib(dir: string, name: string, libs: readonly string[] = []): LuaScript {
    return LuaScript.compose([OUTBOX_LIB, REQUEST_LIB], dir, name, libs);
  }

  private static compose(shared: readonly string[], dir: string, name: string, libs: readonly string[]): LuaScript {
    const read = (file: string) => readFileSync(join(dir, `${file}.lua`), 'utf8');
    return new LuaScript(name, [...shared, ...libs.map(read), read(name)].join('\n'));
  }

  /**
   * Runs the script. One that finds its keys on the way (KEYS empty) is given `scriptroute`, which
   * it never touches, as its only KEYS entry: a cluster client then sends it to the node of
   * Parley's slot instead of any node.
   */
  async run(redis: Redis, declared: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const keys = declared.length > 0 ? declared : [scriptRoute()];
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return redis.eval(this.source, keys.length, ...keys, ...args);
      throw err;
    }
  }
}

const LUA_DIR = join(__dirname, '..', 'lua');
const OUTBOX_LIB = readFileSync(join(LUA_DIR, 'lib', 'outbox.lua'), 'utf8');
const REQUEST_LIB = readFileSync(join(LUA_DIR, 'lib', 'request.lua'), 'utf8');

export const scripts = {
  take: LuaScript.load('take'),
  reclaim: LuaScript.load('reclaim'),
  leave: LuaScript.load('leave'),
  heartbeat: LuaScript.load('heartbeat'),
  notify: LuaScript.withOutboxLib(LUA_DIR, 'notify'),
  answer: LuaScript.withOutboxLib(LUA_DIR, 'answer'),
};
