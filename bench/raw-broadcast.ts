// The baseline of bench/fanout.ts: a plain `ws` server that, when told to, serialises one message
// and sends it to every connected socket. Run as a child process; it prints its port, then obeys
// IPC messages { broadcast: count, size } (count messages, size characters each).
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : address}\n`);
});
wss.on('connection', (socket) => socket.on('error', () => {}));

process.on('message', (message: { broadcast: number; size: number }) => {
  for (let sequence = 0; sequence < message.broadcast; sequence += 1) {
    // The shape of a graphql-ws `next` message, padded to the size of the real one.
    const head = `{"id":"1","type":"next","payload":{"data":{"awardIssued":{"committedAt":"${new Date().toISOString()}","seq":${sequence},"pad":"`;
    const payload = `${head}${'x'.repeat(Math.max(0, message.size - head.length - 6))}"}}}}`;
    for (const client of wss.clients) client.send(payload);
  }
});
process.on('disconnect', () => process.exit(0));
