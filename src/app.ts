// Builds the whole application from a config: database, event bus, services' dependencies,
// GraphQL over HTTP, Server-Sent Events and websockets. Nothing lives at module scope, so tests
// build as many independent apps as they need.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type DatabaseOptions } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { createDeps, type Deps } from './deps.js';
import { EventBus } from './events/bus.js';
import { createContext, type Context } from './graphql/context.js';
import { createMaskError } from './graphql/errors.js';
import { useQueryLimits } from './graphql/limits.js';
import { useTextInputGuard } from './graphql/text-input.js';
import { ResponseCache, useResponseCache } from './graphql/response-cache.js';
import { TOP_PAGE_FIELDS } from './modules/leaderboards/index.js';
import { getSchema } from './schema.js';
import { credentialsFromHeaders, nodeHeader, RequestAuth, type Authenticate, type HeaderOf } from './graphql/auth.js';
import { authenticate as authenticateKey } from './modules/api-keys/index.js';
import { AutomationJobs, Scheduler } from './modules/automation/index.js';
import { IMPORT_BATCH, ImportJobs } from './modules/imports/index.js';
import { clientAddress } from './transport/client-address.js';
import { engagementSalt } from './modules/engagement/index.js';
import { CertificateRenderer, handleCertificateRequest, ImageFetcher } from './modules/certificates/index.js';
import { PublicPageRoutes } from './modules/public-pages/index.js';
import { BadgeImages, CredentialRoutes } from './modules/credentials/index.js';
import { composeAwardEmail } from './modules/email/index.js';
import { createMailer, EmailOutbox } from './modules/outbox/index.js';
import { webhookRecorder, WebhookWorker } from './modules/webhooks/index.js';
import type { Clock } from './shared/clock.js';
import { Health } from './transport/health.js';
import { useYieldingJsonParser } from './transport/json-body.js';
import { createHttpHandler } from './transport/http.js';
import { Metrics, useOperationMetrics } from './transport/metrics.js';
import { RateLimits } from './transport/rate-limits.js';
import { SubscriptionHub } from './subscriptions/hub.js';
import { useSubscriptionHub } from './subscriptions/plugin.js';
import { attachWebSockets, originAllowed, type WebSocketContext, type WebSocketTransport } from './transport/websocket.js';

/** What Yoga is handed with each request: Node's request over HTTP, credentials over websockets. */
type ServerContext = Partial<WebSocketContext> & { req?: IncomingMessage };

export interface AppOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  database?: DatabaseOptions;
  /** Apply pending migrations before opening the database (default true). */
  migrate?: boolean;
}

export interface App {
  deps: Deps;
  events: EventBus;
  responseCache: ResponseCache;
  subscriptions: SubscriptionHub;
  /** Time-based automation (membership ends, award expiry, backfills, imports); tests call its tick(). */
  scheduler: Scheduler;
  /** Sends queued email; tests call its tick(). */
  outbox: EmailOutbox;
  /** Sends queued webhook deliveries; tests call its tick(). */
  webhooks: WebhookWorker;
  yoga: YogaServerInstance<ServerContext, Context>;
  /** Listens on config.port (0 picks a free port); resolves to the base URL. */
  start(): Promise<string>;
  /** Closes every connection, websocket and event stream, then the database. */
  stop(): Promise<void>;
  /** Open websocket connections (for tests and monitoring). */
  readonly websocketCount: number;
}

const GRAPHIQL_QUERY = `# Send your API key in the Headers tab below as {"X-Api-Key": "bdg_..."}.
query Viewer {
  viewer {
    organization { name }
    permissions
  }
}
`;

