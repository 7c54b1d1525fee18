import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import type { Database, PrismaClient } from './db/client.js';
import type { Provider } from './db/provider.js';
import { EventBus } from './events/bus.js';
import { PrincipalCache } from './modules/api-keys/index.js';
import { IssueGroups } from './modules/awards/issue-groups.js';
import { AwardCredentials } from './modules/credentials/index.js';
import { EngagementRecorder } from './modules/engagement/index.js';
import { BackgroundTasks } from './shared/background.js';
import { systemClock, type Clock } from './shared/clock.js';

/** What services need from the running application; built once by createApp, passed explicitly. */
export interface Deps {
  provider: Provider;
  /** Transactions and writes. */
  db: PrismaClient;
  /** Reads outside transactions (see src/db/client.ts). */
  reader: PrismaClient;
  clock: Clock;
  config: Config;
  logger: Logger;
  /** Committed changes: publish after commit; subscriptions and caches listen. */
  events: EventBus;
  /** Recent API key authentications. */
  principals: PrincipalCache;
  /** Work started by requests and finished after them (drained on shutdown). */
  background: BackgroundTasks;
  /** Key of the HMAC that hides client addresses kept for engagement deduplication. */
  engagementSalt: string;
  /** Writes engagement events, concurrent ones together (group commit). */
  engagement: EngagementRecorder;
  /** Issues single awards, concurrent ones of a key together (group commit). */
  issueGroups: IssueGroups;
  /** Awards as signed Open Badges 3.0 credentials: keys, signing, status lists, verification. */
  credentials: AwardCredentials;
}

/** Who is making a change: an API key of an organization, or the platform itself (apiKeyId null). */
export interface Actor {
  organizationId: string;
  apiKeyId: string | null;
}

export function createDeps(options: {
  database: Database;
  config: Config;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  events?: EventBus | undefined;
  /** ENGAGEMENT_SALT or the persisted one; a throwaway one for tools that record no engagement. */
  engagementSalt?: string | undefined;
}): Deps {
  const logger = options.logger ?? pino({ level: options.config.logLevel });
  const deps: Omit<Deps, 'engagement' | 'credentials' | 'issueGroups'> = {
    provider: options.database.provider,
    db: options.database.db,
    reader: options.database.reader,
    clock: options.clock ?? systemClock,
    config: options.config,
    logger,
    events: options.events ?? new EventBus(logger),
    principals: new PrincipalCache(),
    background: new BackgroundTasks(),
    engagementSalt: options.engagementSalt ?? randomBytes(32).toString('base64url'),
  };
  const complete = { ...deps, engagement: new EngagementRecorder(deps) } as Deps;
  complete.credentials = new AwardCredentials(complete);
  complete.issueGroups = new IssueGroups(complete);
  return complete;
}
