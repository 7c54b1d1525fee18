// A share of bench/fanout.ts's subscribers, in a process of its own: one process may hold fewer
// sockets than the open-file limit allows, and reading every message costs the reader about as
// much as the server's work to send it, so the subscribers are spread over several processes.
// Forked by bench/fanout.ts, it obeys IPC requests and answers each with { id, ...reply }.
//
// Reading each message would cost more than the server's work per message and blur the figures,
// so one observer socket (in the first process) parses each event's commit time and the others
// only note when something arrived: events are far enough apart (or, in the burst, counted as a
// whole) for arrivals to be assigned by order.
import WebSocket from 'ws';

export type SubscriberRequest =
  | { id: number; type: 'connect'; kind: 'graphql' | 'raw'; urls: string[]; from: number; count: number; subscription: string; apiKey: string }
  | { id: number; type: 'clear' }
  | { id: number; type: 'counts' }
  | { id: number; type: 'latencies'; committed: number[] }
  | { id: number; type: 'close' };

/**
 * Connections per loopback source address: well under its ~28,000 ephemeral ports, which also hold
 * an earlier run's closed connections for a minute (TIME_WAIT).
 */
const SOCKETS_PER_SOURCE_ADDRESS = 10_000;

/** Connections each process opens at once. */
const CONNECTING_AT_ONCE = 50;

const sockets: WebSocket[] = [];
/** Per socket, the arrival times (ms) of its messages. */
const perSocket: number[][] = [];
/** Commit times (ms) of the events, as the observer saw them. */
const committed: number[] = [];
let total = 0;
/** The latest arrival of any message since the last clear. */
let lastArrival = 0;

function listen(socket: WebSocket, observer: boolean): void {
  const arrivals: number[] = [];
  perSocket.push(arrivals);
  socket.on('message', (data: Buffer) => {
    const now = Date.now();
    arrivals.push(now);
    lastArrival = now;
    total += 1;
    if (observer) {
      const at = /"committedAt":"([^"]+)"/.exec(data.toString('latin1', 0, 200))?.[1];
      if (at) committed.push(Date.parse(at));
    }
  });
}

/** Connection attempts that failed and were made again, as a real client reconnects. */
let reconnects = 0;
const MAX_ATTEMPTS = 5;

/**
 * One attempt to connect the index-th subscriber overall, from its own loopback address
 * (127.0.0.2, .3, ...); the socket counts as a subscriber once it is ready (for graphql-ws, once
 * its connection is acknowledged and its subscription sent).
 */
function attempt(request: Extract<SubscriberRequest, { type: 'connect' }>, index: number): Promise<void> {
  const url = request.urls[index % request.urls.length]!;
  const localAddress = `127.0.0.${2 + Math.floor(index / SOCKETS_PER_SOURCE_ADDRESS)}`;
  const ready = (socket: WebSocket, resolve: () => void) => {
    sockets.push(socket);
    listen(socket, index === 0);
    resolve();
  };
  return new Promise((resolve, reject) => {
    const socket =
      request.kind === 'graphql'
        ? new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false, localAddress })
        : new WebSocket(url, { perMessageDeflate: false, localAddress });
    socket.on('error', reject);
    // Once ready, settles nothing; before, a close (such as graphql-ws's 4408 when an overloaded
    // server did not read connection_init in time) is a failed attempt rather than a silent hang.
    socket.once('close', (code, reason) => reject(new Error(`subscriber ${index} closed before it was ready: ${code} ${reason.toString()}`)));
    if (request.kind === 'raw') {
      socket.on('open', () => ready(socket, resolve));
      return;
    }
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: request.apiKey } })));
    socket.once('message', () => {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: request.subscription } }));
      ready(socket, resolve);
    });
  });
}

async function open(request: Extract<SubscriberRequest, { type: 'connect' }>, index: number): Promise<void> {
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt(request, index);
    } catch (error) {
      if (attempts >= MAX_ATTEMPTS) throw error;
      reconnects += 1;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempts));
    }
  }
}

async function handle(request: SubscriberRequest): Promise<object> {
  switch (request.type) {
    case 'connect':
      // A few at a time: the server's accept queue is short, and a refused SYN waits a second to retry.
      for (let start = 0; start < request.count; start += CONNECTING_AT_ONCE) {
        const batch = Math.min(CONNECTING_AT_ONCE, request.count - start);
        await Promise.all(Array.from({ length: batch }, (_, offset) => open(request, request.from + start + offset)));
      }
      return { connected: sockets.length, reconnects };
    case 'clear':
      committed.length = 0;
      for (const list of perSocket) list.length = 0;
      total = 0;
      lastArrival = 0;
      return {};
    case 'counts': {
      // Polled while the server delivers: no walk over every arrival here.
      let fewest = Infinity;
      for (const list of perSocket) if (list.length < fewest) fewest = list.length;
      const open = sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
      return { total, lastArrival, fewest, open, committed };
    }
    case 'latencies': {
      // The k-th message of every socket is event k.
      const all: number[] = [];
      const lastPerEvent = request.committed.map((at, event) => {
        let latest = 0;
        for (const list of perSocket) {
          const received = list[event];
          if (received === undefined) continue;
          all.push(received - at);
          if (received > latest) latest = received;
        }
        return latest;
      });
      return { all, lastPerEvent };
    }
    case 'close':
      for (const socket of sockets) socket.terminate();
      return {};
  }
}

process.on('message', (request: SubscriberRequest) => {
  const answer = (reply: object) => process.connected && process.send!({ id: request.id, ...reply });
  handle(request).then(answer, (error: unknown) => answer({ error: String(error) }));
});
process.on('disconnect', () => process.exit(0));
