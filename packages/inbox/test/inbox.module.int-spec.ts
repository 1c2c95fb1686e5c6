import 'reflect-metadata';
import { Injectable, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { inbox, inboxConsumers } from '@parley/key-schema';
import type { InboxHandlers, InboxMessageOfType } from '@parley/protocol';
import { REDIS, RuntimeModule } from '@parley/runtime';
import { Collector, type TestKeySpace, useTestRedis } from '@parley/testing';
import { InboxModule, notHandledYet } from '../src';

const pings = new Collector<string>();

@Injectable()
class CompleteHandlers implements InboxHandlers<'connectionmanager'> {
  private readonly seen = pings;

  // A method that uses `this`, as app handlers do: the courier must call it on the instance.
  ping(m: InboxMessageOfType<'connectionmanager', 'ping'>): Promise<void> {
    this.seen.push(m.id);
    return Promise.resolve();
  }
  connect = notHandledYet('connect is', 'test');
  write = notHandledYet('write is', 'test');
  disconnect = notHandledYet('disconnect is', 'test');
}

/** Misses `disconnect`: the compiler would refuse it; a cast stands for a handler table built at run time. */
@Injectable()
class IncompleteHandlers {
  ping = () => Promise.resolve();
  connect = () => Promise.resolve();
  write = () => Promise.resolve();
}

function appModule(url: string, handlers: Type<InboxHandlers<'connectionmanager'>>) {
  @Module({
    imports: [
      RuntimeModule.forRoot({ app: 'test', config: { REDIS_URL: url, INBOX_BLOCK_MS: 100, INBOX_BATCH_SIZE: 10, INBOX_CONCURRENCY: 2, INBOX_MAX_ATTEMPTS: 2, INBOX_CONSUMER_TTL_MS: 5000 } as never, logger: pino({ level: 'silent' }) }),
      InboxModule.forConsumer({ inbox: 'connectionmanager', handlers }),
    ],
  })
  class TestAppModule {}
  return TestAppModule;
}

describe('InboxModule (Nest, real Redis)', () => {
  const redis = useTestRedis();
  let space: TestKeySpace;
  beforeEach(() => {
    space = redis.space;
  });

  it('refuses to start when a message type has no handler, naming it', async () => {
    // create() builds the module without initialising it; init() runs the start-up checks.
    const app = await NestFactory.create(appModule(space.url, IncompleteHandlers as unknown as Type<InboxHandlers<'connectionmanager'>>), { logger: false, abortOnError: false });
    await expect(app.init()).rejects.toThrow('inbox connectionmanager: no handler for message type(s) disconnect; refusing to start');
    // Nest's close() rethrows a failed init; the process would exit here. Close Redis by hand.
    app.get<{ disconnect(): void }>(REDIS).disconnect();
  });

  it('starts a consumer that dispatches by type, and unregisters it on close', async () => {
    const app = await NestFactory.createApplicationContext(appModule(space.url, CompleteHandlers), { logger: false, abortOnError: false });
    expect(await space.redis.zcard(inboxConsumers('connectionmanager'))).toBe(1);
    await space.redis.lpush(inbox('connectionmanager'), JSON.stringify({ v: 1, type: 'ping', id: 'p1' }));
    expect(await pings.waitFor(1)).toEqual(['p1']);
    await app.close();
    expect(await space.redis.zcard(inboxConsumers('connectionmanager'))).toBe(0);
  });
});
