/// <reference types="jest" />
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { eventually } from './events';
import { findRedisServer, freePort, TestRedis, waitForReady } from './redis-server';

/** A test's Redis connection: to one server, or a cluster client. */
export type TestRedisClient = Redis | Cluster;

/** What a test needs of its key space, on one Redis or on a cluster. */
export interface KeySpace {
  readonly redis: TestRedisClient;
  /** REDIS_URL for the code under test. */
  readonly url: string;
  connect(options?: RedisOptions): TestRedisClient;
  cleanup(): Promise<void>;
}

/** What a tier's Redis offers, one server or a cluster. */
export interface RedisTier {
  readonly url: string;
  keySpace(): Promise<KeySpace>;
  stop(): Promise<void>;
}

/** Set by the cluster tier (e2e's jest project "cluster"): tests that ask for a Redis get a cluster. */
export const CLUSTER_TIER_VARIABLE = 'PARLEY_TEST_REDIS_CLUSTER';

/**
 * The Redis of one test tier: a TestRedis, or a 3-master TestRedisCluster when the cluster tier
 * runs (PARLEY_TEST_REDIS_CLUSTER=1; it also sets REDIS_CLUSTER, so the key schema, and the apps
 * the test starts, name their keys for a cluster). The same e2e files run on both.
 */
export async function startTestRedis(): Promise<RedisTier> {
  return process.env[CLUSTER_TIER_VARIABLE] === '1' ? TestRedisCluster.start() : TestRedis.start();
}

interface ClusterNode {
  port: number;
  busPort: number;
  proc: ChildProcess;
}

/**
 * A real Redis Cluster for a test tier: `masters` redis-servers started with
 * `--cluster-enabled yes` on free ports (and free bus ports), joined by `redis-cli --cluster
 * create` with no replicas, in a temp dir of its own. Ready once every node reports
 * `cluster_state:ok`. A cluster has database 0 only, so it offers one key space at a time.
 */
export class TestRedisCluster implements RedisTier {
  private readonly clients = new Set<TestRedisClient>();
  private spaceInUse = false;

  private constructor(
    private readonly nodes: readonly ClusterNode[],
    private readonly dir: string,
  ) {}

  static async start(options: { masters?: number; args?: string[] } = {}): Promise<TestRedisCluster> {
    const masters = options.masters ?? 3;
    for (let attempt = 0; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'parley-redis-cluster-'));
      const nodes: ClusterNode[] = [];
      try {
        for (let i = 0; i < masters; i++) {
          const port = await freePort();
          const busPort = await freePort();
          const proc = spawn(
            findRedisServer(),
            [
              '--port', String(port),
              '--cluster-port', String(busPort),
              '--bind', '127.0.0.1',
              '--dir', dir,
              '--cluster-enabled', 'yes',
              '--cluster-config-file', `nodes-${port}.conf`,
              '--cluster-node-timeout', '5000',
              '--save', '',
              '--appendonly', 'no',
              '--protected-mode', 'no',
              ...(options.args ?? []),
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          nodes.push({ port, busPort, proc });
          await waitForReady(proc, port);
        }
        const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
        if (created.error || created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.error?.message ?? ''}${created.stdout.slice(-1500)}${created.stderr.slice(-500)}`);
        const cluster = new TestRedisCluster(nodes, dir);
        await cluster.waitForOk();
        return cluster;
      } catch (err) {
        for (const n of nodes) n.proc.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        // A port may have been taken between our probe and the server's bind.
        if (attempt >= 2) throw err;
      }
    }
  }

  /** Every node agrees that all slots are served (the gossip has settled). */
  private async waitForOk(): Promise<void> {
    const direct = this.nodes.map((n) => new Redis({ host: '127.0.0.1', port: n.port, maxRetriesPerRequest: 1 }));
    try {
      await eventually(
        () => Promise.all(direct.map((r) => r.cluster('INFO'))),
        (infos) => infos.every((i) => i.includes('cluster_state:ok') && i.includes(`cluster_known_nodes:${this.nodes.length}`)),
        'cluster_state:ok on every node',
      );
    } finally {
      for (const r of direct) r.disconnect();
    }
  }

  /** The masters' ports. */
  get ports(): number[] {
    return this.nodes.map((n) => n.port);
  }

  /** Every node, comma-separated: what REDIS_URL holds on a cluster. */
  get url(): string {
    return this.nodes.map((n) => `redis://127.0.0.1:${n.port}`).join(',');
  }

  /** A cluster client; closed by stop(). */
  client(options: RedisOptions = {}): Cluster {
    const client = new Cluster(
      this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { redisOptions: { maxRetriesPerRequest: 1, ...options } },
    );
    this.clients.add(client);
    client.once('end', () => this.clients.delete(client));
    return client;
  }

  /** The cluster's one key space (emptied first). Ask again only after the last one's cleanup. */
  async keySpace(): Promise<KeySpace> {
    if (this.spaceInUse) throw new Error('TestRedisCluster: one key space at a time (a cluster has database 0 only)');
    this.spaceInUse = true;
    await this.flushAll();
    const redis = this.client();
    return {
      redis,
      url: this.url,
      connect: (options?: RedisOptions) => this.client(options),
      cleanup: async () => {
        await this.flushAll();
        this.spaceInUse = false;
      },
    };
  }

  private async flushAll(): Promise<void> {
    for (const n of this.nodes) {
      const r = new Redis({ host: '127.0.0.1', port: n.port, maxRetriesPerRequest: 1 });
      try {
        await r.flushall();
      } finally {
        r.disconnect();
      }
    }
  }

  /** Stops every node and removes their files. */
  async stop(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    this.clients.clear();
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.proc.exitCode !== null || n.proc.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => n.proc.once('exit', () => resolve()));
        n.proc.kill('SIGTERM');
        await exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
