import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisConnection as Redis } from '@parley/runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DeadLetter, type DeadLetterEntry } from './dead-letter';
import { courierKeys, type CourierKeys } from './keys';
import { scripts } from './lua-script';
import { type InboxName, KeyPartError } from '@parley/key-schema';
import { execOrThrow, nodeForKey, nodeName, withTimeout } from '@parley/runtime';

/** pino-compatible: what the courier logs through. */
export interface CourierLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export type ParseResult<M> = { ok: true; value: M } | { ok: false; error: string };

export interface ConsumerSettings {
  /** Stable name of this consumer (a pod name). Another incarnation with the same name is dead for sure. */
  name?: string;
  /** Messages taken at once. */
  batchSize: number;
  /** Users handled at once within a batch (each user's messages stay in order). */
  concurrency: number;
  /** Attempts of a failing handler before the message is dead-lettered. */
  maxAttempts: number;
  /** A consumer that has not renewed its registration for this long is presumed dead and reclaimed. */
  consumerTtlMs: number;
  /** How long one blocking wait for new messages lasts before the loop looks around again. */
  blockMs: number;
  /** A handler call that takes longer counts as failed (and is retried, then dead-lettered). */
  handlerTimeoutMs: number;
  /**
   * A user (partition) stays this consumer's once it has taken one of their messages, until it
   * stops or dies (then another consumer takes them over, and `onReclaimed` says whom): for an
   * app whose users' state lives in the process that took them (connection-manager's sockets).
   */
  sticky?: boolean;
}

export const DEFAULT_CONSUMER_SETTINGS: ConsumerSettings = {
  batchSize: 100,
  concurrency: 16,
  maxAttempts: 3,
  consumerTtlMs: 15_000,
  blockMs: 5_000,
  handlerTimeoutMs: 30_000,
};

export interface ConsumerOptions<M> extends Partial<ConsumerSettings> {
  inbox: InboxName;
  /** Connection for scripts and dead letters. */
  redis: Redis;
  /** A connection of its own for the blocking wait (nothing else may use it); stop() closes it. */
  blocking: Redis;
  parse(raw: string): ParseResult<M>;
  handle(message: M): Promise<void>;
  /**
   * Optional: handles all of one user's messages of a batch, in order, in one call (an app that
   * can pipeline them). If it fails, each message is handled again one by one with `handle` (with
   * retries and dead letters), so handlers must be idempotent, as they must be anyway.
   */
  handleGroup?(messages: M[]): Promise<void>;
  /** The partitions (user ids) this consumer took over from dead consumers, once per reclaim. */
  onReclaimed?(partitions: string[]): Promise<void>;
  logger: CourierLogger;
  metrics?: Registry;
}

interface Taken {
  raw: string;
  partition: string;
}

/** What a consumer reports of its inbox when metrics are scraped. */
interface InboxProbe {
  inbox: string;
  probe(): Promise<{ depth: number; oldestAgeSeconds: number; dead: number }>;
}

interface CourierMetrics {
  messages: Counter<'inbox' | 'outcome'>;
  reclaimed: Counter<'inbox'>;
  seconds: Histogram<'inbox' | 'mode'>;
  /** The consumers of this registry's process: one probe per inbox is read at each scrape. */
  probes: Set<InboxProbe>;
}

