import { parseClusterSwitch } from '@parley/key-schema';
import { z } from 'zod';

/** A bad or missing environment variable: the message names each one. */
export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: { variable: string; message: string }[],
  ) {
    super(`${app}: invalid environment: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Environment helpers: every value arrives as a string (or not at all). */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  redisUrl: () =>
    z
      .string()
      .regex(/^rediss?:\/\/[^\s,]+(,rediss?:\/\/[^\s,]+)*$/, 'expected a redis:// or rediss:// URL (on a cluster, one or more, comma-separated)')
      .default('redis://127.0.0.1:6379'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  optionalString: () => z.string().min(1).optional(),
  /** `IM_KEY_PREFIX`: where the IM keys live (the seed's `ouyunc:im:`); every app that reads them sets the same. */
  imKeyPrefix: () =>
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}:$/, 'letters, digits, _ . - and a trailing colon')
      .default('im:'),
};

/** Settings every Parley app reads. */
export const baseConfigShape = {
  REDIS_URL: env.redisUrl(),
  /**
   * `1`/`true`: Redis is a Redis Cluster (REDIS_URL names one or more of its nodes) and every key
   * carries the `{parley}` hash tag. The key schema reads the same variable when it loads.
   */
  REDIS_CLUSTER: z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseClusterSwitch(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  LOG_LEVEL: env.logLevel(),
  /** How long a stopping app may take to finish the work in hand before it is forced out. */
  SHUTDOWN_TIMEOUT_MS: env.int(25_000, 1_000, 600_000),
  /** The interface the app's HTTP port listens on. */
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
};

export type BaseConfig = z.infer<z.ZodObject<typeof baseConfigShape>>;
/** An app's config: the base settings and its own. */
export type AppConfigOf<S extends z.ZodRawShape> = BaseConfig & z.infer<z.ZodObject<S>>;

/**
 * Parses the environment once, at start, into a typed object. Unknown variables are ignored; a bad
 * or missing one throws a ConfigError naming it (and the value it had), which stops the app.
 */
export function loadConfig<S extends z.ZodRawShape>(app: string, shape: S, source: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const schema = z.object(shape);
  // Empty strings count as unset, so `FOO= npm start` falls back to the default.
  const input: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    app,
    result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const given = input[variable];
      return { variable, message: given === undefined ? issue.message : `${issue.message} (got ${JSON.stringify(given)})` };
    }),
  );
}
