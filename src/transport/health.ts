// Probes for load balancers and orchestrators:
// - GET /healthz: the process is alive and serving (no dependency is asked, so a database outage
//   does not get every instance restarted);
// - GET /readyz: it can do its work: the database answers, every migration this code needs is
//   applied, and Redis answers when REDIS_URL is set. 503 with the failed checks otherwise, and
//   while the server is shutting down, so traffic moves away before connections close.
import type { ServerResponse } from 'node:http';
import type { Deps } from '../deps.js';
import { readMigrationList } from '../db/migrate.js';
import type { EventBus } from '../events/bus.js';

const CHECK_TIMEOUT_MS = 2_000;

type Check = () => Promise<boolean>;

function withTimeout(check: Check): Promise<boolean> {
  return Promise.race([
    check().catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CHECK_TIMEOUT_MS).unref()),
  ]);
}

export class Health {
  #stopping = false;

  constructor(
    private readonly deps: Deps,
    private readonly events: EventBus,
  ) {}

  /** From now on /readyz answers 503. */
  stopping(): void {
    this.#stopping = true;
  }

  async #migrationsApplied(): Promise<boolean> {
    const expected = (await readMigrationList(this.deps.provider)).migrationDirectories.map((directory) => directory.path);
    const rows = await this.deps.reader.$queryRawUnsafe<Array<{ migration_name: string }>>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    return expected.every((name) => applied.has(name));
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const [database, migrations, redis] = await Promise.all([
      withTimeout(async () => (await this.deps.reader.$queryRawUnsafe('SELECT 1')) !== undefined),
      withTimeout(() => this.#migrationsApplied()),
      withTimeout(() => this.events.redisReachable()),
    ]);
    const checks = { database, migrations, redis, accepting: !this.#stopping };
    return { ready: Object.values(checks).every(Boolean), checks };
  }

  async handle(path: '/healthz' | '/readyz', response: ServerResponse): Promise<void> {
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (path === '/healthz') {
      response.writeHead(200, headers);
      response.end('{"status":"ok"}');
      return;
    }
    const { ready, checks } = await this.readiness();
    response.writeHead(ready ? 200 : 503, headers);
    response.end(JSON.stringify({ status: ready ? 'ready' : 'unavailable', checks }));
  }
}
