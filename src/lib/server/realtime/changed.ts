// The people whose standing moved since the last push, per season: the scoring path marks them
// (one Set insert per ledger entry) and the publisher drains them into a push's `moved` list,
// so that viewers outside the top learn whether their own rank may have changed without the
// server building the whole ranking. A rolled-back transaction may leave a mark: harmless, the
// push then reports a person's unchanged points.
//
// The same marks also go to a journal that nobody drains: an append-only list per season, read
// from a position by each reader that keeps something derived from the standings (the rank
// counts of boards/ranking-points.ts, one per connection and season), so that a second reader
// never takes the publisher's marks. It keeps the last JOURNAL_MAX marks; a reader that fell
// further behind is told so and reads everything again.
//
// Shared through globalThis like the publisher: the scoring code in SvelteKit's bundle and the
// publisher created by server.ts are separate module instances.

const KEY = Symbol.for('honorboard.standings-moved');
const JOURNAL_KEY = Symbol.for('honorboard.standings-journal');
const JOURNAL_MAX = 16_384;

/** `ids[0]` is the journal's mark number `start`; the next mark gets `start + ids.length`. */
interface Journal {
	start: number;
	ids: number[];
}

type Holder = { [KEY]?: Map<number, Set<number>>; [JOURNAL_KEY]?: Map<number, Journal> };

function marks(): Map<number, Set<number>> {
	const holder = globalThis as Holder;
	return (holder[KEY] ??= new Map());
}

function journal(seasonId: number): Journal {
	const all = ((globalThis as Holder)[JOURNAL_KEY] ??= new Map());
	let season = all.get(seasonId);
	if (!season) all.set(seasonId, (season = { start: 0, ids: [] }));
	return season;
}

/** Notes that a person's standing in a season changed (call where the standing is written). */
export function markStandingMoved(seasonId: number, userId: number): void {
	const all = marks();
	let season = all.get(seasonId);
	if (!season) all.set(seasonId, (season = new Set()));
	season.add(userId);
	const log = journal(seasonId);
	log.ids.push(userId);
	if (log.ids.length > JOURNAL_MAX) {
		// Drop the older half at once: a copy every JOURNAL_MAX / 2 marks, not one per mark.
		const dropped = log.ids.length - JOURNAL_MAX / 2;
		log.ids = log.ids.slice(dropped);
		log.start += dropped;
	}
}

/** The people marked in a season since the last call, cleared. */
export function drainMoved(seasonId: number): number[] {
	const all = marks();
	const season = all.get(seasonId);
	if (!season) return [];
	all.delete(seasonId);
	return [...season];
}

/** The journal's position in a season: pass it to movedSince() later. */
export function journalEnd(seasonId: number): number {
	const log = journal(seasonId);
	return log.start + log.ids.length;
}

/**
 * The people marked in a season since `position` (a journalEnd() of earlier), repeats
 * included; null when the journal no longer holds that far back.
 */
export function movedSince(seasonId: number, position: number): number[] | null {
	const log = journal(seasonId);
	if (position < log.start) return null;
	return log.ids.slice(position - log.start);
}
