import { z } from 'zod';
import { parseInboxMessage, parseWith, summarizeIssues } from './parse';

describe('parseWith', () => {
  const schema = z.object({ a: z.int(), b: z.object({ c: z.array(z.string()) }) });

  it('returns the parsed value', () => {
    expect(parseWith(schema, { a: 1, b: { c: ['x'] }, extra: 1 })).toEqual({ ok: true, value: { a: 1, b: { c: ['x'] } } });
  });
  it('summarizes issues as path: message', () => {
    expect(parseWith(schema, { a: 'x', b: { c: ['ok', 3] } })).toEqual({
      ok: false,
      error: 'a: Invalid input: expected number, received string; b.c[1]: Invalid input: expected string, received number',
    });
  });
  it('names the root when the value itself is wrong', () => {
    expect(parseWith(schema, null)).toEqual({ ok: false, error: '(root): Invalid input: expected object, received null' });
  });
  it('caps a long list of issues', () => {
    const many = z.object(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, z.string()])));
    const result = parseWith(many, {});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.split('; ')).toHaveLength(6);
      expect(result.error.endsWith('(+3 more)')).toBe(true);
    }
  });
  it('says what each alternative of a union objected to', () => {
    const either = z.union([z.object({ id: z.int() }), z.object({ name: z.string() })]);
    const result = parseWith(z.object({ target: either }), { target: {} });
    expect(result).toEqual({
      ok: false,
      error:
        'target: no alternative matched (id: Invalid input: expected number, received undefined | name: Invalid input: expected string, received undefined)',
    });
  });
  it('summarizeIssues of nothing is empty', () => {
    expect(summarizeIssues([])).toBe('');
  });
});

describe('parseInboxMessage', () => {
  it('parses and validates an entry', () => {
    const raw = JSON.stringify({ v: 1, type: 'ping', id: 'p' });
    expect(parseInboxMessage('ircparser', raw)).toEqual({ ok: true, value: { v: 1, type: 'ping', id: 'p' } });
  });
  it('reports bad JSON', () => {
    const result = parseInboxMessage('loopbackparser', '{"v":1,');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^invalid JSON: /);
  });
  it('reports a schema failure with the field', () => {
    const raw = JSON.stringify({ v: 1, type: 'write', userId: 1, network: 'libera', lines: ['QUIT\r\n'] });
    expect(parseInboxMessage('connectionmanager', raw)).toEqual({ ok: false, error: 'lines[0]: must not contain CR, LF or NUL' });
  });
  it('reports an unknown type with the known ones', () => {
    const result = parseInboxMessage('loopbackparser', JSON.stringify({ v: 1, type: 'connect' }));
    expect(result).toEqual({ ok: false, error: "type: Invalid discriminator value. Expected 'request' | 'webhook' | 'ping'" });
  });
});