export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel });
  if (options.migrate ?? true) {
    const applied = await migrateDatabase(config.databaseUrl);
    if (applied.length) logger.info({ migrations: applied }, 'applied database migrations');
  }
  if (!config.credentialKeySecret) {
    logger.warn('CREDENTIAL_KEY_SECRET is not set: credential signing keys are stored unsealed in the database');
  }
  const events = new EventBus(logger);
  if (config.redisUrl) await events.connectRedis(config.redisUrl, config.redisChannel);
  // Statement times reach the metrics, created below once the services exist.
  let metrics: Metrics | undefined;
  const onQuery = options.database?.onQuery;
  const database = await openDatabase(config.databaseUrl, {
    preparedStatements: config.databasePreparedStatements,
    ...options.database,
    ...(config.metricsToken || onQuery
      ? {
          onQuery: (sql: string, durationMs: number) => {
            onQuery?.(sql, durationMs);
            metrics?.statements.observe(durationMs / 1000);
          },
        }
      : {}),
  });
  const deps = createDeps({
    database,
    config,
    clock: options.clock,
    logger,
    events,
    engagementSalt: config.engagementSalt ?? (await engagementSalt(database.db, database.provider)),
  });
  const authenticate: Authenticate = (apiKey, whitelabelHost) => authenticateKey(deps, apiKey, whitelabelHost);
  const responseCache = new ResponseCache(config.responseCacheTtlMs, {
    // Engagement counters are read live, never cached.
    ignoredEvents: new Set(['engagement']),
    // The top of a points board is kept through points changes that cannot reach it.
    narrowEvents: new Set(['points']),
    narrowFields: TOP_PAGE_FIELDS,
    describedByEvents: new Set(['addPoints', 'addPointsBatch']),
  });
  const maskError = createMaskError(logger);
  const subscriptions = new SubscriptionHub(deps, {
    maskError,
    maxLagMs: config.subscriptionMaxLagMs,
    maxPending: config.subscriptionMaxPending,
    maxBufferedBytes: config.subscriptionMaxBufferedBytes,
  });
  let websockets: WebSocketTransport | undefined;
  const parallelism = deps.provider === 'postgresql' ? config.automationParallelism : 1;
  const automationJobs = new AutomationJobs(deps, events.instanceId, config.automationBatchSize, parallelism);
  const importJobs = new ImportJobs(deps, events.instanceId, IMPORT_BATCH);
  const scheduler = new Scheduler(deps, [automationJobs, importJobs], config.automationTickMs);
  const outbox = new EmailOutbox(deps, createMailer(config), composeAwardEmail(deps), events.instanceId, {
    pollMs: config.emailPollMs,
    retryBaseMs: config.emailRetryBaseMs,
    maxAttempts: config.emailMaxAttempts,
  });
  // Every commit() writes the webhook deliveries its events call for, in its own transaction.
  events.addRecorder(webhookRecorder(deps));
  const webhooks = new WebhookWorker(deps, events.instanceId);
  const certificates = new CertificateRenderer(deps);
  const publicImages = new ImageFetcher(config.certificateImages);
  const credentialRoutes = new CredentialRoutes(deps, deps.credentials, new BadgeImages(publicImages));
  const publicPages = new PublicPageRoutes(deps, publicImages);
  const health = new Health(deps, events);
  const rateLimits = new RateLimits(
    { perKey: config.rateLimitPerKey, perAddress: config.rateLimitPerAddress, namespace: config.redisChannel },
    logger,
    events.redis,
  );
  if (config.metricsToken) {
    metrics = new Metrics(config.metricsToken, { deps, subscriptions, websocketCount: () => websockets?.connectionCount ?? 0 });
  }

  events.subscribe((batch) => {
    for (const event of batch) {
      responseCache.invalidateFor(event);
      // Any instance may run a queued job: the first to claim it does.
      if (event.kind === 'automationJob' && event.status === 'QUEUED') automationJobs.kick();
      if (event.kind === 'importJob' && event.status === 'QUEUED') importJobs.kick();
      // Mail was queued on some instance: by sendAwardEmail or shareAward, or by an issue from a
      // template with emailOnIssue (people's or automation's).
      if ((event.kind === 'organization' && event.change === 'EMAIL_QUEUED') || (event.kind === 'award' && event.emailQueued)) {
        outbox.kick();
      }
      // Keys rotated on some instance: every instance signs with the new ones from now on.
      if (event.kind === 'organization' && event.change === 'CREDENTIAL_KEYS_ROTATED') deps.credentials.keys.forget(event.organizationId);
      // Deliveries were written on some instance: by a change webhooks carry (the recorder
      // announces them), a ping, a redelivery or an endpoint enabled again.
      if (event.kind === 'organization' && event.change === 'WEBHOOK_QUEUED') webhooks.kick();
      if (event.kind === 'organization' && event.change === 'API_KEY_REVOKED' && event.subjectId) {
        deps.principals.clear();
        subscriptions.revokeKey(event.subjectId);
        websockets?.revokeKey(event.subjectId);
      }
    }
  });

  const yoga = createYoga<ServerContext, Context>({
    schema: getSchema(),
    graphqlEndpoint: '/graphql',
    // Websocket operations arrive with no HTTP request: with the credentials of their
    // connection_init and the address of their upgrade request instead.
    context: ({ request, req, wsCredentials, wsClientAddress }) => {
      if (wsCredentials) return createContext(deps, new RequestAuth(authenticate, wsCredentials), wsClientAddress);
      // Node's own header object, where there is one, is cheaper to read than the Fetch API's view of it.
      const header: HeaderOf = req ? (name) => nodeHeader(req, name) : (name) => request.headers.get(name);
      return createContext(
        deps,
        new RequestAuth(authenticate, credentialsFromHeaders(header)),
        clientAddress(req, header('x-forwarded-for') ?? null, config.trustProxyHops),
      );
    },
    maskedErrors: { maskError },
    // Only allowed origins get CORS headers (no answer is a refusal to a browser). Keys travel in
    // headers, never cookies, so no credentials are allowed.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !originAllowed(origin, request.headers.get('host') ?? undefined, config.allowedOrigins)) return false;
      return {
        origin,
        credentials: false,
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ['content-type', 'accept', 'x-api-key', 'authorization', 'x-whitelabel-host'],
        maxAge: 600,
      };
    },
    graphiql: config.graphiql
      ? { title: 'Badges API', defaultQuery: GRAPHIQL_QUERY, headers: '{\n  "X-Api-Key": ""\n}' }
      : false,
    renderGraphiQL,
    landingPage: false,
    maxRequestBodySize: false, // enforced by `handle` below
    // GraphQL requests are JSON (`handle` refuses other bodies): no multipart parser to ask.
    multipart: false,
    // Parsed documents without Yoga's expiry (whose clock read cost more than the lookup), as many
    // as Yoga keeps (QUERY_LIMITS bounds each); validation is cached by useQueryLimits instead.
    parserAndValidationCache: { documentCache: new LRUCache<string, DocumentNode>({ max: 1024 }), validationCache: false },
    plugins: [
      useYieldingJsonParser(),
      useQueryLimits(),
      useTextInputGuard(),
      useResponseCache(responseCache),
      useSubscriptionHub(subscriptions),
      ...(metrics ? [useOperationMetrics(metrics)] : []),
    ],
    // Yoga reports every error its mask function rewrote, expected ones included; the mask
    // function itself logs the unexpected ones in full, so Yoga's reports are only debug noise.
    logging: {
      debug: (...args) => logger.debug(args),
      info: (...args) => logger.info(args),
      warn: (...args) => logger.warn(args),
      error: (...args) => logger.debug(args),
    },
  });

  // Node's request listener itself: calling the adapter would find it again for every request.
  const listener = yoga.requestListener;
  const http = createHttpHandler({
    config,
    logger,
    health,
    metrics,
    rateLimits,
    publicRoutes: [
      {
        path: /^\/(awards|issuers|contexts|assets|boards)\//,
        route: (request, response, pathname) =>
          handleCertificateRequest(certificates, request, response) ||
          credentialRoutes.handle(request, response, pathname) ||
          publicPages.handle(request, response, pathname),
      },
    ],
    graphql: (request, response) => void listener(request, response),
  });
  const server = createServer(http.handle);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  websockets = attachWebSockets({
    server,
    yoga,
    deps,
    subscriptions,
    allowedOrigins: config.allowedOrigins,
    keepAliveMs: config.websocketKeepAliveMs,
    rateLimits,
    authenticate,
  });

  return {
    deps,
    events,
    responseCache,
    subscriptions,
    scheduler,
    outbox,
    webhooks,
    yoga,
    get websocketCount() {
      return websockets?.connectionCount ?? 0;
    },
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          // The first tick also resumes work a stopped instance left (due dates, claimed jobs).
          scheduler.start();
          outbox.start();
          webhooks.start();
          resolve(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`);
        });
      }),
    stop: async () => {
      // Readiness fails first, and no new connection is accepted; subscriptions end (SSE streams
      // among them) and websockets close with 1001; requests in flight get up to
      // SHUTDOWN_TIMEOUT_SECONDS to finish before the connections that remain are cut.
      health.stopping();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await subscriptions.close();
      await websockets?.close();
      server.closeIdleConnections();
      const finished = await http.drained(config.shutdownTimeoutMs);
      if (!finished) logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still running at shutdown were cut');
      for (const socket of sockets) socket.destroy();
      if (server.listening) await closed;
      await deps.background.drain();
      await scheduler.stop();
      await outbox.stop();
      await webhooks.stop();
      await events.close();
      await database.close();
    },
  };
}
