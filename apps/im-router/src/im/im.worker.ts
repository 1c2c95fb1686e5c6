import { BULLMQ_PREFIX } from '@parley/key-schema';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RequestReplies } from '@parley/inbox';
import { dispatchImJob, IM_JOB_NAMES, IM_ROUTER_QUEUE, missingHandlers, parseImJob } from '@parley/protocol';
import { APP_CONFIG, duplicateConnection, type Logger, LOGGER, METRICS, Readiness, REDIS, type RedisConnection } from '@parley/runtime';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ImHandlers } from './im.handlers';
import { ImRepository } from './im.repository';

/** The gateway's trace id of the request behind a job (its replyTo's), if any. */
function traceOf(data: unknown): string | undefined {
  const replyTo = typeof data === 'object' && data !== null ? (data as { replyTo?: { traceId?: unknown } }).replyTo : undefined;
  return typeof replyTo?.traceId === 'string' ? replyTo.traceId : undefined;
}

/** Jobs run on a schedule (one scheduler id each: each run happens once across all instances). */
const SCHEDULED = ['EXPIRE_MESSAGES', 'CLEAN_OFFLINE'] as const;

/** What BullMQ's getJobCounts reports, as the gauge's `state` label. */
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/**
 * The BullMQ worker of the im-router queue. A job whose payload fails its schema, or whose kind is
 * not handled, fails at once with the reason (BullMQ keeps failed jobs: they are the dead letters).
 * On stop it lets the jobs in hand finish.
 */
