// The people whose standing moved since the last push, per season: the scoring path marks them
// (one Set insert per ledger entry) and the publisher drains them into a push's `moved` list,
// so that viewers outside the top learn whether their own rank may have changed without the
// server building the whole ranking. A rolled-back transaction may leave a mark: harmless, the
// push then reports a person's unchanged points.
//
// Shared through globalThis like the publisher: the scoring code in SvelteKit's bundle and the
// publisher created by server.ts are separate module instances.

const KEY = Symbol.for('honorboard.standings-moved');
type Holder = { [KEY]?: Map<number, Set<number>> };

function marks(): Map<number, Set<number>> {
	const holder = globalThis as Holder;
	return (holder[KEY] ??= new Map());
}

/** Notes that a person's standing in a season changed (call where the standing is written). */
export function markStandingMoved(seasonId: number, userId: number): void {
	const all = marks();
	let season = all.get(seasonId);
	if (!season) all.set(seasonId, (season = new Set()));
	season.add(userId);
}

/** The people marked in a season since the last call, cleared. */
export function drainMoved(seasonId: number): number[] {
	const all = marks();
	const season = all.get(seasonId);
	if (!season) return [];
	all.delete(seasonId);
	return [...season];
}
