// GraphQL over websockets (graphql-transport-ws, the graphql-ws protocol) on the HTTP server's
// port and path. Everything that guards HTTP requests guards these too: the same API keys (sent in
// connection_init), the same validation and limits, the same context and error masking (the
// operations run through Yoga's envelop). On top of HTTP's rules:
// - the Origin of browser connections must be allowed (ALLOWED_ORIGINS), checked before upgrade;
// - a connection may present no key at all: it can then run only public operations (a credential's
//   status), each spending its address's request budget, and one address may hold at most
//   MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS such connections; a key that fails is still refused;
// - a connection whose key is revoked is closed with 4403, at once on the revocation event and
//   at the latest REVALIDATE_MS later should the event be lost;
// - subscriptions go to the SubscriptionHub, which writes their results straight to the socket,
//   and closes with 1008 a socket that stops draining;
// - graphql-ws itself closes with 4400 (bad message), 4401 (subscribe before init), 4403 (refused
//   init), 4408 (no init in time), 4409 (duplicate subscription id), 4429 (repeated init), and
//   pings every `keepAliveMs` (12 s by default), terminating connections that do not answer.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { ConnectionInitMessage } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Deps } from '../deps.js';
import { createContext, type Context } from '../graphql/context.js';
import { textTooLong } from '../graphql/limits.js';
import { RequestAuth, type Authenticate, type Credentials } from '../graphql/auth.js';
import { clientAddress } from './client-address.js';
import type { DropReason, Sink, SubscriptionHub } from '../subscriptions/hub.js';
import type { RateLimits } from './rate-limits.js';

const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
const MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS = 32;
const MAX_MESSAGE_BYTES = 1024 * 1024;
const REVALIDATE_MS = 10_000;
/**
 * How long a dropped subscriber's socket stays open for its close frame. The frame is queued behind
 * what the client has not read yet, so it arrives (close code 1008) only if the client reads again
 * in time; one that never does is then terminated, and sees only 1006.
 */
const DROP_GRACE_MS = 5_000;

const CLOSE_CODES: Record<DropReason, number> = { slowConsumer: 1008, keyRevoked: 4403 };

/** The initial context a websocket operation hands Yoga (see createApp's context factory). */
export interface WebSocketContext {
  wsCredentials: Credentials;
  wsClientAddress: string;
}

type Enveloped = ReturnType<YogaServerInstance<Partial<WebSocketContext>, Context>['getEnveloped']>;

interface Extra extends Record<PropertyKey, unknown> {
  credentials?: Credentials;
  /** Undefined for a connection without a key. */
  apiKeyId?: string;
  clientAddress?: string;
  /** Yoga's parse, validate and execute for one operation of this connection (parse and validation are cached). */
  enveloped?: (params: OperationParams) => Enveloped;
}

/** An operation's parameters, as the query limits read them (src/graphql/limits.ts). */
type OperationParams = { query: string; variables?: Record<string, unknown> | null; operationName?: string | null };

type ConnectionParams = ConnectionInitMessage['payload'];

/** The client's address, from the upgrade request, as for HTTP requests. */
function connectionAddress(request: IncomingMessage, trustedHops: number): string {
  const forwarded = request.headers['x-forwarded-for'];
  return clientAddress(request, (Array.isArray(forwarded) ? forwarded.join(',') : forwarded) ?? null, trustedHops);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * The API key of a websocket: from connection_init's payload (`apiKey`, `X-Api-Key`,
 * `Authorization: Bearer …`, also inside a `headers` object, as browser clients send them), else
 * from the upgrade request's headers.
 */
export function credentialsFromConnection(params: ConnectionParams, request: IncomingMessage): Credentials {
  const sources = [params ?? {}, (params?.headers as Record<string, unknown> | undefined) ?? {}];
  const field = (names: string[]) => {
    for (const source of sources) {
      for (const [key, value] of Object.entries(source)) {
        if (names.includes(key.toLowerCase()) && text(value)) return text(value);
      }
    }
    return undefined;
  };
  const bearer = /^Bearer\s+(.+)$/i.exec(field(['authorization']) ?? text(request.headers.authorization) ?? '')?.[1];
  return {
    apiKey: field(['apikey', 'api_key', 'x-api-key']) ?? bearer?.trim() ?? text(request.headers['x-api-key']),
    whitelabelHost: (field(['x-whitelabel-host', 'whitelabelhost']) ?? text(request.headers['x-whitelabel-host']))?.toLowerCase(),
  };
}

/** Browsers send Origin; other clients do not, and are not subject to the check. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin || allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export interface WebSocketTransport {
  /** Closes the connections of a revoked key now. */
  revokeKey(apiKeyId: string): void;
  readonly connectionCount: number;
  close(): Promise<void>;
}

