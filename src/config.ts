// Configuration comes from the environment only, and is checked once at start so a typo stops the
// server with a sentence that names the variable, instead of failing later.
import { z } from 'zod';
import { providerFromUrl } from './db/provider.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** Base of the public links the API hands out (award pages, certificates). */
  publicUrl: string;
  /** API key for the default organization created on a first start; one is generated when unset. */
  bootstrapApiKey: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Serve GraphiQL at /graphql to browsers. */
  graphiql: boolean;
  /** How long a query result may be served from the response cache; 0 turns the cache off. */
  responseCacheTtlMs: number;
  /** With Redis, committed changes reach every instance (subscriptions, caches). */
  redisUrl: string | undefined;
  /** The Redis pub/sub channel; instances that share one see each other's changes. */
  redisChannel: string;
  /** Browser origins allowed to call the API and open websockets, besides the server's own. */
  allowedOrigins: string[];
  /** A subscriber whose oldest unread result is older than this is dropped as too slow. */
  subscriptionMaxLagMs: number;
  /** ...and so is one with more unread results than this. */
  subscriptionMaxPending: number;
  /** A websocket with more than this many bytes waiting to be sent is dropped as too slow. */
  subscriptionMaxBufferedBytes: number;
  /** How often websockets are pinged; one that has not answered by the next ping is closed. */
  websocketKeepAliveMs: number;
  /** How often the scheduler looks for due work: membership end dates, award expiry, backfill jobs. */
  automationTickMs: number;
  /** Earners per transaction when a rule is applied to every earner (a backfill). */
  automationBatchSize: number;
  /** Concurrent transactions per backfill batch on PostgreSQL (SQLite has one writer: always 1). */
  automationParallelism: number;
  /** SMTP server for outgoing email; unset: messages are written as .eml files to outboxDir. */
  smtpUrl: string | undefined;
  /** Sender address of every email; the display name is the organization's name. */
  mailFrom: string;
  /** Where .eml files go when no SMTP server is configured. */
  outboxDir: string;
  /** How often the outbox worker looks for messages due to be sent. */
  emailPollMs: number;
  /** Delay before the first retry of a failed send; doubled after each further failure. */
  emailRetryBaseMs: number;
  /** Attempts before a message is given up as FAILED. */
  emailMaxAttempts: number;
  /**
   * Which http(s) images (organization logo, badge image) certificates fetch: `public` only from
   * hosts whose addresses are public, `all` also from private and loopback ones, `off` none.
   */
  certificateImages: 'public' | 'all' | 'off';
  /** Which webhook URLs may be called: `public` only hosts whose addresses are public, `all` also private and loopback ones. */
  webhookAddresses: 'public' | 'all';
  /** Which addresses an import of other platforms' badges may fetch documents from; off fetches nothing. */
  importFetch: 'public' | 'all' | 'off';
  /** How often the webhook worker looks for deliveries due. */
  webhookPollMs: number;
  /** How long one webhook request may take before it counts as failed. */
  webhookTimeoutMs: number;
  /** Delay before the first retry of a failed delivery; doubled after each further failure (with jitter). */
  webhookRetryBaseMs: number;
  /** How long after its event a delivery is retried before it is given up as FAILED. */
  webhookRetryForMs: number;
  /** Deliveries given up in a row, with no success between, before the endpoint is disabled. */
  webhookDisableAfter: number;
  /** A live leaderboard is recomputed at most once per this interval, however many changes arrive. */
  leaderboardIntervalMs: number;
  /** Secret mixed into the hash of client addresses kept for engagement deduplication. */
  engagementSalt: string | undefined;
  /** How many proxies in front of the server append to X-Forwarded-For (0: ignore the header). */
  trustProxyHops: number;
  /** PostgreSQL: distinct statements kept prepared per connection; 0 for poolers that cannot keep them (PgBouncer in transaction mode before 1.21). */
  databasePreparedStatements: number;
  /** Requests per minute per API key (0: no limit). */
  rateLimitPerKey: number;
  /** Requests per minute per client address to what needs no API key (0: no limit). */
  rateLimitPerAddress: number;
  /** Bearer token that opens GET /metrics; unset: no metrics endpoint. */
  metricsToken: string | undefined;
  /** On SIGTERM, how long requests in flight may take to finish before their connections are cut. */
  shutdownTimeoutMs: number;
  /** Larger request bodies are refused (413) before they are read. */
  maxBodyBytes: number;
  /**
   * Passphrase that seals the secret halves of credential signing keys in the database
   * (AES-256-GCM); unset: they are stored as they are, and a warning is logged at start.
   */
  credentialKeySecret: string | undefined;
}

