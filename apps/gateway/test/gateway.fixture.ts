import 'reflect-metadata';
import type { AvailableNetwork } from '@parley/protocol';
import { NetworkList } from '../src/sessions/network-list.repository';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { ParleyClient, type ParleyClientOptions } from '@parley/client';
import type { SequencedNotification } from '@parley/protocol';
import { baseConfigShape, loadConfig } from '@parley/runtime';
import { Collector, eventually, type TestKeySpace } from '@parley/testing';
import type { Socket } from 'socket.io-client';
import { AppModule } from '../src/app.module';
import { gatewayConfigShape } from '../src/config';

/** One gateway (a Nest app in this process) on a test key space, with helpers to make users and clients. */
export class GatewayFixture {
  app: INestApplication | undefined;
  url = '';
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'parley-gateway-'));
  private readonly clients: ParleyClient[] = [];
  private users = 0;

  constructor(private readonly space: () => TestKeySpace) {}

  async start(env: Record<string, string> = {}): Promise<void> {
    const config = loadConfig('gateway', { ...baseConfigShape, ...gatewayConfigShape }, {
      REDIS_URL: this.space().url,
      DATA_DIR: this.dataDir,
      LOGIN_LIMIT_PER_IP: '100000',
      LOGIN_LIMIT_PER_ACCOUNT: '100000',
      ...env,
    });
    this.app = await NestFactory.create(AppModule.register(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })), { logger: false });
    this.app.enableShutdownHooks();
    await this.app.listen(0, '127.0.0.1');
    this.url = `http://127.0.0.1:${(this.app.getHttpServer() as { address(): { port: number } }).address().port}`;
  }

  /** Stops the gateway and starts it again with other settings. */
  async restart(env: Record<string, string>): Promise<void> {
    await this.stop();
    await this.start(env);
  }

  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) c.socket.disconnect();
    await this.app?.close();
    this.app = undefined;
  }

  /** The IRC networks the running gateway offers now (its live list of Network objects). */
  networkList(): AvailableNetwork[] {
    return this.app!.get(NetworkList).list();
  }

  /** Resolves once the gateway has announced what its network cache has seen. */
  networksAnnounced(): Promise<void> {
    return this.app!.get(NetworkList).settled();
  }

  cleanup(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.url}/api/v1/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Registers and logs in a new user. */
  async user(nick = `user${++this.users}x`): Promise<{ userId: number; token: string; nick: string }> {
    const password = 'correct horse battery';
    const reg = await this.post('register', { name: nick, email: `${nick}@example.com`, nick, password });
    if (reg.status !== 201) throw new Error(`register ${nick}: ${reg.status} ${await reg.text()}`);
    const login = await this.post('login', { username: nick, password });
    const { userId, token } = (await login.json()) as { userId: number; token: string };
    return { userId, token, nick };
  }

  /** A client with its notifications collected; not connected yet. */
  client(token: string, options: Partial<ParleyClientOptions> = {}): { client: ParleyClient; seen: Collector<SequencedNotification> } {
    const client = new ParleyClient({ url: this.url, token, clientName: 'test', transports: ['websocket'], ackDelayMs: 50, ...options });
    const seen = new Collector<SequencedNotification>();
    client.on('notification', seen.push);
    this.clients.push(client);
    return { client, seen };
  }
}

/** Emits any event with any payload (what the typed event map forbids) and resolves with the callback's answer. */
export function emitRaw<T = unknown>(client: ParleyClient, event: string, payload: unknown): Promise<T> {
  const socket = client.socket as unknown as Socket;
  return new Promise<T>((resolve) => socket.emit(event, payload, resolve));
}

/** Waits until a notification of `type` has arrived (the `n`th of them); returns all of that type. */
export async function waitForType(seen: Collector<SequencedNotification>, type: string, n = 1): Promise<SequencedNotification[]> {
  const ofType = await eventually(
    () => seen.items.filter((i) => i.type === type),
    (list) => list.length >= n,
    `${n} × ${type}`,
  );
  return ofType;
}
