import { BULLMQ_PREFIX } from '@parley/key-schema';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { IM_ROUTER_QUEUE, type ImJob, type ImJobPayload } from '@parley/protocol';
import { duplicateConnection, type Logger, LOGGER, REDIS, type RedisConnection } from '@parley/runtime';
import { type JobsOptions, Queue } from 'bullmq';

/**
 * The gateway's side of the im-router queue: the client requests it hands over, and what
 * im-router must hear of sessions (one started or ended: presence; an init burst with offline
 * messages acknowledged).
 */
@Injectable()
export class ImQueue implements OnApplicationShutdown {
  private readonly connection: RedisConnection;
  private readonly queue: Queue;

  constructor(@Inject(REDIS) redis: RedisConnection, @Inject(LOGGER) private readonly logger: Logger) {
    this.connection = duplicateConnection(redis, 'gateway-im-queue', logger);
    this.queue = new Queue(IM_ROUTER_QUEUE, { connection: this.connection, prefix: BULLMQ_PREFIX });
    this.queue.on('error', (err) => this.logger.error({ err, queue: IM_ROUTER_QUEUE }, 'queue error'));
  }

  async add(job: ImJob, options: JobsOptions = {}): Promise<void> {
    await this.queue.add(job.name, job.data, { attempts: 3, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 24 * 3600 }, ...options });
  }

  /** A session of the user started or ended: im-router tells their friends if that changed their presence. */
  async presence(userId: number, sessionId: string, started: boolean, device?: ImJobPayload<'SESSION_STARTED'>['device']): Promise<void> {
    const data = { v: 1 as const, userId, sessionId };
    await this.add(started ? { name: 'SESSION_STARTED', data: { ...data, ...(device ? { device } : {}) } } : { name: 'SESSION_ENDED', data });
  }

  /** A session was resumed or lost its socket: im-router looks again whether the user is here. */
  async presenceCheck(userId: number): Promise<void> {
    await this.add({ name: 'PRESENCE_CHECK', data: { v: 1, userId } });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
