import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BULLMQ_PREFIX, parseSessionRef } from '@parley/key-schema';
import { GATEWAY_QUEUE } from '@parley/protocol';
import { APP_CONFIG, duplicateConnection, type Logger, LOGGER, REDIS, type RedisConnection } from '@parley/runtime';
import { Queue, Worker } from 'bullmq';
import { GatewayMetrics } from './metrics';
import { SessionsRepository } from './sessions.repository';

export interface ExpiryConfig {
  SESSION_IDLE_TTL_MS: number;
  SESSION_EXPIRY_INTERVAL_MS: number;
}

const SCHEDULER_ID = 'expire-sessions';
const PAGE = 200;

/**
 * Removes sessions idle for SESSION_IDLE_TTL_MS (no connected socket: connected ones are touched
 * by their gateway's heartbeat). A BullMQ job scheduler on the `gateway` queue runs it every
 * SESSION_EXPIRY_INTERVAL_MS; every gateway runs a worker, and BullMQ gives each run to one.
 */
@Injectable()
export class SessionExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private connections: RedisConnection[] = [];

  constructor(
    private readonly repo: SessionsRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(REDIS) private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) private readonly config: ExpiryConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const queueConnection = duplicateConnection(this.redis, 'gateway-queue', this.logger);
    const workerConnection = duplicateConnection(this.redis, 'gateway-worker', this.logger, { maxRetriesPerRequest: null });
    this.connections = [queueConnection, workerConnection];
    this.queue = new Queue(GATEWAY_QUEUE, { connection: queueConnection, prefix: BULLMQ_PREFIX });
    this.queue.on('error', (err) => this.logger.error({ err, queue: GATEWAY_QUEUE }, 'queue error'));
    // Upserting from every gateway is safe: one scheduler id, the last settings win.
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: this.config.SESSION_EXPIRY_INTERVAL_MS },
      { name: 'EXPIRE_SESSIONS', data: { v: 1 }, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } },
    );
    this.worker = new Worker(GATEWAY_QUEUE, async () => this.expireIdle(), { connection: workerConnection, concurrency: 1, prefix: BULLMQ_PREFIX });
    this.worker.on('error', (err) => this.logger.error({ err, queue: GATEWAY_QUEUE }, 'worker error'));
    this.worker.on('failed', (job, err) => this.logger.error({ err, jobId: job?.id }, 'session expiry failed; the next run retries'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    for (const c of this.connections) c.disconnect();
  }

  /** Ends every session idle since before the cutoff; returns how many. */
  async expireIdle(now = Date.now()): Promise<number> {
    const cutoff = now - this.config.SESSION_IDLE_TTL_MS;
    let ended = 0;
    for (;;) {
      const refs = await this.repo.idleSessionRefs(cutoff, PAGE);
      for (const member of refs) {
        let ref;
        try {
          ref = parseSessionRef(member);
        } catch (err) {
          this.logger.error({ member, err }, 'unreadable sessionlastrequest member; removed');
          await this.repo.dropSessionRef(member);
          continue;
        }
        // Only if still idle: a socket may have come back since the page was read.
        if (await this.repo.end(ref, { code: 'EXPIRED', reason: 'the session was idle too long' }, cutoff)) {
          ended++;
          this.metrics.ended.inc({ code: 'EXPIRED' });
        }
      }
      if (refs.length < PAGE) break;
    }
    if (ended > 0) this.logger.info({ ended, cutoff }, 'idle sessions expired');
    return ended;
  }
}
