// Builds the whole application from a config: database, event bus, services' dependencies,
// GraphQL over HTTP, Server-Sent Events and websockets. Nothing lives at module scope, so tests
// build as many independent apps as they need.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type DatabaseOptions } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { createDeps, type Deps } from './deps.js';
import { EventBus } from './events/bus.js';
import { createContext, type Context } from './graphql/context.js';
import { createMaskError } from './graphql/errors.js';
import { ResponseCache, useResponseCache } from './graphql/response-cache.js';
import { getSchema } from './graphql/schema.js';
import { credentialsFromHeaders } from './modules/api-keys/request-auth.js';
import { AutomationJobs } from './modules/automation/jobs.js';
import { clientAddress } from './modules/engagement/client-address.js';
import { engagementSalt } from './modules/engagement/service.js';
import { Scheduler } from './modules/automation/scheduler.js';
import { handleCertificateRequest, CertificateRenderer } from './modules/certificates/http.js';
import { createMailer } from './modules/email/mailer.js';
import { EmailOutbox } from './modules/email/outbox.js';
import type { Clock } from './shared/clock.js';
import { SubscriptionHub } from './subscriptions/hub.js';
import { useSubscriptionHub } from './subscriptions/plugin.js';
import { attachWebSockets, originAllowed, type WebSocketContext, type WebSocketTransport } from './transport/websocket.js';

/** Larger bodies are refused before they are read; a full bulk issue of 1,000 awards is far below. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

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
  /** Time-based automation (membership ends, award expiry, backfills); tests call its tick(). */
  scheduler: Scheduler;
  /** Sends queued email; tests call its tick(). */
  outbox: EmailOutbox;
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
  const events = new EventBus(logger);
  if (config.redisUrl) await events.connectRedis(config.redisUrl, config.redisChannel);
  const database = await openDatabase(config.databaseUrl, { preparedStatements: config.databasePreparedStatements, ...options.database });
  const deps = createDeps({
    database,
    config,
    clock: options.clock,
    logger,
    events,
    engagementSalt: config.engagementSalt ?? (await engagementSalt(database.db, database.provider)),
  });
  const responseCache = new ResponseCache(config.responseCacheTtlMs);
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
  const scheduler = new Scheduler(deps, automationJobs, config.automationTickMs);
  const outbox = new EmailOutbox(deps, createMailer(config), events.instanceId, {
    pollMs: config.emailPollMs,
    retryBaseMs: config.emailRetryBaseMs,
    maxAttempts: config.emailMaxAttempts,
  });
  const certificates = new CertificateRenderer(deps);

  events.subscribe((batch) => {
    for (const event of batch) {
      responseCache.invalidateFor(event);
      // Any instance may run a queued job: the first to claim it does.
      if (event.kind === 'automationJob' && event.status === 'QUEUED') automationJobs.kick();
      // Mail was queued on some instance: by sendAwardEmail or shareAward, or by an issue from a
      // template with emailOnIssue (people's or automation's).
      if ((event.kind === 'organization' && event.change === 'EMAIL_QUEUED') || (event.kind === 'award' && event.change === 'ISSUED')) {
        outbox.kick();
      }
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
    context: ({ request, req, wsCredentials, wsClientAddress }) =>
      wsCredentials
        ? createContext(deps, wsCredentials, wsClientAddress)
        : createContext(
            deps,
            credentialsFromHeaders(request.headers),
            clientAddress(req, request.headers.get('x-forwarded-for'), config.trustProxyHops),
          ),
    maskedErrors: { maskError },
    cors: (request) => {
      const origin = request.headers.get('origin') ?? undefined;
      return { origin: origin && originAllowed(origin, request.headers.get('host') ?? undefined, config.allowedOrigins) ? origin : [] };
    },
    graphiql: config.graphiql
      ? { title: 'Badges API', defaultQuery: GRAPHIQL_QUERY, headers: '{\n  "X-Api-Key": ""\n}' }
      : false,
    renderGraphiQL,
    landingPage: false,
    maxRequestBodySize: false, // enforced by `handle` below
    plugins: [useResponseCache(responseCache), useSubscriptionHub(subscriptions)],
    // Yoga reports every error its mask function rewrote, expected ones included; the mask
    // function itself logs the unexpected ones in full, so Yoga's reports are only debug noise.
    logging: {
      debug: (...args) => logger.debug(args),
      info: (...args) => logger.info(args),
      warn: (...args) => logger.warn(args),
      error: (...args) => logger.debug(args),
    },
  });

  const refuse = (response: ServerResponse, status: number, message: string) => {
    response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
    response.end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }));
  };
  // The body limit is checked here, on Content-Length, before anything is read. (Yoga's own limit
  // pipes every body through a web TransformStream, which costs more than half of the throughput
  // of a small request on Node 20.) A body must declare its length: GraphQL clients always do,
  // and an unbounded chunked body is how a slow-drip attack starts.
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const length = request.headers['content-length'];
    if (length !== undefined && (!/^\d+$/.test(length) || Number(length) > MAX_BODY_BYTES)) {
      refuse(response, 413, `The request body must be at most ${MAX_BODY_BYTES} bytes.`);
      return;
    }
    if (length === undefined && request.headers['transfer-encoding'] !== undefined) {
      refuse(response, 411, 'The request must declare its Content-Length.');
      return;
    }
    if (handleCertificateRequest(certificates, request, response)) return;
    void yoga(request, response);
  };
  const server = createServer(handle);
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
  });

  return {
    deps,
    events,
    responseCache,
    subscriptions,
    scheduler,
    outbox,
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
          resolve(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`);
        });
      }),
    stop: async () => {
      // Subscriptions first, so their streams (SSE responses among them) end before sockets go.
      await subscriptions.close();
      await websockets?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const socket of sockets) socket.destroy();
      if (server.listening) await closed;
      await deps.background.drain();
      await scheduler.stop();
      await outbox.stop();
      await events.close();
      await database.close();
    },
  };
}
