import { type z } from 'zod';
import {
  ChannelName,
  ClientMsgId,
  Gid,
  Message,
  MessageText,
  NetworkName,
  Nick,
  Role,
  RoomName,
  SessionId,
  Settings,
  UpperSnake,
  UserId,
  WindowId,
  keyMirror,
} from './common';

type Row = [schema: z.ZodType, good: unknown[], bad: unknown[]];

const table: Record<string, Row> = {
  UserId: [UserId, [1, 42, Number.MAX_SAFE_INTEGER], [0, -1, 1.5, '1', Number.MAX_SAFE_INTEGER + 1, null]],
  WindowId: [WindowId, [1, 99], [0, 2.5, '3']],
  Gid: [Gid, [1], [0, -3]],
  SessionId: [SessionId, ['abcdEFGH', 'a_b-c_d-12345678', 'x'.repeat(64)], ['short', 'has:colon1', 'x'.repeat(65), 'spaces in it']],
  NetworkName: [NetworkName, ['parley', 'libera', 'irc.example-1', 'A'], ['', '-lead', '.lead', 'has:colon', 'a'.repeat(33), 'sp ace']],
  Nick: [
    Nick,
    ['alice', 'Bob_', '[away]', '`x', '{a}|b^', 'a-1', 'n'.repeat(30)],
    ['', '1abc', '-abc', 'has space', 'a,b', 'a!b', 'n'.repeat(31), 'é'],
  ],
  RoomName: [RoomName, ['#a', '#general', '#'.padEnd(50, 'x'), '#çava'], ['#', 'general', '#a b', '#a,b', '#a:b', '#a\u0007', '#'.padEnd(51, 'x'), '#a*', '#a?', '#{x}', '#[x]']],
  ChannelName: [
    ChannelName,
    ['#', '##linux', '&local', '!ABCDEchan', '+modeless', '#a:b', '#'.padEnd(200, 'x')],
    ['linux', '#a b', '#a,b', '#a\u0007', '#a\r', '#a\n', '#a\u0000', '#'.padEnd(201, 'x')],
  ],
  MessageText: [MessageText, ['', 'hello', 'x'.repeat(4000)], ['x'.repeat(4001), 5]],
  ClientMsgId: [ClientMsgId, ['a', 'A-b_9', 'x'.repeat(64)], ['', 'x'.repeat(65), 'a b', 'a.b']],
  Role: [Role, ['*', '@', '+', 'u'], ['%', 'o', '']],
  Settings: [Settings, [{}, { theme: 'dark', fontSize: 14, sounds: true }], [{ '1bad': 'x' }, { ok: null }, { ok: {} }]],
  UpperSnake: [UpperSnake, ['A', 'NOT_FOUND', 'E2E_FAIL'], ['', 'not_found', 'NOT__FOUND', '_X', 'X_']],
};

describe.each(Object.entries(table))('%s', (_name, [schema, good, bad]) => {
  it.each(good.map((v) => [v]))('accepts %j', (value) => {
    expect(schema.safeParse(value).success).toBe(true);
  });
  it.each(bad.map((v) => [v]))('refuses %j', (value) => {
    expect(schema.safeParse(value).success).toBe(false);
  });
});

describe('Message', () => {
  const good = { gid: 7, ts: 1_700_000_000_000, cat: 'msg', body: 'hi', nick: 'alice' };
  it('accepts a message with and without windowId and userId', () => {
    expect(Message.safeParse(good).success).toBe(true);
    expect(Message.safeParse({ ...good, windowId: 3, userId: 9 }).success).toBe(true);
  });
  it('accepts an empty nick for server lines', () => {
    expect(Message.safeParse({ ...good, cat: 'server', nick: '' }).success).toBe(true);
  });
  it.each([
    ['unknown category', { ...good, cat: 'shout' }],
    ['missing gid', { ...good, gid: undefined }],
    ['string ts', { ...good, ts: '1' }],
  ])('refuses %s', (_case, value) => {
    expect(Message.safeParse(value).success).toBe(false);
  });
});

describe('keyMirror', () => {
  it('maps each name to itself and is frozen', () => {
    const codes = keyMirror('A', 'B_C');
    expect(codes).toEqual({ A: 'A', B_C: 'B_C' });
    expect(Object.isFrozen(codes)).toBe(true);
  });
});
