import { Notifier } from '@parley/inbox';
import { outbox, session, sessionEnd, sessionReplies } from '@parley/key-schema';
import { useTestRedis } from '@parley/testing';
import { SessionsRepository } from '../src/sessions/sessions.repository';

/** The session scripts on their own, where the interleavings a socket test cannot time are set up by hand. */
describe('session scripts (real Redis)', () => {
  const redis = useTestRedis();
  const ref = { userId: 7, sessionId: 'sess-0001' };
  const repo = () => new SessionsRepository(redis.space.redis, '4242-0a1b2c3d');
  const entries = async () => (await redis.space.redis.lrange(outbox(7, 'sess-0001'), 0, -1)).map((e) => JSON.parse(e) as { seq: number; type: string; gid?: number });
  const message = (gid: number) => ({ type: 'ADD_MESSAGE' as const, windowId: 1, gid, ts: gid, cat: 'msg' as const, body: `m${gid}`, nick: 'bob' });

  it('puts the burst before what was appended while it was built, numbers all from 1, and drops messages the burst carries', async () => {
    expect(await repo().create(ref, 'hash', 'test', 8)).toEqual([]);
    // The creating gateway holds it: its wake-ups go to that gateway's channel.
    expect(await redis.space.redis.hget(session(7, 'sess-0001'), 'gateway')).toBe('4242-0a1b2c3d');
    // Backends append while the gateway reads the snapshot: message 3 made it into the snapshot, message 4 did not.
    await new Notifier(redis.space.redis).notifyUser(7, [message(3), { type: 'UPDATE_SETTINGS', settings: { x: 1 } }, message(4)]);
    const burst = [{ type: 'UPDATE_SETTINGS', settings: {} }, { type: 'ADD_MESSAGES', messages: [{ windowId: 1, messages: [] }] }, { type: 'FINISH_INIT' }].map((n) => JSON.stringify(n));
    expect(await repo().completeInit(ref, burst, ['1:2', '1:3'])).toBe(6);
    expect((await entries()).map((e) => [e.seq, e.type, e.gid])).toEqual([
      [1, 'UPDATE_SETTINGS', undefined],
      [2, 'ADD_MESSAGES', undefined],
      [3, 'FINISH_INIT', undefined],
      [4, 'UPDATE_SETTINGS', undefined],
      [5, 'ADD_MESSAGE', 4],
    ]);
    expect(await redis.space.redis.hget(session(7, 'sess-0001'), 'listenRcvNext')).toBe('6');
    expect(await redis.space.redis.hexists(session(7, 'sess-0001'), 'initPending')).toBe(0);
    // The next notification continues the numbering.
    await new Notifier(redis.space.redis).notifyUser(7, [message(5)]);
    expect((await entries()).at(-1)).toMatchObject({ seq: 6, gid: 5 });
  });

  it('asks for the burst again when the outbox was cut while it was built', async () => {
    await repo().create(ref, 'hash', 'test', 8);
    await new Notifier(redis.space.redis, 1).notifyUser(7, [message(1), message(2)]);
    expect(await repo().completeInit(ref, ['{"type":"FINISH_INIT"}'], [])).toBe(-2);
    expect(await repo().completeInit(ref, ['{"type":"FINISH_INIT"}'], [])).toBe(2);
  });

  it('reads after a seq with one LRANGE, and resumes only when nothing after lastSeq is missing', async () => {
    await repo().create(ref, 'hash', 'test', 8);
    await repo().completeInit(ref, ['{"type":"FINISH_INIT"}'], []);
    await new Notifier(redis.space.redis).notifyUser(7, [message(1), message(2), message(3)]);
    const read = await repo().readOutbox(ref, 2, 10);
    expect(read.status === 'OK' && read.entries.map((e) => (JSON.parse(e) as { seq: number }).seq)).toEqual([3, 4]);
    expect(await repo().ack(ref, 2)).toBe(2);
    expect(await repo().resume(ref, 1, 'hash')).toBe('BEHIND');
    expect(await repo().resume(ref, 9, 'hash')).toBe('AHEAD');
    // The socket that resumes came with a rotated token: the session now runs on that one.
    expect(await repo().resume(ref, 3, 'rotated-hash')).toBe('OK');
    expect(await redis.space.redis.hget(session(7, ref.sessionId), 'tokenHash')).toBe('rotated-hash');
    expect((await entries()).map((e) => e.seq)).toEqual([4]);
    expect(await repo().resume({ userId: 7, sessionId: 'nobody-here' }, 0, 'hash')).toBe('GONE');
  });

  it('claims each seq once, keeps a bounded number of answers, and refuses gaps', async () => {
    await repo().create(ref, 'hash', 'test', 8);
    expect(await repo().claim(ref, 1, 2)).toEqual({ status: 'CLAIMED' });
    expect(await repo().claim(ref, 1, 2)).toMatchObject({ status: 'REPLAY', stored: expect.stringMatching(/^P\d+$/) as string });
    await redis.space.redis.hset(sessionReplies(7, 'sess-0001'), '1', '{"status":"OK"}');
    expect(await repo().claim(ref, 3, 2)).toEqual({ status: 'GAP', expected: 2 });
    // Requests 2 to 16, each answered at once but 5 (still being handled) and 16 (just claimed).
    for (let seq = 2; seq <= 16; seq++) {
      expect(await repo().claim(ref, seq, 2)).toEqual({ status: 'CLAIMED' });
      if (seq !== 5 && seq !== 16) await redis.space.redis.hset(sessionReplies(7, 'sess-0001'), String(seq), '{"status":"OK"}');
      // Pruned 16 at a time: until then, older answers stay.
      if (seq === 15) expect(await redis.space.redis.hlen(sessionReplies(7, 'sess-0001'))).toBe(15);
    }
    // At 16, what is older than the last two goes — but an answer still awaited is never pruned,
    // however many requests follow it.
    const kept = (await redis.space.redis.hkeys(sessionReplies(7, 'sess-0001'))).map(Number).sort((a, b) => a - b);
    expect(kept).toEqual([5, 15, 16]);
    expect(await repo().claim(ref, 1, 2)).toEqual({ status: 'OLD' });
    expect(await repo().claim(ref, 15, 2)).toEqual({ status: 'REPLAY', stored: '{"status":"OK"}' });
  });

  it('claims and hands a request to its inbox in one step', async () => {
    await repo().create(ref, 'hash', 'test', 8);
    expect(await repo().claim(ref, 1, 10, { inbox: 'loopbackparser', envelope: '{"x":1}' })).toEqual({ status: 'CLAIMED' });
    // A repeat does not push it again.
    expect((await repo().claim(ref, 1, 10, { inbox: 'loopbackparser', envelope: '{"x":1}' })).status).toBe('REPLAY');
    expect(await redis.space.redis.lrange('inbox:loopbackparser', 0, -1)).toEqual(['{"x":1}']);
  });

  it('ends the oldest sessions beyond the cap, never the new one', async () => {
    expect(await repo().create({ userId: 7, sessionId: 'sess-a001' }, 'h', 't', 2)).toEqual([]);
    expect(await repo().create({ userId: 7, sessionId: 'sess-a002' }, 'h', 't', 2)).toEqual([]);
    expect(await repo().create({ userId: 7, sessionId: 'sess-a003' }, 'h', 't', 2)).toEqual(['sess-a001']);
    // Nothing is ended here (the caller does that): with a cap of 1, all three older ones go, the new one stays.
    expect(await repo().create({ userId: 7, sessionId: 'sess-a004' }, 'h', 't', 1)).toEqual(['sess-a001', 'sess-a002', 'sess-a003']);
  });

  it('expires a session only if it is still idle', async () => {
    await repo().create(ref, 'hash', 'test', 8);
    const cutoff = Date.now() - 60_000;
    expect(await repo().end(ref, { code: 'EXPIRED', reason: 'idle' }, cutoff)).toBe(false);
    expect(await repo().end(ref, { code: 'EXPIRED', reason: 'idle' }, Date.now() + 1)).toBe(true);
    expect(await redis.space.redis.exists(session(7, 'sess-0001'), outbox(7, 'sess-0001'), sessionReplies(7, 'sess-0001'))).toBe(0);
  });

  it('keeps why a session ended, so an outbox read racing the terminate message tells the socket that code', async () => {
    await repo().create(ref, 'hash', 'test', 8);
    await repo().completeInit(ref, ['{"type":"FINISH_INIT"}'], []);
    expect(await repo().readOutbox(ref, 0, 10)).toMatchObject({ status: 'OK' });
    expect(await repo().end(ref, { code: 'LOGOUT', reason: 'logged out' })).toBe(true);
    // The delivery pump reads the outbox before notify:gateways reaches its gateway: it learns LOGOUT, not just GONE.
    expect(await repo().readOutbox(ref, 1, 10)).toEqual({ status: 'GONE', ending: { code: 'LOGOUT', reason: 'logged out' } });
    const kept = await redis.space.redis.pttl(sessionEnd(7, 'sess-0001'));
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(5 * 60_000);
    // Ending a session that is not there again leaves the first ending as it was.
    expect(await repo().end(ref, { code: 'EXPIRED', reason: 'idle' })).toBe(false);
    expect(await repo().readOutbox(ref, 1, 10)).toMatchObject({ ending: { code: 'LOGOUT' } });
  });

  it('reads a session ended without a reason, or with a stored ending it cannot read, as plain GONE', async () => {
    const other = { userId: 7, sessionId: 'sess-0002' };
    await repo().create(other, 'hash', 'test', 8);
    expect(await repo().end(other)).toBe(true);
    expect(await repo().readOutbox(other, 0, 10)).toEqual({ status: 'GONE' });
    await redis.space.redis.set(sessionEnd(7, 'sess-0002'), 'not json');
    expect(await repo().readOutbox(other, 0, 10)).toEqual({ status: 'GONE' });
  });
});