const metricsByRegistry = new WeakMap<Registry, CourierMetrics>();
function metricsFor(registry: Registry | undefined): CourierMetrics | undefined {
  if (!registry) return undefined;
  let m = metricsByRegistry.get(registry);
  if (!m) {
    const probes = new Set<InboxProbe>();
    /** Each inbox once (several consumers of one inbox in a process see the same list). */
    const perInbox = async () => {
      const seen = new Map<string, InboxProbe>();
      for (const p of probes) if (!seen.has(p.inbox)) seen.set(p.inbox, p);
      return Promise.all([...seen.values()].map(async (p) => ({ inbox: p.inbox, ...(await p.probe()) })));
    };
    const gauge = (name: string, help: string, field: 'depth' | 'oldestAgeSeconds' | 'dead') =>
      new Gauge({
        name,
        help,
        labelNames: ['inbox'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const r of await perInbox()) this.set({ inbox: r.inbox }, r[field]);
        },
      });
    gauge('parley_inbox_depth', 'Messages waiting in the inbox list (not yet taken by a consumer).', 'depth');
    gauge('parley_inbox_oldest_age_seconds', 'How long the oldest waiting message has waited (its envelope\'s sentAt); 0 when none waits.', 'oldestAgeSeconds');
    gauge('parley_inbox_dead_letters', 'Dead letters of the inbox kept in inbox:<name>:dead (all consumers, since the list was last emptied).', 'dead');
    m = {
      messages: new Counter({ name: 'parley_inbox_messages_total', help: 'Inbox messages by outcome (handled, dead, retried).', labelNames: ['inbox', 'outcome'], registers: [registry] }),
      reclaimed: new Counter({ name: 'parley_inbox_reclaimed_messages_total', help: 'Messages taken over from dead consumers.', labelNames: ['inbox'], registers: [registry] }),
      seconds: new Histogram({
        name: 'parley_inbox_handle_seconds',
        help: 'Time to handle one message (mode=one) or one user\'s share of a batch (mode=group).',
        labelNames: ['inbox', 'mode'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
        registers: [registry],
      }),
      probes,
    };
    metricsByRegistry.set(registry, m);
  }
  return m;
}

/** The trace fields of an envelope, for log lines (any message type may carry them). */
function traceOf(message: unknown): { type?: unknown; traceId?: unknown; userId?: unknown } {
  if (typeof message !== 'object' || message === null) return {};
  const { type, traceId, userId } = message as Record<string, unknown>;
  return { type, traceId, userId };
}

/**
 * The consuming side of the courier. Loop: acknowledge the batch in hand and take the next one in
 * one script (take.lua); if there is nothing, block until the inbox has something; handle the batch
 * (each user's messages in order, users in parallel); repeat. A timer renews the registration and
 * takes over the lists of dead consumers (reclaim.lua). stop() finishes the batch in hand,
 * acknowledges it, gives back what was handed to this consumer (leave.lua) and unregisters.
 */
export class InboxConsumer<M> {
  private readonly settings: ConsumerSettings;
  private readonly name: string;
  private keys: CourierKeys;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private loopDone: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private blockingId: number | undefined;
  /** The server `blockingId` is an id on (`host:port`): on a cluster, the master of the inbox's slot. */
  private blockingNode: string | undefined;
  private waiting = false;
  private healthy = true;
  /** Sequence number of the last take sent; a retried take reuses it (see take.lua). */
  private takeSeq = 0;
  /** Since when heartbeats have succeeded without a gap; others are reclaimed only after a full TTL of it. */
  private heartbeatsOkSince: number | undefined;
  private lastHeartbeatOk: number | undefined;
  private ticking = false;
  /** Resolves when stop() is called: a wait whose reply never comes (a command caught in a reconnect) must not hold the stop. */
  private stopRequested!: () => void;
  private readonly stopSignal = new Promise<void>((resolve) => (this.stopRequested = resolve));
  private readonly metrics;
  private readonly probe: InboxProbe;

