import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { objectHash, objectValue } from '@parley/key-schema';
import { useTestRedis } from '@parley/testing';
import { run } from '../src/cli';

describe('admin CLI (real Redis)', () => {
  const redis = useTestRedis();
  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    await run(argv, redis.space.redis, (l) => lines.push(l));
    return lines;
  };

  it('creates, lists, shows, changes and deletes objects of any type', async () => {
    expect(await cli('create', 'BotInfo', 'nick=Guide', 'realname=The Guide')).toEqual(['1']);
    expect(await cli('create', 'BotInfo', 'nick=Other')).toEqual(['2']);
    expect(await cli('list', 'BotInfo')).toEqual(['BotInfo:1 {"nick":"Guide","realname":"The Guide"}', 'BotInfo:2 {"nick":"Other"}']);
    expect(await cli('list', 'BotInfo', 'nick=Other')).toEqual(['BotInfo:2 {"nick":"Other"}']);
    expect(await cli('set', 'BotInfo', '1', 'host=bots.parley', '-realname')).toEqual(['BotInfo:1 {"nick":"Guide","host":"bots.parley"}']);
    expect(await redis.space.redis.hgetall(objectHash('BotInfo', 1))).toEqual({ nick: 'Guide', host: 'bots.parley' });
    expect(await cli('replace', 'BotInfo', '1', 'nick=Guide2')).toEqual(['BotInfo:1 {"nick":"Guide2"}']);
    expect(await redis.space.redis.smembers(objectValue('BotInfo', 'nick', 'Guide'))).toEqual([]);
    expect(await cli('show', 'BotInfo', '1')).toEqual(['BotInfo:1 {"nick":"Guide2"}']);
    expect(await cli('delete', 'BotInfo', '1')).toEqual(['deleted BotInfo:1']);
    expect((await cli('types')).some((l) => l.startsWith('Network: name (unique) (required), host (required), port (required) int'))).toBe(true);
  });

  it('says clearly what is wrong: unknown types and fields, unique clashes, bad values, usage', async () => {
    await cli('create', 'Network', 'name=libera', 'host=irc.libera.chat', 'port=6697', 'tls=true');
    await expect(cli('create', 'Nope', 'a=b')).rejects.toMatchObject({ code: 'UNKNOWN_TYPE', message: expect.stringContaining('known: Network, BotInfo') as string });
    await expect(cli('create', 'Network', 'name=x', 'host=h', 'port=1', 'colour=red')).rejects.toMatchObject({ code: 'UNKNOWN_FIELD' });
    await expect(cli('create', 'Network', 'name=libera', 'host=h', 'port=1')).rejects.toMatchObject({ code: 'UNIQUE', field: 'name' });
    await expect(cli('set', 'Network', '1', 'port=many')).rejects.toMatchObject({ code: 'INVALID', field: 'port' });
    await expect(cli('show', 'Network', '9')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(cli('show', 'Network', 'x')).rejects.toThrow(/object id/);
    await expect(cli('frobnicate')).rejects.toThrow(/unknown command/);
  });

  it('runs as a program: stdout for results, stderr and an exit code for mistakes', () => {
    const main = join(__dirname, '..', 'src', 'cli.ts');
    const register = join(__dirname, '..', '..', 'testing', 'register.cjs');
    const exec = (...args: string[]) => spawnSync(process.execPath, ['-r', register, main, ...args], { env: { ...process.env, REDIS_URL: redis.space.url }, encoding: 'utf8' });
    const made = exec('create', 'AutoKick', 'room=#tea', 'mask=spam*', 'reason=no spam');
    expect(made.status).toBe(0);
    expect(made.stdout.trim()).toBe('1');
    const clash = exec('create', 'Nope');
    expect(clash.status).toBe(1);
    expect(clash.stderr).toMatch(/^UNKNOWN_TYPE: unknown object type Nope/);
    const usage = exec();
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/no command\nusage: admin/);
  });
});
