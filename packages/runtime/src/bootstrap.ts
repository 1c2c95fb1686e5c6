import 'reflect-metadata';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino, { type Logger } from 'pino';
import type { z } from 'zod';
import { type AppConfigOf, baseConfigShape, ConfigError, loadConfig } from './config';
import { createLogger, NestPinoLogger } from './logger';
import { Readiness } from './readiness';

export interface StartOptions {
  app: string;
  module: Type | DynamicModule;
  logger: Logger;
  port: number;
  host: string;
  /** After SIGTERM, the app gets this long to finish the work in hand; then it is forced out. */
  shutdownTimeoutMs: number;
  /** Called with the Nest app before it listens (the gateway adds socket.io, static files, …). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a Nest app on its HTTP port and makes SIGTERM/SIGINT graceful: readiness turns false at
 * once, every module finishes what it holds (inbox consumers finish their batch), connections close,
 * and the process exits 0. A second signal, or the timeout, exits at once with code 1.
 */
export async function startApp(options: StartOptions): Promise<INestApplication> {
  const { logger } = options;
  const app = await NestFactory.create(options.module, { logger: new NestPinoLogger(logger), abortOnError: false });
  await options.configure?.(app);
  await app.listen(options.port, options.host);
  logger.info({ port: options.port, host: options.host }, `${options.app} listening`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, `${options.app} stopping: finishing the work in hand`);
    app.get(Readiness).markStopping();
    const force = setTimeout(() => {
      logger.error({ timeoutMs: options.shutdownTimeoutMs }, 'graceful stop took too long: exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs);
    force.unref();
    app
      .close()
      .then(() => {
        logger.info(`${options.app} stopped`);
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return app;
}

/**
 * The body of every app's main.ts: runs `start`, and if it fails (a bad environment variable, Redis
 * refusing, a consumer missing a handler) logs one fatal line saying why and exits non-zero.
 */
export function runMain(app: string, start: () => Promise<unknown>): void {
  process.on('unhandledRejection', (reason) => {
    pino({ base: { app } }).fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
  start().catch((err: unknown) => {
    const logger = pino({ base: { app, pid: process.pid }, formatters: { level: (label) => ({ level: label }) } });
    if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
    else logger.fatal({ err }, `${app} failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

export interface RunAppOptions<S extends z.ZodRawShape> {
  app: string;
  /** The app's environment, on top of baseConfigShape. */
  configShape: S;
  /** Which config value is the HTTP port. */
  port: (config: AppConfigOf<S>) => number;
  /** The root module, built from the parsed config and the logger. */
  module: (config: AppConfigOf<S>, logger: Logger) => Type | DynamicModule;
  configure?: StartOptions['configure'];
}

/** The whole of an app's main.ts: parse the environment, log, start, stop gracefully. */
export function runApp<S extends z.ZodRawShape>(options: RunAppOptions<S>): void {
  runMain(options.app, async () => {
    const config = loadConfig(options.app, { ...baseConfigShape, ...options.configShape }) as AppConfigOf<S>;
    const logger = createLogger(options.app, config.LOG_LEVEL);
    await startApp({
      app: options.app,
      module: options.module(config, logger),
      logger,
      port: options.port(config),
      host: config.HTTP_HOST,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      configure: options.configure,
    });
  });
}