  constructor(private readonly options: ConsumerOptions<M>) {
    this.settings = { ...DEFAULT_CONSUMER_SETTINGS, ...definedOnly(options) };
    this.name = options.name ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${process.pid}`;
    if (!/^[A-Za-z0-9_.-]{1,80}$/.test(this.name)) throw new Error(`inbox ${options.inbox}: consumer name ${JSON.stringify(this.name)} must match [A-Za-z0-9_.-]{1,80}`);
    this.keys = courierKeys(options.inbox, this.newId());
    this.metrics = metricsFor(options.metrics);
    this.probe = { inbox: options.inbox, probe: () => this.inboxFigures() };
    this.metrics?.probes.add(this.probe);
  }

  /** The inbox as /metrics reports it: depth, age of the oldest waiting message, dead letters. */
  private async inboxFigures(): Promise<{ depth: number; oldestAgeSeconds: number; dead: number }> {
    const [[, depth], [, oldest], [, dead]] = (await this.options.redis.pipeline().llen(this.keys.inbox).lindex(this.keys.inbox, -1).hget(this.keys.stats, 'dead').exec()) as [
      [unknown, number],
      [unknown, string | null],
      [unknown, string | null],
    ];
    let sentAt: number | undefined;
    try {
      const parsed: unknown = oldest === null ? undefined : JSON.parse(oldest);
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { sentAt?: unknown }).sentAt === 'number') sentAt = (parsed as { sentAt: number }).sentAt;
    } catch {
      // Not JSON: it will be dead-lettered when taken; its age is unknown.
    }
    return { depth, oldestAgeSeconds: sentAt === undefined ? 0 : Math.max(0, (Date.now() - sentAt) / 1000), dead: Number(dead ?? 0) };
  }

  /** This incarnation's id: `<name>@<random>`. Changes if the consumer is ever fenced. */
  get id(): string {
    return this.keys.consumerId;
  }

  get running(): boolean {
    return this.state === 'running' && this.healthy;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('InboxConsumer.start() called twice');
    await this.readBlockingId();
    // A reconnected connection has a new id: keep the one CLIENT UNBLOCK must name current.
    this.options.blocking.on('ready', () => {
      this.readBlockingId().catch((err: unknown) => this.options.logger.warn({ err, inbox: this.options.inbox }, 'could not read the blocking connection id'));
    });
    // After an outage every registration has lapsed; only a consumer that has heartbeaten without a
    // gap for a whole TTL since may judge others dead (else live consumers would be reclaimed).
    this.options.redis.on('close', () => (this.heartbeatsOkSince = undefined));
    await this.register();
    // Take back what consumers with this stable name left behind, and what dead ones left.
    await this.reclaim(this.options.name ? `${this.options.name}@` : '');
    this.state = 'running';
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.settings.consumerTtlMs / 3)));
    this.loopDone = this.loop();
    this.options.logger.info({ inbox: this.options.inbox, consumer: this.id }, 'inbox consumer started');
  }

  /** Finishes the batch in hand, acknowledges it, hands back the rest and unregisters. */
  async stop(): Promise<void> {
    this.metrics?.probes.delete(this.probe);
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.stopRequested();
    clearInterval(this.timer);
    // Closing the blocking connection ends a wait at once, even one whose command is still on its
    // way (CLIENT UNBLOCK could arrive before it); the batch in hand is finished on the other one.
    if (this.waiting) this.options.blocking.disconnect();
    await this.loopDone;
    this.options.blocking.disconnect();
    this.state = 'stopped';
  }

  private newId(): string {
    return `${this.name}@${randomBytes(4).toString('hex')}`;
  }

  private async register(): Promise<void> {
    await scripts.heartbeat.run(this.options.redis, [this.keys.consumers], [this.id, this.settings.consumerTtlMs, 'register']);
  }

  private async loop(): Promise<void> {
    const { logger, inbox } = this.options;
    let ack: Taken[] = [];
    let retrying = false;
    while (this.state === 'running') {
      let batch: Taken[] | 'FENCED';
      try {
        // A take that failed may or may not have run in Redis: sending the very same take again
        // (same sequence number, same acknowledgement) is answered with its batch, never redone.
        batch = await this.take(ack, this.settings.batchSize, retrying);
        retrying = false;
        ack = [];
        this.healthy = true;
      } catch (err) {
        this.unhealthy(err, 'taking a batch failed');
        retrying = true;
        await pause(1_000);
        continue;
      }
      if (batch === 'FENCED') {
        await this.refence();
        continue;
      }
      if (batch.length === 0) {
        await this.waitForMessages();
        continue;
      }
      // Each message ends handled or dead-lettered; only a failure to write a dead letter throws,
      // and then the whole batch is handled again rather than acknowledged.
      let handled = await this.tryHandleBatch(batch);
      while (!handled && this.state === 'running') {
        await pause(1_000);
        handled = await this.tryHandleBatch(batch);
      }
      // Not handled to the end and stopping: leave.lua puts the batch back in the inbox.
      if (handled) ack = batch;
    }
    try {
      if (ack.length > 0) await this.take(ack, 0, false);
      const handedBack = Number(await scripts.leave.run(this.options.redis, [this.keys.inbox, this.keys.handoff, this.keys.owners, this.keys.consumers, this.keys.processing, this.keys.takes], [this.id]));
      logger.info({ inbox, consumer: this.id, handedBack }, 'inbox consumer stopped');
    } catch (err) {
      logger.error({ err, inbox, consumer: this.id }, 'inbox consumer could not unregister; another consumer will reclaim its messages');
    }
  }

  private async take(ack: readonly Taken[], max: number, again: boolean): Promise<Taken[] | 'FENCED'> {
    if (!again) this.takeSeq++;
    const counts = new Map<string, number>();
    for (const t of ack) if (t.partition !== '') counts.set(t.partition, (counts.get(t.partition) ?? 0) + 1);
    const args: (string | number)[] = [this.id, max, this.keys.prefix, this.settings.consumerTtlMs, this.takeSeq, this.settings.sticky ? '1' : '0'];
    for (const [p, n] of counts) args.push(p, n);
    const k = this.keys;
    const reply = (await scripts.take.run(this.options.redis, [k.inbox, k.processing, k.handoff, k.owners, k.consumers, k.takes], args)) as string[];
    if (reply[0] === 'FENCED') return 'FENCED';
    const out: Taken[] = [];
    for (let i = 1; i < reply.length; i += 2) out.push({ raw: reply[i]!, partition: reply[i + 1]! });
    return out;
  }

  private async waitForMessages(): Promise<void> {
    this.waiting = true;
    try {
      if (this.state !== 'running') return;
      if (nodeForKey(this.options.blocking, this.keys.inbox) !== this.options.blocking) await this.readBlockingId();
      // Moving the last element to the end of the same list changes nothing: it only waits until
      // the inbox is not empty. Messages are taken by take.lua, never outside a script.
      const wait = this.options.blocking.blmove(this.keys.inbox, this.keys.inbox, 'RIGHT', 'RIGHT', this.settings.blockMs / 1000);
      wait.catch(() => undefined); // settled after a stop: nobody is listening any more
      await Promise.race([wait, this.stopSignal]);
    } catch (err) {
      if (this.state === 'running') {
        this.unhealthy(err, 'waiting for messages failed');
        await pause(1_000);
      }
    } finally {
      this.waiting = false;
    }
  }

  /**
   * The id of the connection the blocking wait is made on. On a cluster that is the pooled
   * connection to the master of the inbox's slot (CLIENT ID without a key would go to any node),
   * read again before each wait since the slot may have moved; unknown until the slots are known.
   */
  private async readBlockingId(): Promise<void> {
    const node = nodeForKey(this.options.blocking, this.keys.inbox);
    this.blockingId = undefined;
    this.blockingNode = undefined;
    if (!node) return;
    this.blockingId = Number(await node.client('ID'));
    this.blockingNode = nodeName(node);
  }

  /** Interrupts the blocking wait (stop, or reclaimed messages to handle). */
  private async wake(): Promise<void> {
    if (!this.waiting || this.blockingId === undefined) return;
    // CLIENT UNBLOCK must reach the server the wait is on (on a cluster: the inbox's master).
    const target = nodeForKey(this.options.redis, this.keys.inbox);
    if (!target || nodeName(target) !== this.blockingNode) return;
    try {
      await target.client('UNBLOCK', this.blockingId);
    } catch (err) {
      this.options.logger.warn({ err, inbox: this.options.inbox }, 'could not interrupt the blocking wait');
    }
  }

  private async tryHandleBatch(batch: readonly Taken[]): Promise<boolean> {
    try {
      await this.handleBatch(batch);
      return true;
    } catch (err) {
      this.unhealthy(err, 'handling a batch failed; it will be handled again, not acknowledged');
      return false;
    }
  }

  private async handleBatch(batch: readonly Taken[]): Promise<void> {
    const groups = new Map<string, string[]>();
    for (const t of batch) {
      const g = groups.get(t.partition);
      if (g) g.push(t.raw);
      else groups.set(t.partition, [t.raw]);
    }
    const queue = [...groups.values()];
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        const rest = this.options.handleGroup && group.length > 1 ? await this.handleGroup(group) : group;
        for (const raw of rest) await this.handleOne(raw);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, queue.length) }, worker));
  }

  /**
   * One user's messages through `handleGroup`. Returns those still to be handled one by one: none
   * when it succeeded; all the readable ones when it failed (or when some were unreadable: those
   * are dead letters already, and the rest keep the simple path).
   */
  private async handleGroup(group: readonly string[]): Promise<readonly string[]> {
    const { inbox, logger } = this.options;
    const valid: { raw: string; message: M }[] = [];
    for (const raw of group) {
      const parsed = this.options.parse(raw);
      if (parsed.ok) valid.push({ raw, message: parsed.value });
      else await this.deadLetter(raw, `invalid message: ${parsed.error}`, 0);
    }
    const rest = valid.map((v) => v.raw);
    if (valid.length < group.length || valid.length === 0) return rest;
    const end = this.metrics?.seconds.startTimer({ inbox, mode: 'group' });
    try {
      await withTimeout(this.options.handleGroup!(valid.map((v) => v.message)), this.settings.handlerTimeoutMs, `group handler timed out after ${this.settings.handlerTimeoutMs} ms`);
      end?.();
      this.metrics?.messages.inc({ inbox, outcome: 'handled' }, valid.length);
      for (const v of valid) logger.debug({ inbox, consumer: this.id, ...traceOf(v.message) }, 'message handled');
      return [];
    } catch (err) {
      logger.warn({ inbox, consumer: this.id, messages: valid.length, error: err instanceof Error ? err.message : String(err) }, 'group handling failed; handling its messages one by one');
      return rest;
    }
  }

  private async handleOne(raw: string): Promise<void> {
    const { inbox, logger } = this.options;
    const parsed = this.options.parse(raw);
    if (!parsed.ok) {
      await this.deadLetter(raw, `invalid message: ${parsed.error}`, 0);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const end = this.metrics?.seconds.startTimer({ inbox, mode: 'one' });
        await withTimeout(this.options.handle(parsed.value), this.settings.handlerTimeoutMs, `handler timed out after ${this.settings.handlerTimeoutMs} ms`);
        end?.();
        this.metrics?.messages.inc({ inbox, outcome: 'handled' });
        logger.debug({ inbox, consumer: this.id, ...traceOf(parsed.value) }, 'message handled');
        return;
      } catch (err) {
        if (err instanceof DeadLetter) {
          await this.deadLetter(raw, err.reason, attempt);
          return;
        }
        // A name in the message that no key can hold fails the same on every try.
        if (err instanceof KeyPartError) {
          await this.deadLetter(raw, err.message, attempt);
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        if (attempt >= this.settings.maxAttempts) {
          logger.error({ err, inbox, consumer: this.id, attempts: attempt, ...traceOf(parsed.value) }, 'handler failed; dead-lettering the message');
          await this.deadLetter(raw, `handler failed ${attempt} times: ${message}`, attempt);
          return;
        }
        this.metrics?.messages.inc({ inbox, outcome: 'retried' });
        logger.warn({ inbox, consumer: this.id, attempt, error: message, ...traceOf(parsed.value) }, 'handler failed; retrying');
        await pause(Math.min(50 * 2 ** attempt, 5_000));
      }
    }
  }

  private async deadLetter(raw: string, reason: string, attempts: number): Promise<void> {
    const { inbox, logger, redis } = this.options;
    const entry: DeadLetterEntry = { reason, inbox, consumer: this.id, attempts, at: new Date().toISOString(), message: raw };
    // An unwritten dead letter must not let the message be acknowledged: this throws, the batch stays.
    await execOrThrow(redis.multi().lpush(this.keys.dead, JSON.stringify(entry)).hincrby(this.keys.stats, 'dead', 1));
    this.metrics?.messages.inc({ inbox, outcome: 'dead' });
    logger.warn({ inbox, consumer: this.id, reason, message: raw.length > 500 ? `${raw.slice(0, 500)}…` : raw }, 'message dead-lettered');
  }

  private async tick(): Promise<void> {
    if (this.state !== 'running' || this.ticking) return;
    this.ticking = true;
    try {
      const renewed = Number(await scripts.heartbeat.run(this.options.redis, [this.keys.consumers], [this.id, this.settings.consumerTtlMs, '']));
      if (renewed === 0) {
        this.heartbeatsOkSince = undefined; // fenced: the loop finds out at its next take and re-registers
        return;
      }
      // After an outage (a failed heartbeat, a closed connection, or just a long silence) every
      // registration may have lapsed, live ones included: give everyone a whole TTL to renew
      // before judging any consumer dead.
      const now = Date.now();
      const gap = this.lastHeartbeatOk === undefined || now - this.lastHeartbeatOk > this.settings.consumerTtlMs / 2;
      if (gap || this.heartbeatsOkSince === undefined) this.heartbeatsOkSince = now;
      this.lastHeartbeatOk = now;
      if (now - this.heartbeatsOkSince >= this.settings.consumerTtlMs) await this.reclaim('');
      this.healthy = true;
    } catch (err) {
      this.heartbeatsOkSince = undefined;
      this.unhealthy(err, 'heartbeat failed');
    } finally {
      this.ticking = false;
    }
  }

  private async reclaim(stableNamePrefix: string): Promise<void> {
    const [consumers, moved, ...partitions] = (await scripts.reclaim.run(this.options.redis, [this.keys.consumers, this.keys.owners, this.keys.takes], [this.keys.prefix, this.id, stableNamePrefix])) as [number, number, ...string[]];
    if (consumers > 0) {
      this.options.logger.warn({ inbox: this.options.inbox, consumer: this.id, deadConsumers: consumers, messages: moved, partitions: partitions.length }, 'took over the messages of dead consumers');
      this.metrics?.reclaimed.inc({ inbox: this.options.inbox }, moved);
      // Told before their messages are handled here: the app learns first what the dead one held.
      if (partitions.length > 0 && this.options.onReclaimed) await this.options.onReclaimed(partitions.map(String));
      if (moved > 0) await this.wake();
    }
  }

  private async refence(): Promise<void> {
    const old = this.id;
    this.keys = courierKeys(this.options.inbox, this.newId());
    this.options.logger.error({ inbox: this.options.inbox, consumer: old, newId: this.id }, 'this consumer was presumed dead and its messages were taken over; re-registering under a new id');
    try {
      await this.register();
    } catch (err) {
      this.unhealthy(err, 're-registering failed');
    }
  }

  private unhealthy(err: unknown, what: string): void {
    if (this.healthy) this.options.logger.error({ err, inbox: this.options.inbox, consumer: this.id }, what);
    this.healthy = false;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function definedOnly(o: Partial<ConsumerSettings>): Partial<ConsumerSettings> {
  const out: Partial<ConsumerSettings> = {};
  for (const k of ['name', 'batchSize', 'concurrency', 'maxAttempts', 'consumerTtlMs', 'blockMs', 'handlerTimeoutMs', 'sticky'] as const) {
    if (o[k] !== undefined) (out as Record<string, unknown>)[k] = o[k];
  }
  return out;
}
