// npm run bench:webhooks — what webhooks cost the change that writes them, and how fast deliveries
// leave. One server process (src/main.ts) per database, a receiver in this process that answers
// 200 at once.
//
// - issue cost: a bulk issue of WEBHOOK_BENCH_AWARDS awards (1,000) with no endpoint, then with
//   one and with three endpoints subscribed to award.issued (the deliveries are written in the
//   issue's transaction); median of WEBHOOK_BENCH_RUNS (3) issues each, each issued once the
//   previous one's deliveries are all out, so the worker's writes do not share its time;
// - delivery rate: from the start of an issue until the receiver has all its deliveries, in
//   deliveries per second (issuing time included; 8 lanes on one instance); median of the runs.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchDatabases, graphql, startServer, table, writeResults } from './support.js';

const AWARDS = Number(process.env.WEBHOOK_BENCH_AWARDS ?? 1000);
const RUNS = Number(process.env.WEBHOOK_BENCH_RUNS ?? 3);
const API_KEY = 'webhooks-bench-administrator-key-0123456789';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.writeHead(200).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const rows: Array<Record<string, string | number>> = [];
  const results: Record<string, unknown> = {};
  for (const makeDatabase of await benchDatabases()) {
    const database = await makeDatabase();
    const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, WEBHOOK_ADDRESSES: 'all', WEBHOOK_POLL_SECONDS: '0.2' });
    try {
      const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
        server.url,
        API_KEY,
        'mutation { createBadgeTemplate(input: { name: "Bench", description: "A badge.", activate: true, awardMode: REPEATABLE }) { badgeTemplate { id } } }',
      );
      const templateId = createBadgeTemplate.badgeTemplate.id;
      let batch = 0;
      const issueOnce = async () => {
        batch += 1;
        const awards = Array.from({ length: AWARDS }, (_, index) => ({ templateId, recipient: { email: `b${batch}-${index}@example.com`, name: `Earner ${index}` } }));
        const started = performance.now();
        await graphql(server.url, API_KEY, 'mutation ($input: IssueAwardsInput!) { issueAwards(input: $input) { issuedCount } }', { input: { awards } });
        return performance.now() - started;
      };
      const createEndpoint = () =>
        graphql(server.url, API_KEY, 'mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }', {
          input: { url: `${receiverUrl}/hook`, events: ['award.issued'] },
        });
      await issueOnce(); // warm-up
      const timings: Record<string, number> = {};
      let endpointCount = 0;
      for (const endpoints of [0, 1, 3]) {
        for (; endpointCount < endpoints; endpointCount += 1) await createEndpoint();
        const before = received;
        const runs: number[] = [];
        const rates: number[] = [];
        for (let run = 0; run < RUNS; run += 1) {
          // Each issue runs alone: the previous one's deliveries are all out.
          const started = performance.now();
          runs.push(await issueOnce());
          const expected = before + (run + 1) * AWARDS * endpoints;
          while (received < expected) await new Promise((resolve) => setTimeout(resolve, 5));
          rates.push((AWARDS * endpoints) / ((performance.now() - started) / 1000));
        }
        timings[`issue ms, ${endpoints} endpoints`] = Math.round(median(runs));
        if (endpoints > 0) timings[`deliveries per second, ${endpoints} endpoints`] = Math.round(median(rates));

      }
      const row = {
        database: database.provider,
        awards: AWARDS,
        'issue ms, no endpoint': timings['issue ms, 0 endpoints']!,
        'issue ms, 1 endpoint': timings['issue ms, 1 endpoints']!,
        'issue ms, 3 endpoints': timings['issue ms, 3 endpoints']!,
        'deliveries/s, 1 endpoint': timings['deliveries per second, 1 endpoints']!,
        'deliveries/s, 3 endpoints': timings['deliveries per second, 3 endpoints']!,
      };
      rows.push(row);
      results[database.provider] = row;
      console.log(table([row]));
    } finally {
      await server.stop();
      await database.remove();
    }
  }
  receiver.close();
  await writeResults('webhooks', 'Webhooks', results, table(rows));
}

await main();
