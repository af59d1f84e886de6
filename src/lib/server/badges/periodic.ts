import { eq } from 'drizzle-orm';
import { read, write, type Store } from '../db/store';
import { systemClock, type Clock } from '../shared/clock';
import { yieldToLoop } from '../shared/yield-to-loop';
import { publishAwardChanges, WEEKLY } from './awards';
import { catchUpOnStore, ENTRIES_PER_SLICE } from './catch-up';
import { decideWeekInWrite } from './decide-in-write';
import { endedPeriodsReads, markingDecided, periodReads } from './facts';
import { seasonBadgesOn } from './queries';
import { runInWrite } from './steps';

// The periodic badge work of a running server (shared/jobs.ts), on either dialect (#20 step 2):
// the badge facts take in what the ledger recorded (all of it after an upgrade) and decide its
// awards, then each ended week of a live season whose totals (or weekly badges) changed since it
// was last decided is decided from the week totals, one write per week. Nothing here reads a
// season's sales, and every write is short: a week, or a slice of the ledger.

/**
 * Runs the periodic badge work once; resolves with the writes it made and the awards it gave.
 * Between two writes the event loop turns (the catch-up also leaves a busy loop most of its time:
 * catch-up.ts). Several nodes may run it at once: each week is read again in the write that
 * decides it, and one already decided with the same badges is left alone (on PostgreSQL two
 * nodes' writes of one week conflict on its badge_period row, serializable: the second runs
 * again and finds it decided).
 */
export async function runPeriodicAwards(
	store: Store,
	options: { clock?: Clock; entriesPerSlice?: number; seasonIds?: number[] } = {}
): Promise<{ slices: number; awarded: number }> {
	const clock = options.clock ?? systemClock;
	const caughtUp = await catchUpOnStore(store, clock, options.entriesPerSlice ?? ENTRIES_PER_SLICE);
	let { slices, awarded } = caughtUp;
	for (const seasonId of options.seasonIds ?? (await liveSeasons(store))) {
		const weeks = await decideEndedWeeks(store, seasonId, clock);
		slices += weeks.slices;
		awarded += weeks.awarded;
	}
	return { slices, awarded };
}

async function liveSeasons(store: Store): Promise<number[]> {
	const { season } = store.tables;
	const live = await store.db
		.select({ id: season.id })
		.from(season)
		.where(eq(season.status, 'live'));
	return live.map((s) => s.id);
}

/** The season's ended weeks whose totals or weekly badges changed, each decided in its write. */
async function decideEndedWeeks(store: Store, seasonId: number, clock: Clock) {
	let slices = 0;
	let awarded = 0;
	const { season } = store.tables;
	const found = await read(store, async (tx) => {
		const [s] = await tx.select().from(season).where(eq(season.id, seasonId));
		if (!s) return undefined;
		const badges = (await seasonBadgesOn(tx, store, seasonId)).filter(
			(b) => b.active && WEEKLY.has(b.criterion.kind)
		);
		return {
			s,
			badges,
			periods: await runInWrite(tx, store, endedPeriodsReads(seasonId, clock()))
		};
	});
	if (!found) return { slices, awarded };
	const { s, badges, periods } = found;
	// Deciding a week again is needed when its totals changed or the weekly badges did.
	const signature = JSON.stringify([s.tieRule, badges.map((b) => [b.id, b.points, b.criterion])]);
	const undecided = (p: { dirty: number; decidedWith: string | null }) =>
		p.dirty !== 0 || p.decidedWith !== signature;
	for (const period of periods) {
		if (!undecided(period)) continue;
		await yieldToLoop();
		const now = clock();
		const changes = await write(store, async (tx) => {
			const current = await runInWrite(tx, store, periodReads(seasonId, period.periodKey));
			if (!current || !undecided(current)) return undefined;
			const decided = await decideWeekInWrite(tx, store, s, badges, period, now);
			await runInWrite(tx, store, markingDecided(seasonId, period.periodKey, signature));
			return decided;
		});
		if (!changes) continue;
		slices += 1;
		awarded += changes.awarded.length;
		publishAwardChanges(seasonId, changes);
	}
	return { slices, awarded };
}
