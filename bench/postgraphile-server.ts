// Started by bench/postgraphile.ts in a process of its own: PostGraphile 5 with its amber preset on
// DATABASE_URL's public schema, served by grafserv on node:http; prints its URL when it listens.
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const instance = postgraphile({
  extends: [PostGraphileAmberPreset],
  // The same pool size as our server's default.
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'], poolConfig: { max: 10 } })],
});
const server = createServer();
await instance.createServ(grafserv).addTo(server, false);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`http://127.0.0.1:${address.port}`);
});
// An orderly exit, so that a CPU profile (--cpu-prof) is written.
process.once('SIGTERM', () => {
  server.close();
  void Promise.resolve(instance.release()).finally(() => process.exit(0));
});