/**
 * The default body limit. A bulk issue of 1,000 awards is about 300 KB; the limit is what one
 * request may make the event loop chew at once (decoding and parsing 4 MiB took 30 ms, and other
 * clients waited up to 60 ms; at 2 MiB, 27 ms: bench/results/hostile.md).
 */
export const DEFAULT_MAX_BODY_KB = 2048;

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'must be a whole number from 0 to 65535' })
    .int('must be a whole number from 0 to 65535')
    .min(0, 'must be a whole number from 0 to 65535')
    .max(65535, 'must be a whole number from 0 to 65535')
    .default(4000),
  HOST: z.string().min(1, 'must not be empty').default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('file:./data/badges.db')
    .refine((url) => providerFromUrl(url) !== undefined, {
      message: 'must start with file: (SQLite) or postgres:// or postgresql:// (PostgreSQL)',
    }),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  BOOTSTRAP_API_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,200}$/, 'must be 32 to 200 characters of A-Z a-z 0-9 _ -')
    .optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  RESPONSE_CACHE_TTL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0 to 3600' })
    .min(0, 'must be a number of seconds from 0 to 3600')
    .max(3600, 'must be a number of seconds from 0 to 3600')
    .default(30),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_CHANNEL: z.string().regex(/^[\w:.-]{1,100}$/, 'must be 1 to 100 characters of A-Z a-z 0-9 _ : . -').default('badges:events'),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim().replace(/\/+$/, '')).filter(Boolean))
    .refine((origins) => origins.every((origin) => origin === '*' || /^https?:\/\/[^/]+$/.test(origin)), {
      message: 'must be a comma-separated list of origins such as https://app.example.com, or *',
    }),
  SUBSCRIPTION_MAX_LAG_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.1 to 3600' })
    .min(0.1, 'must be a number of seconds from 0.1 to 3600')
    .max(3600, 'must be a number of seconds from 0.1 to 3600')
    .default(30),
  SUBSCRIPTION_MAX_PENDING: z.coerce
    .number({ error: 'must be a whole number from 1 to 1000000' })
    .int('must be a whole number from 1 to 1000000')
    .min(1, 'must be a whole number from 1 to 1000000')
    .max(1_000_000, 'must be a whole number from 1 to 1000000')
    .default(10_000),
  SUBSCRIPTION_MAX_BUFFERED_KB: z.coerce
    .number({ error: 'must be a whole number of KB from 16 to 1048576' })
    .int('must be a whole number of KB from 16 to 1048576')
    .min(16, 'must be a whole number of KB from 16 to 1048576')
    .max(1_048_576, 'must be a whole number of KB from 16 to 1048576')
    .default(4096),
  WEBSOCKET_KEEPALIVE_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.1 to 600' })
    .min(0.1, 'must be a number of seconds from 0.1 to 600')
    .max(600, 'must be a number of seconds from 0.1 to 600')
    .default(12),
  AUTOMATION_TICK_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.05 to 60' })
    .min(0.05, 'must be a number of seconds from 0.05 to 60')
    .max(60, 'must be a number of seconds from 0.05 to 60')
    .default(10),
  AUTOMATION_BATCH_SIZE: z.coerce
    .number({ error: 'must be a whole number from 10 to 100000' })
    .int('must be a whole number from 10 to 100000')
    .min(10, 'must be a whole number from 10 to 100000')
    .max(100_000, 'must be a whole number from 10 to 100000')
    .default(5000),
  AUTOMATION_PARALLELISM: z.coerce
    .number({ error: 'must be a whole number from 1 to 16' })
    .int('must be a whole number from 1 to 16')
    .min(1, 'must be a whole number from 1 to 16')
    .max(16, 'must be a whole number from 1 to 16')
    .default(2),
  LEADERBOARD_UPDATE_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.05 to 60' })
    .min(0.05, 'must be a number of seconds from 0.05 to 60')
    .max(60, 'must be a number of seconds from 0.05 to 60')
    .default(0.25),
  DATABASE_PREPARED_STATEMENTS: z.coerce
    .number({ error: 'must be a whole number from 0 to 10000' })
    .int('must be a whole number from 0 to 10000')
    .min(0, 'must be a whole number from 0 to 10000')
    .max(10_000, 'must be a whole number from 0 to 10000')
    .default(256),
  ENGAGEMENT_SALT: z.string().min(16, 'must be at least 16 characters').optional(),
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine((value) => /^(true|false|\d{1,2})$/.test(value), { message: 'must be true, false or a number of proxies from 0 to 99' })
    .transform((value) => (value === 'true' ? 1 : value === 'false' ? 0 : Number(value))),
  GRAPHIQL: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  // A plain address (local domains such as @localhost allowed); never a display name or a line break.
  MAIL_FROM: z
    .string()
    .regex(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/, 'must be a plain email address such as badges@example.com')
    .default('badges@localhost'),
  EMAIL_OUTBOX_DIR: z.string().min(1, 'must not be empty').default('./data/outbox'),
  EMAIL_POLL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.05 to 600' })
    .min(0.05, 'must be a number of seconds from 0.05 to 600')
    .max(600, 'must be a number of seconds from 0.05 to 600')
    .default(5),
  EMAIL_RETRY_BASE_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.01 to 3600' })
    .min(0.01, 'must be a number of seconds from 0.01 to 3600')
    .max(3600, 'must be a number of seconds from 0.01 to 3600')
    .default(30),
  EMAIL_MAX_ATTEMPTS: z.coerce
    .number({ error: 'must be a whole number from 1 to 50' })
    .int('must be a whole number from 1 to 50')
    .min(1, 'must be a whole number from 1 to 50')
    .max(50, 'must be a whole number from 1 to 50')
    .default(8),
  CERTIFICATE_IMAGES: z.enum(['public', 'all', 'off'], { error: 'must be one of public, all, off' }).default('public'),
  WEBHOOK_ADDRESSES: z.enum(['public', 'all'], { error: 'must be one of public, all' }).default('public'),
  IMPORT_FETCH: z.enum(['public', 'all', 'off'], { error: 'must be one of public, all, off' }).default('public'),
  WEBHOOK_POLL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.05 to 600' })
    .min(0.05, 'must be a number of seconds from 0.05 to 600')
    .max(600, 'must be a number of seconds from 0.05 to 600')
    .default(5),
  WEBHOOK_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.1 to 60' })
    .min(0.1, 'must be a number of seconds from 0.1 to 60')
    .max(60, 'must be a number of seconds from 0.1 to 60')
    .default(10),
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.01 to 3600' })
    .min(0.01, 'must be a number of seconds from 0.01 to 3600')
    .max(3600, 'must be a number of seconds from 0.01 to 3600')
    .default(30),
  WEBHOOK_RETRY_HOURS: z.coerce
    .number({ error: 'must be a number of hours from 0.0001 to 720' })
    .min(0.0001, 'must be a number of hours from 0.0001 to 720')
    .max(720, 'must be a number of hours from 0.0001 to 720')
    .default(72),
  WEBHOOK_DISABLE_AFTER: z.coerce
    .number({ error: 'must be a whole number from 1 to 1000' })
    .int('must be a whole number from 1 to 1000')
    .min(1, 'must be a whole number from 1 to 1000')
    .max(1000, 'must be a whole number from 1 to 1000')
    .default(5),
  RATE_LIMIT_PER_KEY: z.coerce
    .number({ error: 'must be a whole number of requests per minute from 0 to 10000000' })
    .int('must be a whole number of requests per minute from 0 to 10000000')
    .min(0, 'must be a whole number of requests per minute from 0 to 10000000')
    .max(10_000_000, 'must be a whole number of requests per minute from 0 to 10000000')
    .default(12_000),
  RATE_LIMIT_PER_ADDRESS: z.coerce
    .number({ error: 'must be a whole number of requests per minute from 0 to 10000000' })
    .int('must be a whole number of requests per minute from 0 to 10000000')
    .min(0, 'must be a whole number of requests per minute from 0 to 10000000')
    .max(10_000_000, 'must be a whole number of requests per minute from 0 to 10000000')
    .default(600),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  MAX_BODY_KB: z.coerce
    .number({ error: 'must be a whole number of KB from 64 to 65536' })
    .int('must be a whole number of KB from 64 to 65536')
    .min(64, 'must be a whole number of KB from 64 to 65536')
    .max(65_536, 'must be a whole number of KB from 64 to 65536')
    .default(DEFAULT_MAX_BODY_KB),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0 to 600' })
    .min(0, 'must be a number of seconds from 0 to 600')
    .max(600, 'must be a number of seconds from 0 to 600')
    .default(10),
  CREDENTIAL_KEY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const values = parsed.data;
  const publicUrl = (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  return {
    port: values.PORT,
    host: values.HOST,
    databaseUrl: values.DATABASE_URL,
    publicUrl,
    bootstrapApiKey: values.BOOTSTRAP_API_KEY,
    logLevel: values.LOG_LEVEL,
    graphiql: values.GRAPHIQL,
    responseCacheTtlMs: values.RESPONSE_CACHE_TTL_SECONDS * 1000,
    redisUrl: values.REDIS_URL,
    redisChannel: values.REDIS_CHANNEL,
    allowedOrigins: [...new Set([new URL(publicUrl).origin, ...values.ALLOWED_ORIGINS])],
    subscriptionMaxLagMs: values.SUBSCRIPTION_MAX_LAG_SECONDS * 1000,
    subscriptionMaxPending: values.SUBSCRIPTION_MAX_PENDING,
    subscriptionMaxBufferedBytes: values.SUBSCRIPTION_MAX_BUFFERED_KB * 1024,
    websocketKeepAliveMs: values.WEBSOCKET_KEEPALIVE_SECONDS * 1000,
    automationTickMs: values.AUTOMATION_TICK_SECONDS * 1000,
    automationBatchSize: values.AUTOMATION_BATCH_SIZE,
    automationParallelism: values.AUTOMATION_PARALLELISM,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    outboxDir: values.EMAIL_OUTBOX_DIR,
    emailPollMs: values.EMAIL_POLL_SECONDS * 1000,
    emailRetryBaseMs: values.EMAIL_RETRY_BASE_SECONDS * 1000,
    emailMaxAttempts: values.EMAIL_MAX_ATTEMPTS,
    certificateImages: values.CERTIFICATE_IMAGES,
    webhookAddresses: values.WEBHOOK_ADDRESSES,
    importFetch: values.IMPORT_FETCH,
    webhookPollMs: values.WEBHOOK_POLL_SECONDS * 1000,
    webhookTimeoutMs: values.WEBHOOK_TIMEOUT_SECONDS * 1000,
    webhookRetryBaseMs: values.WEBHOOK_RETRY_BASE_SECONDS * 1000,
    webhookRetryForMs: values.WEBHOOK_RETRY_HOURS * 3_600_000,
    webhookDisableAfter: values.WEBHOOK_DISABLE_AFTER,
    leaderboardIntervalMs: values.LEADERBOARD_UPDATE_SECONDS * 1000,
    engagementSalt: values.ENGAGEMENT_SALT,
    trustProxyHops: values.TRUST_PROXY,
    databasePreparedStatements: values.DATABASE_PREPARED_STATEMENTS,
    rateLimitPerKey: values.RATE_LIMIT_PER_KEY,
    rateLimitPerAddress: values.RATE_LIMIT_PER_ADDRESS,
    metricsToken: values.METRICS_TOKEN,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    maxBodyBytes: values.MAX_BODY_KB * 1024,
    credentialKeySecret: values.CREDENTIAL_KEY_SECRET,
  };
}
