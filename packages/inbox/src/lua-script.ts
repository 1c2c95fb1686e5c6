import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Redis from 'ioredis';

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

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return redis.eval(this.source, keys.length, ...keys, ...args);
      throw err;
    }
  }
}

export const scripts = {
  take: LuaScript.load('take'),
  reclaim: LuaScript.load('reclaim'),
  leave: LuaScript.load('leave'),
  heartbeat: LuaScript.load('heartbeat'),
  notify: LuaScript.load('notify'),
  answer: LuaScript.load('answer'),
};
