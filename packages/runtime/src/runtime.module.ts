import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HealthController } from './health.controller';
import { Readiness } from './readiness';
import { createRedisConnection, pingRedis, type RedisConnection as Redis } from './redis.repository';
import { APP_CONFIG, APP_NAME, LOGGER, METRICS, REDIS } from './tokens';

export interface RuntimeOptions {
  app: string;
  config: { REDIS_URL: string };
  logger: Logger;
}

/** Closes the shared Redis connection last, and tells /readyz whether Redis answers. */
@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    readiness: Readiness,
  ) {
    readiness.register('redis', () => pingRedis(this.redis));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * What every Parley app has: its name, typed config, pino logger, one shared Redis connection,
 * a Prometheus registry, and the /healthz, /readyz and /metrics endpoints.
 */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(options: RuntimeOptions): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      controllers: [HealthController],
      providers: [
        { provide: APP_NAME, useValue: options.app },
        { provide: APP_CONFIG, useValue: options.config },
        { provide: LOGGER, useValue: options.logger },
        {
          provide: METRICS,
          useFactory: () => {
            const registry = new Registry();
            registry.setDefaultLabels({ app: options.app });
            collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
        {
          provide: REDIS,
          useFactory: (logger: Logger) => createRedisConnection(options.config.REDIS_URL, options.app, logger),
          inject: [LOGGER],
        },
        Readiness,
        RedisLifecycle,
      ],
      exports: [APP_NAME, APP_CONFIG, LOGGER, METRICS, REDIS, Readiness],
    };
  }
}