@Injectable()
export class ImWorker implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private worker: Worker | undefined;
  private connection: RedisConnection | undefined;
  private queue: Queue | undefined;
  private queueConnection: RedisConnection | undefined;
  private readonly jobs: Counter<'job' | 'outcome'>;
  private readonly seconds: Histogram<'job'>;

  constructor(
    private readonly handlers: ImHandlers,
    private readonly repo: ImRepository,
    private readonly replies: RequestReplies,
    @Inject(REDIS) private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: { IM_WORKER_CONCURRENCY: number; IM_EXPIRY_INTERVAL_MS: number; IM_JOB_LOCK_MS: number },
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: Readiness,
    @Inject(METRICS) registry: Registry,
  ) {
    this.jobs = new Counter({ name: 'parley_im_jobs_total', help: 'im-router jobs handled here, by name and outcome (completed, failed)', labelNames: ['job', 'outcome'], registers: [registry] });
    this.seconds = new Histogram({
      name: 'parley_im_job_duration_seconds',
      help: 'Time from taking a job to its end, by name',
      labelNames: ['job'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const queue = () => this.queue;
    new Gauge({
      name: 'parley_im_queue_jobs',
      help: 'Jobs of the im-router queue by state (the whole queue, as every instance sees it)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const q = queue();
        if (!q) return;
        const counts = await q.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const missing = missingHandlers(IM_JOB_NAMES, this.handlers);
    if (missing.length > 0) throw new Error(`queue ${IM_ROUTER_QUEUE}: no handler for job(s) ${missing.join(', ')}; refusing to start`);
    // BullMQ's blocking commands need a connection that never gives up on a request.
    this.connection = duplicateConnection(this.redis, 'im-router-worker', this.logger, { maxRetriesPerRequest: null });
    this.worker = new Worker(IM_ROUTER_QUEUE, (job: Job) => this.process(job), {
      connection: this.connection,
      prefix: BULLMQ_PREFIX,
      concurrency: this.config.IM_WORKER_CONCURRENCY,
      // A worker killed mid-job holds its lock this long; then another takes the job again.
      lockDuration: this.config.IM_JOB_LOCK_MS,
      stalledInterval: this.config.IM_JOB_LOCK_MS,
    });
    this.worker.on('failed', (job, err) => {
      // Final: no attempt left, unrecoverable, or moved to the failed set some other way (a job
      // that stalled too often) — BullMQ sets finishedOn only then.
      const final = job !== undefined && (err instanceof UnrecoverableError || Boolean(job.finishedOn) || job.attemptsMade >= (job.opts.attempts ?? 1));
      this.logger.warn({ queue: IM_ROUTER_QUEUE, job: job?.name, jobId: job?.id, traceId: traceOf(job?.data), attempts: job?.attemptsMade, final, reason: err.message }, 'job failed');
      if (final) void this.gaveUp(job).catch((e: unknown) => this.logger.error({ err: e, jobId: job.id }, 'could not record a failed job'));
    });
    this.worker.on('error', (err) => this.logger.error({ err, queue: IM_ROUTER_QUEUE }, 'worker error'));
    // The scheduled jobs: one scheduler id each, so however many instances upsert it, each run
    // happens once (the last settings win).
    this.queueConnection = duplicateConnection(this.redis, 'im-router-queue', this.logger);
    this.queue = new Queue(IM_ROUTER_QUEUE, { connection: this.queueConnection, prefix: BULLMQ_PREFIX });
    this.queue.on('error', (err) => this.logger.error({ err, queue: IM_ROUTER_QUEUE }, 'queue error'));
    for (const name of SCHEDULED) {
      await this.queue.upsertJobScheduler(name, { every: this.config.IM_EXPIRY_INTERVAL_MS }, { name, data: { v: 1 }, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } });
    }
    this.readiness.register(`queue:${IM_ROUTER_QUEUE}`, () => {
      if (!this.worker?.isRunning()) throw new Error(`worker of ${IM_ROUTER_QUEUE} is not running`);
    });
    this.logger.info({ queue: IM_ROUTER_QUEUE }, 'im-router worker started');
  }

  private async process(job: Job): Promise<void> {
    const end = this.seconds.startTimer({ job: job.name });
    try {
      const parsed = parseImJob(job.name, job.data);
      if (!parsed.ok) throw new UnrecoverableError(`invalid job: ${parsed.error}`);
      await dispatchImJob(this.handlers, parsed.value);
      this.jobs.inc({ job: job.name, outcome: 'completed' });
      this.logger.debug({ job: job.name, jobId: job.id, traceId: traceOf(job.data) }, 'job handled');
    } catch (err) {
      this.jobs.inc({ job: job.name, outcome: 'failed' });
      throw err;
    } finally {
      end();
    }
    // A scheduled run is rare (once per IM_EXPIRY_INTERVAL_MS across all instances): said, with its id.
    if ((SCHEDULED as readonly string[]).includes(job.name)) this.logger.info({ job: job.name, jobId: job.id }, 'scheduled job ran');
  }

  /**
   * A job that failed for good: a direct message is recorded in the failed-message timeline, and
   * the request behind the job is answered with the failure (the sender is told, never left
   * waiting). BullMQ keeps the failed job itself too.
   */
  private async gaveUp(job: Job): Promise<void> {
    const parsed = parseImJob(job.name, job.data);
    if (!parsed.ok) return;
    const data = parsed.value.data;
    // A request answered already (its last attempt got through before failing) is left alone.
    if ('replyTo' in data && !(await this.replies.isPending({ userId: data.userId, ...data.replyTo }))) return;
    if (parsed.value.name === 'SEND_DIRECT') {
      const d = parsed.value.data;
      await this.repo.recordFailure(d.userId, d.targetUserId, { from: d.userId, to: d.targetUserId, clientMsgId: d.clientMsgId, ts: job.timestamp, body: d.text });
    }
    if ('replyTo' in data) {
      await this.replies.fail({ userId: data.userId, ...data.replyTo }, 'INTERNAL', `${job.name} could not be handled (${job.attemptsMade} attempts); nothing was stored`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }

  onApplicationShutdown(): void {
    this.connection?.disconnect();
    this.queueConnection?.disconnect();
  }
}
