// Prometheus metrics at GET /metrics (prom-client), for operators: off unless METRICS_TOKEN is set,
// and then only for requests that send it as a Bearer token. One registry per application, so
// several apps in one process (tests) never mix their counts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Deps } from '../deps.js';
import type { SubscriptionHub } from '../subscriptions/hub.js';

/** Operation names come from clients: past this many distinct ones, the rest count as "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const NAMED_OPERATION = /^\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/;

export interface MetricsSources {
  deps: Deps;
  subscriptions: SubscriptionHub;
  websocketCount: () => number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #names = new Set<string>();
  readonly operations: Counter<'operation' | 'type' | 'outcome'>;
  readonly duration: Histogram<'type'>;
  readonly statements: Histogram;
  readonly rateLimited: Counter<'scope'>;

  constructor(
    private readonly token: string,
    sources: MetricsSources,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'badges_' });
    this.operations = new Counter({
      name: 'badges_graphql_operations_total',
      help: 'GraphQL operations answered, by operation name, type and outcome (ok, or the first error code).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'badges_graphql_operation_duration_seconds',
      help: 'Time from a GraphQL request’s parameters to its result, by operation type.',
      labelNames: ['type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.statements = new Histogram({
      name: 'badges_db_statement_duration_seconds',
      help: 'Time the database took for each SQL statement, as Prisma reports it.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'badges_rate_limited_total',
      help: 'Requests refused with 429, by budget (key or address).',
      labelNames: ['scope'],
      registers,
    });
    const { deps, subscriptions } = sources;
    new Gauge({
      name: 'badges_subscriptions_open',
      help: 'Subscribers (websocket and Server-Sent Events) currently receiving events.',
      registers,
      collect() {
        this.set(subscriptions.stats.members);
      },
    });
    new Gauge({
      name: 'badges_websocket_connections',
      help: 'Open websocket connections.',
      registers,
      collect() {
        this.set(sources.websocketCount());
      },
    });
    // Totals kept by the hub, exposed as counters.
    new Counter({
      name: 'badges_subscription_results_delivered_total',
      help: 'Subscription results handed to subscribers.',
      registers,
      collect() {
        this.reset();
        this.inc(subscriptions.stats.delivered);
      },
    });
    new Counter({
      name: 'badges_subscribers_dropped_total',
      help: 'Subscribers dropped for not reading fast enough.',
      registers,
      collect() {
        this.reset();
        this.inc(subscriptions.stats.dropped);
      },
    });
    new Gauge({
      name: 'badges_email_outbox_queued',
      help: 'Emails waiting in the outbox (all instances).',
      registers,
      async collect() {
        this.set(await deps.reader.emailMessage.count({ where: { status: 'QUEUED' } }));
      },
    });
    new Gauge({
      name: 'badges_email_outbox_oldest_age_seconds',
      help: 'Age of the oldest email waiting in the outbox; 0 when none waits.',
      registers,
      async collect() {
        const oldest = await deps.reader.emailMessage.findFirst({ where: { status: 'QUEUED' }, orderBy: { createdAt: 'asc' }, select: { createdAt: true } });
        this.set(oldest ? Math.max(0, (deps.clock.now().getTime() - oldest.createdAt.getTime()) / 1000) : 0);
      },
    });
    new Gauge({
      name: 'badges_automation_jobs',
      help: 'Backfill jobs queued or running (all instances).',
      labelNames: ['status'],
      registers,
      async collect() {
        for (const status of ['QUEUED', 'RUNNING'] as const) this.set({ status }, await deps.reader.automationJob.count({ where: { status } }));
      },
    });
    new Gauge({
      name: 'badges_automation_job_progress_ratio',
      help: 'Share of the earners a running backfill job has done, by job id.',
      labelNames: ['job'],
      registers,
      async collect() {
        this.reset();
        const running = await deps.reader.automationJob.findMany({ where: { status: 'RUNNING' }, select: { id: true, processed: true, totalEarners: true }, take: 100 });
        for (const job of running) this.set({ job: job.id }, job.totalEarners ? job.processed / job.totalEarners : 0);
      },
    });
  }

  /** The label for a client's operation name (bounded, so clients cannot grow the registry). */
  operationLabel(name: string | null | undefined): string {
    if (!name || !OPERATION_NAME.test(name)) return 'anonymous';
    if (this.#names.has(name)) return name;
    if (this.#names.size >= MAX_OPERATION_NAMES) return 'other';
    this.#names.add(name);
    return name;
  }

  /** Serves GET /metrics to a caller with the token. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const sent = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const [given, expected] = [Buffer.from(sent), Buffer.from(this.token)];
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
      response.end('The metrics need the METRICS_TOKEN as a Bearer token.\n');
      return;
    }
    const body = await this.registry.metrics();
    response.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
    response.end(body);
  }
}

interface Timing {
  operation: string;
  started: number;
  type?: string;
}

/** Counts and times every GraphQL operation answered over HTTP. */
export function useOperationMetrics(metrics: Metrics): Plugin {
  const timings = new WeakMap<Request, Timing>();
  return {
    onParams({ params, request }) {
      // Clients often name the operation only in its text (`query Viewer { … }`).
      const named = params.operationName ?? (typeof params.query === 'string' ? NAMED_OPERATION.exec(params.query)?.[1] : undefined);
      timings.set(request, { operation: metrics.operationLabel(named), started: performance.now() });
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const timing = request && timings.get(request);
      if (timing) timing.type = getOperationAST(args.document as DocumentNode, args.operationName)?.operation;
    },
    onResultProcess({ request, result }) {
      const timing = timings.get(request);
      if (!timing || Symbol.asyncIterator in (result as object)) return;
      const errors = (result as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors;
      const outcome = errors?.length ? String(errors[0]?.extensions?.code ?? 'ERROR') : 'ok';
      const type = timing.type ?? 'refused';
      metrics.operations.inc({ operation: timing.operation, type, outcome });
      metrics.duration.observe({ type }, (performance.now() - timing.started) / 1000);
    },
  };
}
