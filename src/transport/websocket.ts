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
//   init), 4408 (no init in time), 4409 (duplicate subscription id), 4429 (repeated init);
// - every `keepAliveMs` (12 s by default) each connection is pinged, and one that has not answered
//   the previous ping is terminated.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { CloseCode, handleProtocols, makeServer, type ConnectionInitMessage, type WebSocket as ProtocolSocket } from 'graphql-ws';
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
/** Sockets pinged per turn of the event loop by the keep-alive sweep. */
const KEEP_ALIVE_SLICE = 500;
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

/** What graphql-ws keeps of a connection for its hooks below (`ctx.extra`). */
interface Extra {
  socket: WebSocket;
  /** The upgrade request, until connection_init has been handled. */
  request: IncomingMessage | undefined;
  credentials?: Credentials;
  /** Undefined for a connection without a key. */
  apiKeyId?: string;
  clientAddress?: string;
  /** Set when the connection counts against its address's anonymous connections. */
  countedAnonymous?: boolean;
}

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

/**
 * Writes a subscription's results straight to its socket as graphql-ws `next` messages. A class,
 * not an object of closures: an idle subscriber holds one small object rather than several
 * functions (each a few hundred bytes under tsx, which names every arrow function).
 */
class SocketSink implements Sink {
  readonly #prefix: string;

  constructor(
    private readonly socket: WebSocket,
    subscriptionId: string,
  ) {
    this.#prefix = `{"id":${JSON.stringify(subscriptionId)},"type":"next","payload":`;
  }

  send(payloadJson: string): void {
    this.socket.send(`${this.#prefix}${payloadJson}}`);
  }

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  drop(reason: DropReason, message: string): void {
    this.socket.close(CLOSE_CODES[reason], message.slice(0, 120));
    setTimeout(() => this.socket.terminate(), DROP_GRACE_MS).unref();
  }
}

/**
 * One socket as graphql-ws's protocol server sees it. graphql-ws's own adapter for `ws`
 * (graphql-ws/use/ws) keeps several closures, once-listeners and the message being handled alive
 * per connection, and reports failures on the console; this keeps one small object per socket, its
 * listeners are shared by all sockets, and failures reach the logger.
 */
class Connection implements ProtocolSocket {
  /** graphql-ws's handler for the socket's messages. */
  receive: ((data: string) => Promise<void>) | undefined;
  /** Tells graphql-ws the socket has closed. */
  closed: ((code?: number, reason?: string) => Promise<void>) | undefined;

  constructor(private readonly socket: WebSocket) {}

  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return Promise.resolve();
    // A write fails when the peer has gone; its close follows, so the failure needs no handling.
    return new Promise((resolve) => this.socket.send(data, () => resolve()));
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(receive: (data: string) => Promise<void>): void {
    this.receive = receive;
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, handleProtocols });
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

  // Keep-alive: one sweep over all sockets rather than a timer per socket. Each sweep
  // terminates the sockets that have not answered the previous sweep's ping, and pings the rest,
  // a slice at a time: pinging tens of thousands of sockets in one turn would hold events back.
  const awaitingPong = new WeakSet<WebSocket>();
  function markAlive(this: WebSocket): void {
    awaitingPong.delete(this);
  }
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return; // the previous sweep is still under way
    sweeping = true;
    try {
      let visited = 0;
      for (const socket of wss.clients) {
        if (awaitingPong.has(socket)) {
          socket.terminate();
        } else if (socket.readyState === socket.OPEN) {
          awaitingPong.add(socket);
          socket.ping();
        }
        visited += 1;
        if (visited % KEEP_ALIVE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      sweeping = false;
    }
  };
  const keepAlive = keepAliveMs > 0 && Number.isFinite(keepAliveMs) ? setInterval(() => void sweep(), keepAliveMs) : undefined;
  keepAlive?.unref();

  const protocol = makeServer<ConnectionParams, Extra>({
    execute: (args) => (args.rootValue as { execute: (args: ExecutionArgs) => never }).execute(args),
    subscribe: (args) => subscriptions.subscribe(args, (args.rootValue as { sink: Sink }).sink),
    onConnect: async (ctx) => {
      const request = ctx.extra.request!;
      // The upgrade request (its headers, its parser's state: more than a kilobyte) is needed only
      // here; an idle subscriber should not keep it for the connection's lifetime.
      ctx.extra.request = undefined;
      const credentials = credentialsFromConnection(ctx.connectionParams, request);
      const wsClientAddress = connectionAddress(request, deps.config.trustProxyHops);
      ctx.extra.credentials = credentials;
      ctx.extra.clientAddress = wsClientAddress;
      if (!credentials.apiKey) {
        const open = anonymousByAddress.get(wsClientAddress) ?? 0;
        if (open >= MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS) return false; // 4403
        anonymousByAddress.set(wsClientAddress, open + 1);
        ctx.extra.countedAnonymous = true;
        return true;
      }
      const principal = await new RequestAuth(authenticate, credentials).principal();
      if (!principal) return false; // graphql-ws closes with 4403 Forbidden
      // Closed while the key was checked: onClose has run already and would not remove it.
      if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
      ctx.extra.apiKeyId = principal.apiKeyId;
      keys.set(ctx.extra.socket, ctx.extra);
      return true;
    },
    // Every connection ends here, acknowledged or not.
    onClose: (ctx) => {
      keys.delete(ctx.extra.socket);
      const address = ctx.extra.clientAddress;
      if (ctx.extra.countedAnonymous && address) {
        const left = (anonymousByAddress.get(address) ?? 1) - 1;
        if (left > 0) anonymousByAddress.set(address, left);
        else anonymousByAddress.delete(address);
      }
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
      // Yoga's parse, validate and execute for this operation (parse and validation are cached).
      const enveloped = yoga.getEnveloped({ wsCredentials: ctx.extra.credentials!, wsClientAddress: ctx.extra.clientAddress!, params: payload });
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
      return {
        ...operation,
        contextValue: createContext(deps, new RequestAuth(authenticate, ctx.extra.credentials!), ctx.extra.clientAddress),
        rootValue: { sink: new SocketSink(ctx.extra.socket, id) },
      };
    },
  });

  // The sockets' listeners, shared by all of them.
  const connections = new WeakMap<WebSocket, Connection>();
  // With ws's default binaryType ('nodebuffer') a message is always one Buffer, fragments joined.
  function onMessage(this: WebSocket, data: Buffer): void {
    connections
      .get(this)
      ?.receive?.(data.toString('utf8'))
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'a websocket message could not be handled');
        this.close(CloseCode.InternalServerError, 'Internal server error');
      });
  }
  function onClose(this: WebSocket, code: number, reason: Buffer): void {
    const connection = connections.get(this);
    connections.delete(this);
    connection?.closed?.(code, reason.toString('utf8')).catch((error: unknown) => deps.logger.error({ err: error }, 'a websocket could not be closed cleanly'));
  }
  function onError(this: WebSocket, error: Error): void {
    deps.logger.warn({ err: error }, 'websocket error');
    this.close(CloseCode.InternalServerError, 'Internal server error');
  }
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const connection = new Connection(socket);
    connections.set(socket, connection);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.on('pong', markAlive);
    connection.closed = protocol.opened(connection, { socket, request });
  });

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
      clearInterval(keepAlive);
      server.off('upgrade', onUpgrade);
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
