import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LuaScript } from '@parley/inbox';
import { useTestRedis } from '@parley/testing';

/** Every room script, composed as it runs (outbox lib + rooms-lib + body), compiles on a real Redis. */
describe('room scripts (real Redis)', () => {
  const redis = useTestRedis();
  const dir = join(__dirname, '..', 'lua');
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.lua') && f !== 'rooms-lib.lua')
    .map((f) => f.slice(0, -'.lua'.length));

  it('finds the scripts', () => {
    expect(names).toEqual(expect.arrayContaining(['create', 'join', 'leave', 'send', 'edit', 'topic', 'settings', 'moderate']));
  });

  it.each(names)('%s compiles', async (name) => {
    const script = LuaScript.withRequestLib(dir, name, ['rooms-lib']);
    expect(await redis.space.redis.script('LOAD', script.source)).toBe(script.sha);
  });
});
