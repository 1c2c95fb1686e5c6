import { Writable } from 'node:stream';
import { createLogger, NestPinoLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('logging', () => {
  it('writes one JSON object per line with the app, level label and time', () => {
    const { lines, stream } = capture();
    createLogger('gateway', 'info', stream).info({ userId: 7 }, 'hello');
    expect(lines[0]).toMatchObject({ level: 'info', app: 'gateway', userId: 7, msg: 'hello' });
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('passes Nest messages through with their context, and errors with their stack', () => {
    const { lines, stream } = capture();
    const nest = new NestPinoLogger(createLogger('gateway', 'debug', stream));
    nest.log('Nest application successfully started', 'NestApplication');
    nest.error(new Error('boom'), 'Bootstrap');
    nest.warn({ detail: 1 }, 'Ctx');
    expect(lines[0]).toMatchObject({ level: 'info', context: 'NestApplication', msg: 'Nest application successfully started' });
    expect(lines[1]).toMatchObject({ level: 'error', context: 'Bootstrap', msg: 'boom' });
    expect((lines[1]!.err as { stack: string }).stack).toContain('Error: boom');
    expect(lines[2]).toMatchObject({ level: 'warn', context: 'Ctx', detail: 1 });
  });

  it('respects the level', () => {
    const { lines, stream } = capture();
    const logger = createLogger('x', 'warn', stream);
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });
});
