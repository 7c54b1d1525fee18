// The source of `leaderboardChanged`: the board's top N at once, then again whenever a committed
// change may have moved it, at most once per interval however many changes arrive (a burst of a
// thousand point entries costs a few recomputations, not a thousand). Only a top N that differs
// from the last one sent is sent. The subscription hub shares one such stream among all
// subscribers of the same board; its timer dies with the stream (unsubscribe, or app stop).
import { Repeater } from '@repeaterjs/repeater';
import type { Deps } from '../../deps.js';
import type { Committed } from '../../events/events.js';
import { STATE_PAYLOAD } from '../../subscriptions/hub.js';
import { topPageMovedBy, topPageOf, type TopPage } from './cache-scope.js';
import { boardPage, checkPageSize, resolveBoard, type Board, type BoardEntry, type BoardInput, type ReadOptions } from './service.js';

export interface BoardSnapshot {
  [STATE_PAYLOAD]: true;
  board: Board;
  entries: BoardEntry[];
}

/**
 * Whether a committed event can change the board's top: its scores, or the earners shown. On an
 * all-time points board, a points change that cannot reach the top last computed (`shown`, see
 * ./cache-scope.ts) is skipped; undefined `shown` (other boards, or a computation under way whose
 * result the change may reach) takes every change of the category.
 */
function concerns(board: Board, event: Committed, shown: TopPage | undefined): boolean {
  if (event.organizationId !== board.organizationId) return false;
  if (event.kind === 'organization' && event.change === 'EARNER_UPDATED') return true;
  if (board.metric === 'POINTS') {
    return event.kind === 'points' && event.categories.includes(board.category!) && (!shown || topPageMovedBy(shown, event));
  }
  // Tag boards also move when a template's tags change.
  return event.kind === 'award' || (board.tag !== null && event.kind === 'template');
}

export async function boardUpdates(
  deps: Deps,
  organizationId: string,
  input: BoardInput,
  first: number,
  options: ReadOptions,
): Promise<AsyncGenerator<BoardSnapshot>> {
  const intervalMs = deps.config.leaderboardIntervalMs;
  // Checked before anything listens, so a bad board or size is an error of the subscribe call.
  checkPageSize(first, 'first');
  let board = await resolveBoard(deps, organizationId, input);
  return new Repeater<BoardSnapshot>(async (push, stop) => {
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let dirty = false;
    let lastRun = 0;
    let lastSent: string | undefined;
    /** What the top last computed depends on; undefined while a computation is under way. */
    let shown: TopPage | undefined;

    const compute = async () => {
      running = true;
      dirty = false;
      shown = undefined;
      lastRun = Date.now();
      try {
        // Re-resolved each time, so a calendar window moves on when its day (week, ...) ends.
        board = await resolveBoard(deps, organizationId, input);
        const page = await boardPage(deps, board, first, null, options);
        const { entries } = page;
        shown = topPageOf(board, page);
        const key = JSON.stringify(entries);
        if (key !== lastSent) {
          lastSent = key;
          await push({ [STATE_PAYLOAD]: true, board, entries });
        }
      } catch (error) {
        stop(error);
      } finally {
        running = false;
        if (dirty) schedule();
      }
    };
    const schedule = () => {
      if (timer) return;
      if (running) {
        dirty = true;
        return;
      }
      timer = setTimeout(() => {
        timer = undefined;
        void compute();
      }, Math.max(0, lastRun + intervalMs - Date.now()));
    };
    // Listening starts before the first computation, so no change falls between the two.
    const unsubscribe = deps.events.subscribe((batch) => {
      if (batch.some((event) => concerns(board, event, shown))) schedule();
    });
    await compute();
    await stop;
    clearTimeout(timer);
    unsubscribe();
  });
}
