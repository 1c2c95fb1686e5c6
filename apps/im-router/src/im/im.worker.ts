import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { dispatchImJob, IM_JOB_NAMES, IM_ROUTER_QUEUE, missingHandlers, parseImJob } from '@parley/protocol';
import { APP_CONFIG, duplicateConnection, type Logger, LOGGER, Readiness, REDIS, type RedisConnection } from '@parley/runtime';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { ImHandlers } from './im.handlers';

/**
 * The BullMQ worker of the im-router queue. A job whose payload fails its schema, or whose kind is
 * not handled, fails at once with the reason (BullMQ keeps failed jobs: they are the dead letters).
 * On stop it lets the jobs in hand finish.
 */
@Injectable()
export class ImWorker implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private worker: Worker | undefined;
  private connection: RedisConnection | undefined;

  constructor(
    private readonly handlers: ImHandlers,
    @Inject(REDIS) private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: { IM_WORKER_CONCURRENCY: number },
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: Readiness,
  ) {}

  onApplicationBootstrap(): void {
    const missing = missingHandlers(IM_JOB_NAMES, this.handlers);
    if (missing.length > 0) throw new Error(`queue ${IM_ROUTER_QUEUE}: no handler for job(s) ${missing.join(', ')}; refusing to start`);
    // BullMQ's blocking commands need a connection that never gives up on a request.
    this.connection = duplicateConnection(this.redis, 'im-router-worker', this.logger, { maxRetriesPerRequest: null });
    this.worker = new Worker(IM_ROUTER_QUEUE, (job: Job) => this.process(job), {
      connection: this.connection,
      concurrency: this.config.IM_WORKER_CONCURRENCY,
    });
    this.worker.on('failed', (job, err) => {
      this.logger.warn({ queue: IM_ROUTER_QUEUE, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, reason: err.message }, 'job failed');
    });
    this.worker.on('error', (err) => this.logger.error({ err, queue: IM_ROUTER_QUEUE }, 'worker error'));
    this.readiness.register(`queue:${IM_ROUTER_QUEUE}`, () => {
      if (!this.worker?.isRunning()) throw new Error(`worker of ${IM_ROUTER_QUEUE} is not running`);
    });
    this.logger.info({ queue: IM_ROUTER_QUEUE }, 'im-router worker started');
  }

  private async process(job: Job): Promise<void> {
    const parsed = parseImJob(job.name, job.data);
    if (!parsed.ok) throw new UnrecoverableError(`invalid job: ${parsed.error}`);
    await dispatchImJob(this.handlers, parsed.value);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  onApplicationShutdown(): void {
    this.connection?.disconnect();
  }
}
