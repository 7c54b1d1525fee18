// Leaderboards published for display on a screen: an organization picks a board, a title and how
// many entries to show, and gets an unguessable public id (the screen's address is its only key).
// Unpublishing stops every open screen at once (the live stream ends with a "no longer published"
// state). A published board shows names (or initials) and scores only.
import { createHash, randomBytes } from 'node:crypto';
import { Repeater } from '@repeaterjs/repeater';
import type { Deps } from '../../deps.js';
import { commit } from '../../db/transaction.js';
import { NotFoundError } from '../../shared/errors.js';
import { line, parseInput, z } from '../../shared/validation.js';
import { STATE_PAYLOAD } from '../../subscriptions/hub.js';
import { boardUpdates } from './live.js';
import { checkPageSize, resolveBoard, type BoardInput } from './service.js';

export interface PublishedBoard {
  publicId: string;
  organizationId: string;
  title: string;
  board: BoardInput;
  first: number;
  initialsOnly: boolean;
  publishedAt: Date;
  unpublishedAt: Date | null;
}

export interface PublishInput {
  board: BoardInput;
  title: string;
  first: number;
  initialsOnly: boolean;
}

const publishSchema = z.object({ title: line(200) });

function fromRow(row: Omit<PublishedBoard, 'board'> & { board: unknown }): PublishedBoard {
  return { ...row, board: row.board as BoardInput };
}

export async function publishBoard(deps: Deps, organizationId: string, input: PublishInput): Promise<PublishedBoard> {
  const { title } = parseInput(publishSchema, { title: input.title });
  checkPageSize(input.first, 'first');
  // Refuses a board the organization could not read (another organization's template, ...).
  await resolveBoard(deps, organizationId, input.board);
  const publicId = randomBytes(16).toString('base64url');
  const at = deps.clock.now();
  return commit(deps, async (tx) => {
    const row = await tx.publishedLeaderboard.create({
      data: { publicId, organizationId, title, board: Object.fromEntries(Object.entries(input.board)), first: input.first, initialsOnly: input.initialsOnly, publishedAt: at },
    });
    return { result: fromRow(row), events: [{ kind: 'organization', change: 'LEADERBOARD_PUBLISHED', organizationId, subjectId: publicId, at: at.toISOString() }] };
  });
}

export async function unpublishBoard(deps: Deps, organizationId: string, publicId: string): Promise<PublishedBoard> {
  const at = deps.clock.now();
  return commit(deps, async (tx) => {
    const found = await tx.publishedLeaderboard.findFirst({ where: { publicId, organizationId } });
    if (!found) throw new NotFoundError('published leaderboard', 'publicId');
    if (found.unpublishedAt) return { result: fromRow(found), events: [] };
    const row = await tx.publishedLeaderboard.update({ where: { publicId }, data: { unpublishedAt: at } });
    return { result: fromRow(row), events: [{ kind: 'organization', change: 'LEADERBOARD_UNPUBLISHED', organizationId, subjectId: publicId, at: at.toISOString() }] };
  });
}

export async function publishedBoards(deps: Deps, organizationId: string): Promise<PublishedBoard[]> {
  const rows = await deps.reader.publishedLeaderboard.findMany({ where: { organizationId }, orderBy: { publishedAt: 'desc' }, take: 100 });
  return rows.map(fromRow);
}

/** A board still published, by its public id. */
export async function findPublishedBoard(deps: Deps, publicId: string): Promise<PublishedBoard | undefined> {
  const row = await deps.reader.publishedLeaderboard.findUnique({ where: { publicId } });
  return row && !row.unpublishedAt ? fromRow(row) : undefined;
}

/** "Ada Lovelace" → "A. L." when the screen shows initials only. */
export function shownName(name: string, initialsOnly: boolean): string {
  if (!initialsOnly) return name;
  return name
    .split(/\s+/u)
    .filter(Boolean)
    .map((word) => `${[...word][0]!.toUpperCase()}.`)
    .join(' ');
}

export interface ScreenEntry {
  /** Stable per board and earner, so a screen can animate moves; reveals no id. */
  key: string;
  position: number;
  rank: number;
  name: string;
  score: number;
}

export interface ScreenState {
  [STATE_PAYLOAD]: true;
  title: string;
  published: boolean;
  entries: ScreenEntry[];
  at: Date;
}

/** The screen's state at once, then at every change of its top, and a last one when it is unpublished. */
export async function screenUpdates(deps: Deps, publicId: string): Promise<AsyncGenerator<ScreenState>> {
  const published = await findPublishedBoard(deps, publicId);
  if (!published) throw new NotFoundError('published leaderboard', 'publicId');
  const updates = await boardUpdates(deps, published.organizationId, published.board, published.first, { earnerColumns: ['name'] });
  const keyOf = (earnerId: string) => createHash('sha256').update(`${publicId}:${earnerId}`).digest('base64url').slice(0, 12);
  return new Repeater<ScreenState>(async (push, stop) => {
    const unsubscribe = deps.events.subscribe((batch) => {
      const ended = batch.some((event) => event.kind === 'organization' && event.change === 'LEADERBOARD_UNPUBLISHED' && event.subjectId === publicId);
      if (!ended) return;
      void push({ [STATE_PAYLOAD]: true, title: published.title, published: false, entries: [], at: deps.clock.now() }).then(() => stop());
    });
    void (async () => {
      try {
        for await (const snapshot of updates) {
          const entries = snapshot.entries.map((entry) => ({
            key: keyOf(entry.earnerId),
            position: entry.position,
            rank: entry.rank,
            name: shownName(entry.earner?.name ?? '', published.initialsOnly),
            score: entry.score,
          }));
          await push({ [STATE_PAYLOAD]: true, title: published.title, published: true, entries, at: deps.clock.now() });
        }
      } catch (error) {
        stop(error);
      }
    })();
    await stop;
    unsubscribe();
    await updates.return(undefined);
  });
}
