// Every HTTP request passes here first, in this order: the probes (/healthz, /readyz) and
// /metrics; then the body's declared size; then the request budgets (per API key, or per client
// address for what needs no key); then the plain routes (certificates); and for /graphql, the
// media type, before Yoga gets it. Requests in flight are counted, so a shutdown can wait for them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { clientAddress } from './client-address.js';
import type { Health } from './health.js';
import type { Metrics } from './metrics.js';
import { rateLimitedBody, type RateLimits, type Verdict } from './rate-limits.js';

/** A refused body is still read (and thrown away) this long, so the client sees the answer rather than a reset. */
const DRAIN_MS = 5_000;

/** A route outside GraphQL: handles the request and returns true, or returns false. */
export type Route = (request: IncomingMessage, response: ServerResponse, pathname: string) => boolean;

export interface HttpOptions {
  config: Config;
  logger: Logger;
  health: Health;
  metrics: Metrics | undefined;
  rateLimits: RateLimits;
  /** Routes that need no API key (counted against the client address's budget). */
  publicRoutes: Array<{ path: RegExp; route: Route }>;
  graphql: (request: IncomingMessage, response: ServerResponse) => void;
}

function refuse(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * Answers at once, then reads and drops the rest of the body: closing while the client still
 * sends would reset the connection, and it would see a broken pipe instead of the answer. A body
 * still arriving after DRAIN_MS has its connection cut.
 */
function refuseUnread(request: IncomingMessage, response: ServerResponse, status: number, message: string): void {
  refuse(response, status, 'BAD_REQUEST', message);
  const cut = setTimeout(() => request.socket.destroy(), DRAIN_MS);
  cut.unref();
  request.once('end', () => clearTimeout(cut));
  request.resume();
}

/** GraphQL over HTTP sends its body as JSON; a browser sends forms cross-site without asking (CORS). */
function jsonBody(request: IncomingMessage): boolean {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql+json';
}

function apiKeyOf(request: IncomingMessage): string | undefined {
  const direct = request.headers['x-api-key'];
  if (typeof direct === 'string' && direct.trim()) return direct.trim();
  return /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
}

export function createHttpHandler(options: HttpOptions) {
  const { config, health, metrics, rateLimits } = options;
  let inFlight = 0;
  const idle: Array<() => void> = [];
  // One listener for every response, rather than a closure per request.
  const finished = () => {
    inFlight -= 1;
    if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
  };
  const failed = (request: IncomingMessage, response: ServerResponse, error: unknown) => {
    options.logger.error({ err: error, url: request.url }, 'request failed');
    if (!response.headersSent) refuse(response, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
    else response.destroy();
  };

  const limited = (request: IncomingMessage, response: ServerResponse, verdict: Verdict, scope: 'key' | 'address', graphql: boolean): boolean => {
    if (verdict.allowed) return false;
    metrics?.rateLimited.inc({ scope });
    const headers = { 'retry-after': String(verdict.retryAfterSeconds), 'cache-control': 'no-store' };
    if (graphql) {
      response.writeHead(429, { ...headers, 'content-type': 'application/json' });
      response.end(rateLimitedBody(verdict.retryAfterSeconds));
    } else {
      response.writeHead(429, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      response.end(`Too many requests: retry in ${verdict.retryAfterSeconds} s.\n`);
    }
    request.resume();
    return true;
  };

  const address = (request: IncomingMessage) => {
    const forwarded = request.headers['x-forwarded-for'];
    return clientAddress(request, (Array.isArray(forwarded) ? forwarded.join(',') : forwarded) ?? null, config.trustProxyHops);
  };

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = pathnameOf(request.url ?? '/');
    if (request.method === 'GET' && (pathname === '/healthz' || pathname === '/readyz')) return health.handle(pathname, response);
    if (pathname === '/metrics' && metrics) return metrics.handle(request, response);

    // The body limit is checked on Content-Length, before anything is read. (Yoga's own limit
    // pipes every body through a web TransformStream, which costs more than half of the
    // throughput of a small request on Node 20.) A body must declare its length: GraphQL clients
    // always do, and an unbounded chunked body is how a slow-drip attack starts.
    const length = request.headers['content-length'];
    if (length !== undefined && (!/^\d+$/.test(length) || Number(length) > config.maxBodyBytes)) {
      return refuseUnread(request, response, 413, `The request body must be at most ${config.maxBodyBytes} bytes (MAX_BODY_KB).`);
    }
    if (length === undefined && request.headers['transfer-encoding'] !== undefined) {
      return refuseUnread(request, response, 411, 'The request must declare its Content-Length.');
    }

    for (const { path, route: serve } of options.publicRoutes) {
      if (!path.test(pathname)) continue;
      if (limited(request, response, await rateLimits.forAddress(address(request)), 'address', false)) return;
      if (serve(request, response, pathname)) return;
    }

    if (pathname === '/graphql') {
      if (request.method === 'POST' && !jsonBody(request)) {
        return refuseUnread(request, response, 415, 'GraphQL requests are sent as application/json.');
      }
      if (request.method !== 'OPTIONS') {
        const key = apiKeyOf(request);
        // With no budget to spend, nothing is awaited.
        if (key ? rateLimits.limitsKeys : rateLimits.limitsAddresses) {
          const verdict = key ? await rateLimits.forKey(key) : await rateLimits.forAddress(address(request));
          if (limited(request, response, verdict, key ? 'key' : 'address', true)) return;
        }
      }
    }
    options.graphql(request, response);
  }

  return {
    handle(request: IncomingMessage, response: ServerResponse): void {
      inFlight += 1;
      // A response closes once.
      response.on('close', finished);
      route(request, response).catch((error: unknown) => failed(request, response, error));
    },
    /** Resolves once no request is in flight, or after `timeoutMs`; true when none was left. */
    drained(timeoutMs: number): Promise<boolean> {
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
        idle.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}

// One leading slash, then characters the URL parser leaves as they are (no dots, escapes,
// backslashes or characters it would encode).
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-_~!$&'()*+,;=:@/]*$/;

/**
 * The request's path as the URL parser would give it. Parsing is skipped for the plain paths every
 * API request has (it was a measurable share of a small request's cost); any other path still goes
 * through the parser, which normalises it.
 */
export function pathnameOf(url: string): string {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  if (PLAIN_PATH.test(path)) return path;
  return new URL(url, 'http://localhost').pathname;
}