export function attachWebSockets(options: {
  server: Server;
  yoga: YogaServerInstance<Partial<WebSocketContext>, Context>;
  deps: Deps;
  subscriptions: SubscriptionHub;
  allowedOrigins: readonly string[];
  keepAliveMs: number;
  rateLimits: RateLimits;
  authenticate: Authenticate;
}): WebSocketTransport {
  const { server, yoga, deps, subscriptions, allowedOrigins, keepAliveMs, rateLimits, authenticate } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const keys = new Map<WebSocket, Extra>();
  const anonymousByAddress = new Map<string, number>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== '/graphql') return refuseUpgrade(socket, '404 Not Found');
    if (!originAllowed(request.headers.origin, request.headers.host, allowedOrigins)) {
      return refuseUpgrade(socket, '403 Forbidden');
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  const graphqlWs = useServer<ConnectionParams, Extra>(
    {
      execute: (args) => (args.rootValue as { execute: (args: ExecutionArgs) => never }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: (args: ExecutionArgs) => never }).subscribe(args),
      onConnect: async (ctx) => {
        const credentials = credentialsFromConnection(ctx.connectionParams, ctx.extra.request);
        const wsClientAddress = connectionAddress(ctx.extra.request, deps.config.trustProxyHops);
        ctx.extra.credentials = credentials;
        ctx.extra.clientAddress = wsClientAddress;
        ctx.extra.enveloped = (params) => yoga.getEnveloped({ wsCredentials: credentials, wsClientAddress, params });
        if (!credentials.apiKey) {
          const open = anonymousByAddress.get(wsClientAddress) ?? 0;
          if (open >= MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS) return false; // 4403
          anonymousByAddress.set(wsClientAddress, open + 1);
          ctx.extra.socket.once('close', () => {
            const left = (anonymousByAddress.get(wsClientAddress) ?? 1) - 1;
            if (left > 0) anonymousByAddress.set(wsClientAddress, left);
            else anonymousByAddress.delete(wsClientAddress);
          });
          return true;
        }
        const principal = await new RequestAuth(authenticate, credentials).principal();
        if (!principal) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.apiKeyId = principal.apiKeyId;
        keys.set(ctx.extra.socket, ctx.extra);
        ctx.extra.socket.once('close', () => keys.delete(ctx.extra.socket));
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return [new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} operations may run on one connection.`)];
        }
        const tooLong = textTooLong(payload.query);
        if (tooLong) return [tooLong];
        // Each operation spends one request of the key's budget (or the address's), as over HTTP.
        const { apiKey } = ctx.extra.credentials!;
        const verdict = apiKey ? await rateLimits.forKey(apiKey) : await rateLimits.forAddress(ctx.extra.clientAddress!);
        if (!verdict.allowed) {
          return [
            new GraphQLError(`Too many requests: retry in ${verdict.retryAfterSeconds} s.`, {
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: verdict.retryAfterSeconds },
            }),
          ];
        }
        const enveloped = ctx.extra.enveloped!(payload);
        let document;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length) return errors;
        const operation = { schema: enveloped.schema, document, operationName: payload.operationName ?? null, variableValues: payload.variables ?? null };
        if (getOperationAST(document, payload.operationName)?.operation !== 'subscription') {
          return { ...operation, contextValue: await enveloped.contextFactory(), rootValue: { execute: enveloped.execute } };
        }
        // Subscriptions skip Yoga's per-operation machinery: the hub masks, serialises once per
        // event for all its members, and writes each result to the socket itself.
        const socket = ctx.extra.socket;
        const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
        const sink: Sink = {
          send: (payloadJson) => socket.send(`${prefix}${payloadJson}}`),
          get bufferedBytes() {
            return socket.bufferedAmount;
          },
          drop: (reason, message) => {
            socket.close(CLOSE_CODES[reason], message.slice(0, 120));
            setTimeout(() => socket.terminate(), DROP_GRACE_MS).unref();
          },
        };
        return {
          ...operation,
          contextValue: createContext(deps, new RequestAuth(authenticate, ctx.extra.credentials!), ctx.extra.clientAddress),
          rootValue: { subscribe: (args: ExecutionArgs) => subscriptions.subscribe(args, sink) },
        };
      },
    },
    wss,
    keepAliveMs,
  );

  // Revocation events can be lost (Redis down for a moment); re-check every key regularly.
  const revalidation = setInterval(() => {
    void (async () => {
      for (const [socket, extra] of keys) {
        const result = await authenticate(extra.credentials!.apiKey ?? '', extra.credentials!.whitelabelHost);
        if (!('principal' in result)) socket.close(CLOSE_CODES.keyRevoked, 'The API key is no longer valid.');
      }
    })().catch((error: unknown) => deps.logger.warn({ err: error }, 'could not revalidate websocket keys'));
  }, REVALIDATE_MS);
  revalidation.unref();

  return {
    revokeKey(apiKeyId) {
      for (const [socket, extra] of keys) {
        if (extra.apiKeyId === apiKeyId) socket.close(CLOSE_CODES.keyRevoked, 'The API key has been revoked.');
      }
    },
    get connectionCount() {
      return wss.clients.size;
    },
    async close() {
      clearInterval(revalidation);
      server.off('upgrade', onUpgrade);
      await graphqlWs.dispose();
    },
  };
}
