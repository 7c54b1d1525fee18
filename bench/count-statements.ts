// Loaded with `--import` into a benchmark's server process: counts the SQL statements the process
// sends through pg (every pool and client query goes through Client.prototype.query), and answers
// the count over the IPC channel when the benchmark sends 'statements'.
import pg from 'pg';

let statements = 0;
const query = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')!.value as (this: pg.Client, ...args: unknown[]) => unknown;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

process.on('message', (message) => {
  if (message === 'statements') process.send?.({ statements });
});
// The channel must not keep a server alive that was asked to stop.
process.channel?.unref();
