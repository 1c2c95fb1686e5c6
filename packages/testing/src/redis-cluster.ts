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

/** One line of CLUSTER NODES: a node's id, port, role, the master it replicates and its slots. */
interface NodeView {
  id: string;
  port: number;
  master: boolean;
  masterId: string | undefined;
  slots: [number, number][];
}

function clusterNodes(text: string): NodeView[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '-', , , , , ...slots] = line.split(' ');
      return {
        id,
        port: Number(/:(\d+)@/.exec(address)?.[1]),
        master: flags.split(',').includes('master'),
        masterId: masterId === '-' ? undefined : masterId,
        slots: slots.filter((s) => !s.startsWith('[')).map((s) => s.split('-').map(Number) as [number, number]).map(([a, b]) => [a, b ?? a] as [number, number]),
      };
    });
}

/**
 * A real Redis Cluster for a test tier: `masters` redis-servers started with
 * `--cluster-enabled yes` on free ports (and free bus ports), and `replicas` replicas of each, joined
 * by `redis-cli --cluster create`, in a temp dir of its own. Ready once every node reports
 * `cluster_state:ok` (and every replica is in sync). A cluster has database 0 only, so it offers
 * one key space at a time. `failover(key)` moves the master of a key's slot to its replica.
 */
export class TestRedisCluster implements RedisTier {
  private readonly clients = new Set<Cluster>();
  private spaceInUse = false;

  private constructor(
    private readonly nodes: readonly ClusterNode[],
    private readonly dir: string,
  ) {}

  static async start(options: { masters?: number; replicas?: number; args?: string[] } = {}): Promise<TestRedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicas ?? 0;
    for (let attempt = 0; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'parley-redis-cluster-'));
      const nodes: ClusterNode[] = [];
      try {
        for (let i = 0; i < masters * (1 + replicas); i++) {
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
        const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8' });
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

  /** Every node agrees that all slots are served (the gossip has settled) and every replica is in sync. */
  private async waitForOk(): Promise<void> {
    await this.onEveryNode(async (direct) => {
      await eventually(
        () => Promise.all(direct.map(async (r) => `${await r.cluster('INFO')}\n${await r.info('replication')}`)),
        (infos) => infos.every((i) => i.includes('cluster_state:ok') && i.includes(`cluster_known_nodes:${this.nodes.length}`) && (i.includes('role:master') || i.includes('master_link_status:up'))),
        'cluster_state:ok on every node, every replica in sync',
      );
    });
  }

  private async onEveryNode<T>(use: (direct: Redis[]) => Promise<T>): Promise<T> {
    const direct = this.nodes.map((n) => new Redis({ host: '127.0.0.1', port: n.port, maxRetriesPerRequest: 1 }));
    try {
      return await use(direct);
    } finally {
      for (const r of direct) r.disconnect();
    }
  }

  /** What each node says the cluster is. */
  private async views(): Promise<NodeView[][]> {
    return this.onEveryNode((direct) => Promise.all(direct.map(async (r) => clusterNodes(String(await r.cluster('NODES'))))));
  }

  /** The slot of a key (asked of a node directly: a cluster client sends a keyless command to any node). */
  async slotOf(key: string): Promise<number> {
    return this.onEveryNode(async ([first]) => Number(await first!.cluster('KEYSLOT', key)));
  }

  /** The port of the master serving `key`'s slot, as the first node sees it. */
  async masterOf(key: string): Promise<number> {
    const slot = await this.slotOf(key);
    const [view = []] = await this.views();
    const master = view.find((n) => n.master && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return master.port;
  }

  /**
   * A manual failover of the master serving `key`'s slot (CLUSTER FAILOVER on one of its replicas,
   * which waits for the replica to catch up, so nothing written is lost): resolves with the old and
   * new master's ports once every node sees the new one serve the slot, the old one follows it, and
   * this cluster's clients reach the key again (a demoted master may close their connections).
   */
  async failover(key: string): Promise<{ from: number; to: number }> {
    const slot = await this.slotOf(key);
    const [view = []] = await this.views();
    const master = view.find((n) => n.master && n.slots.some(([a, b]) => slot >= a && slot <= b));
    const replica = master && view.find((n) => n.masterId === master.id);
    if (!master || !replica) throw new Error(`slot ${slot} has no master with a replica (start the cluster with replicas)`);
    const direct = new Redis({ host: '127.0.0.1', port: replica.port, maxRetriesPerRequest: 1 });
    try {
      await direct.cluster('FAILOVER');
    } finally {
      direct.disconnect();
    }
    await eventually(
      () => this.views(),
      (views) =>
        views.every((v) => {
          const now = v.find((n) => n.id === replica.id);
          const old = v.find((n) => n.id === master.id);
          return now?.master === true && now.slots.some(([a, b]) => slot >= a && slot <= b) && old?.master === false && old.masterId === replica.id;
        }),
      `every node sees ${replica.port} serve slot ${slot}`,
    );
    await this.waitForOk();
    // Each client of this cluster has learnt the new master (its slot table refreshed, which also
    // closes its connection to the old one): a command sent after this does not meet that close.
    const newMaster = `127.0.0.1:${replica.port}`;
    for (const client of this.clients) {
      await eventually(
        async () => {
          await client.exists(key).catch(() => undefined);
          return client.slots[slot]?.[0];
        },
        (node) => node === newMaster,
        `a client of the cluster routes slot ${slot} to ${newMaster}`,
      );
    }
    return { from: master.port, to: replica.port };
  }

  /** Every node's port (masters and replicas). */
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

  /** FLUSHALL on every master (replicas follow; they refuse writes). */
  private async flushAll(): Promise<void> {
    await this.onEveryNode(async (direct) => {
      for (const r of direct) if ((await r.info('replication')).includes('role:master')) await r.flushall();
    });
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
