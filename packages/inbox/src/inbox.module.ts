import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Module,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import type { RedisConnection as Redis } from '@parley/runtime';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { InboxName } from '@parley/key-schema';
import { dispatchInboxMessage, INBOX_MESSAGE_TYPES, missingHandlers, parseInboxMessage, type InboxHandlers, type InboxMessage } from '@parley/protocol';
import { APP_CONFIG, duplicateConnection, env, LOGGER, METRICS, Readiness, REDIS } from '@parley/runtime';
import { InboxConsumer } from './consumer';
import { Notifier } from './notifier';
import { RequestReplies } from './replies';
import { InboxSender } from './sender';

// What handlers and producers use to answer requests and tell users things; each on the app's Redis.
const sharedProviders = [
  { provide: RequestReplies, useFactory: (redis: Redis) => new RequestReplies(redis), inject: [REDIS] },
  { provide: Notifier, useFactory: (redis: Redis) => new Notifier(redis), inject: [REDIS] },
];

/** A handler class that also takes a user's messages of a batch at once (see ConsumerOptions.handleGroup). */
export interface GroupHandler<M> {
  handleGroup(messages: M[]): Promise<void>;
}

/**
 * A handler class of a sticky inbox told which users it took over from a consumer that died (their
 * state in that process, such as sockets, is gone: see ConsumerOptions.sticky).
 */
export interface TakeoverHandler {
  usersTakenOver(userIds: number[]): Promise<void>;
}

function takeoverHandlerOf(handlers: object): ((partitions: string[]) => Promise<void>) | undefined {
  const candidate = handlers as Partial<TakeoverHandler>;
  if (typeof candidate.usersTakenOver !== 'function') return undefined;
  return (partitions) => candidate.usersTakenOver!(partitions.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0));
}

function groupHandlerOf<M>(handlers: object): ((messages: M[]) => Promise<void>) | undefined {
  const candidate = handlers as Partial<GroupHandler<M>>;
  return typeof candidate.handleGroup === 'function' ? (messages) => candidate.handleGroup!(messages) : undefined;
}

/** The courier's settings, read from the environment by every app that consumes an inbox. */
export const inboxConfigShape = {
  /** Stable consumer name (set it to the pod name): a restarted pod takes its own work back at once. */
  INBOX_CONSUMER_NAME: z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/, 'letters, digits, _ . - (at most 80)').optional(),
  INBOX_BATCH_SIZE: env.int(100, 1, 1000),
  INBOX_CONCURRENCY: env.int(16, 1, 256),
  INBOX_MAX_ATTEMPTS: env.int(3, 1, 100),
  INBOX_CONSUMER_TTL_MS: env.int(15_000, 300, 600_000),
  INBOX_BLOCK_MS: env.int(5_000, 50, 60_000),
  INBOX_HANDLER_TIMEOUT_MS: env.int(30_000, 100, 3_600_000),
};
export type InboxConfig = z.infer<z.ZodObject<typeof inboxConfigShape>>;

/** Runs one inbox's consumer for the app's lifetime: starts with the app, finishes its batch on stop. */
class InboxConsumerRunner<N extends InboxName> implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private consumer: InboxConsumer<InboxMessage<N>> | undefined;
  private blocking: Redis | undefined;

  constructor(
    private readonly name: N,
    private readonly handlers: InboxHandlers<N>,
    private readonly redis: Redis,
    private readonly config: InboxConfig,
    private readonly logger: Logger,
    private readonly metrics: Registry,
    private readonly readiness: Readiness,
    private readonly sticky: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const missing = missingHandlers(INBOX_MESSAGE_TYPES[this.name], this.handlers);
    if (missing.length > 0) throw new Error(`inbox ${this.name}: no handler for message type(s) ${missing.join(', ')}; refusing to start`);
    this.blocking = duplicateConnection(this.redis, `${this.name}-blocking`, this.logger, { maxRetriesPerRequest: null });
    this.consumer = new InboxConsumer<InboxMessage<N>>({
      inbox: this.name,
      redis: this.redis,
      blocking: this.blocking,
      name: this.config.INBOX_CONSUMER_NAME,
      batchSize: this.config.INBOX_BATCH_SIZE,
      concurrency: this.config.INBOX_CONCURRENCY,
      maxAttempts: this.config.INBOX_MAX_ATTEMPTS,
      consumerTtlMs: this.config.INBOX_CONSUMER_TTL_MS,
      blockMs: this.config.INBOX_BLOCK_MS,
      handlerTimeoutMs: this.config.INBOX_HANDLER_TIMEOUT_MS,
      parse: (raw) => parseInboxMessage(this.name, raw),
      handle: (message) => dispatchInboxMessage(this.handlers, message),
      // A handler class may take a user's whole share of a batch at once (to pipeline it).
      handleGroup: groupHandlerOf<InboxMessage<N>>(this.handlers),
      sticky: this.sticky,
      onReclaimed: takeoverHandlerOf(this.handlers),
      logger: this.logger,
      metrics: this.metrics,
    });
    await this.consumer.start();
    this.readiness.register(`inbox:${this.name}`, () => {
      if (!this.consumer?.running) throw new Error(`inbox ${this.name} consumer is not running`);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  onApplicationShutdown(): void {
    this.blocking?.disconnect();
  }
}

export interface ConsumerModuleOptions<N extends InboxName> {
  inbox: N;
  /** A class with one async method per message type of the inbox (the compiler checks the set). */
  handlers: Type<InboxHandlers<N>>;
  /** Modules the handlers' own dependencies come from. */
  imports?: ModuleMetadata['imports'];
  /** Each user stays with the consumer that took them (ConsumerOptions.sticky); the handlers may implement TakeoverHandler. */
  sticky?: boolean;
}

/**
 * The courier in a Nest app. Needs the runtime module (Redis, config, logger, metrics, readiness).
 * `forConsumer` refuses to start when the handler class misses a message type of its inbox.
 */
@Module({})
export class InboxModule {
  static forConsumer<N extends InboxName>(options: ConsumerModuleOptions<N>): DynamicModule {
    return {
      module: InboxModule,
      imports: options.imports ?? [],
      providers: [
        ...sharedProviders,
        options.handlers,
        {
          provide: `parley:inbox-consumer:${options.inbox}`,
          useFactory: (handlers: InboxHandlers<N>, redis: Redis, config: InboxConfig, logger: Logger, metrics: Registry, readiness: Readiness) =>
            new InboxConsumerRunner(options.inbox, handlers, redis, config, logger, metrics, readiness, options.sticky === true),
          inject: [options.handlers, REDIS, APP_CONFIG, LOGGER, METRICS, Readiness],
        },
      ],
    };
  }

  static forProducer(): DynamicModule {
    return {
      module: InboxModule,
      providers: [...sharedProviders, { provide: InboxSender, useFactory: (redis: Redis) => new InboxSender(redis), inject: [REDIS] }],
      exports: [InboxSender, RequestReplies, Notifier],
    };
  }
}
