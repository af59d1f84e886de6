import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { standing, type SubjectType } from '../db/schema';
import { literal, prepared } from '../db/prepared';
import { insertRows, type ManyRows } from '../db/many-rows';
import { markStandingMoved } from '../realtime/changed';
import { preparedQuery, type Store, type StoreDb, type Tables } from '../db/store';

export interface StandingDelta {
	confirmed: number;
	provisional: number;
	sales: number;
}

// Hot path (every ledger entry): one statement moves the person's and the team's totals,
// prepared once per connection.
const subjectRow = (subjectType: SubjectType, subjectId: string) => ({
	seasonId: sql.placeholder('seasonId'),
	subjectType: literal(subjectType),
	subjectId: sql.placeholder(subjectId),
	confirmedPoints: sql.placeholder('confirmed'),
	provisionalPoints: sql.placeholder('provisional'),
	salesCount: sql.placeholder('sales'),
	reachedAt: sql.placeholder('now'),
	updatedAt: sql.placeholder('now')
});
/** A row that exists takes the sums, and the new time reached when the score moved. */
const addedOnConflict = (columns: typeof standing | Tables['standing']) => ({
	confirmedPoints: sql`${columns.confirmedPoints} + excluded.confirmed_points`,
	provisionalPoints: sql`${columns.provisionalPoints} + excluded.provisional_points`,
	salesCount: sql`${columns.salesCount} + excluded.sales_count`,
	// Compared with 1: PostgreSQL types a bare parameter in CASE WHEN as a boolean, SQLite binds
	// an integer; `= 1` makes it an integer on both.
	reachedAt: sql`CASE WHEN ${sql.placeholder('scoreChanged')} = 1 THEN excluded.reached_at ELSE ${columns.reachedAt} END`,
	updatedAt: sql`excluded.updated_at`
});
const upsert = (db: Queryable, rows: ReturnType<typeof subjectRow>[]) =>
	db
		.insert(standing)
		.values(rows)
		.onConflictDoUpdate({
			target: [standing.seasonId, standing.subjectType, standing.subjectId],
			set: addedOnConflict(standing)
		})
		.prepare();
const upsertStandings = (db: Queryable) =>
	upsert(db, [subjectRow('user', 'userId'), subjectRow('team', 'teamId')]);

/**
 * Adds a ledger change to the running totals of the person and of the team it was earned for;
 * call inside the ledger's transaction.
 */
export function applyStandingDelta(
	tx: Queryable,
	entry: { seasonId: number; userId: number; teamId: number },
	delta: StandingDelta,
	now: number,
	// A batch's summed delta can net to zero although its sales moved the score.
	scoreChanged = delta.confirmed !== 0 || delta.provisional !== 0
): void {
	prepared(tx, upsertStandings).run(standingValues(entry, delta, now, scoreChanged));
	// The pushes and the rank counts held in memory (boards/ranking-points.ts) learn who moved
	// from this mark: the latter trust that every change of a person's points is marked here.
	if (scoreChanged || delta.confirmed !== 0 || delta.provisional !== 0)
		markStandingMoved(entry.seasonId, entry.userId);
}

/** A delta's values for upsertStandings' placeholders (and the store's twin). */
function standingValues(
	entry: { seasonId: number; userId: number; teamId: number },
	delta: StandingDelta,
	now: number,
	scoreChanged: boolean
) {
	return {
		seasonId: entry.seasonId,
		userId: entry.userId,
		teamId: entry.teamId,
		confirmed: delta.confirmed,
		provisional: delta.provisional,
		sales: delta.sales,
		now,
		scoreChanged: scoreChanged ? 1 : 0
	};
}

/** A subject's delta for applySubjectDeltas. */
export type SubjectDelta = {
	seasonId: number;
	subjectType: SubjectType;
	subjectId: number;
	delta: StandingDelta;
	scoreChanged: boolean;
};

// The upsert above, many rows per statement: whether the score changed picks the statement (it
// decides reached_at), as SQLite cannot read it from a row that VALUES does not store.
const manyStandings = (scoreChanged: boolean): ManyRows => ({
	table: 'standing',
	columns: [
		'season_id',
		'subject_type',
		'subject_id',
		'confirmed_points',
		'provisional_points',
		'sales_count',
		'reached_at',
		'updated_at'
	],
	// The row's own columns named with the table: PostgreSQL finds a bare name ambiguous (the
	// statement's unnest has columns of the same names).
	then: `ON CONFLICT (season_id, subject_type, subject_id) DO UPDATE SET
		confirmed_points = standing.confirmed_points + excluded.confirmed_points,
		provisional_points = standing.provisional_points + excluded.provisional_points,
		sales_count = standing.sales_count + excluded.sales_count,
		reached_at = ${scoreChanged ? 'excluded.reached_at' : 'standing.reached_at'},
		updated_at = excluded.updated_at`
});
const MANY_STANDINGS = { changed: manyStandings(true), unchanged: manyStandings(false) };

/**
 * applyStandingDelta for many subjects, the person alone or the team alone, each once, many
 * rows per statement (db/many-rows.ts): a WriteBatch sums its team's deltas over all of the
 * batch's people and moves each team once.
 */
export function applySubjectDeltas(tx: Queryable, deltas: SubjectDelta[], now: number): void {
	// Runs of the same statement, in the deltas' order (new rows are stored in that order).
	let run: unknown[] = [];
	let runChanged = true;
	for (const { seasonId, subjectType, subjectId, delta, scoreChanged } of deltas) {
		if (scoreChanged !== runChanged) {
			insertRows(tx, runChanged ? MANY_STANDINGS.changed : MANY_STANDINGS.unchanged, run);
			[run, runChanged] = [[], scoreChanged];
		}
		run.push(
			seasonId,
			subjectType,
			subjectId,
			delta.confirmed,
			delta.provisional,
			delta.sales,
			now,
			now
		);
		// As applyStandingDelta: every change of a person's points is marked.
		if (
			subjectType === 'user' &&
			(scoreChanged || delta.confirmed !== 0 || delta.provisional !== 0)
		)
			markStandingMoved(seasonId, subjectId);
	}
	insertRows(tx, runChanged ? MANY_STANDINGS.changed : MANY_STANDINGS.unchanged, run);
}

// The same on the store (db/store.ts, #20), for the commands ported to it: a manager's
// adjustment, deciding a referral, a review. Prepared as the synchronous ones are
// (`preparedQuery`): the sales path will run them per sale.

/** A person whose standing a write moved: marked (markStandingsMoved) once it has committed. */
export type StandingMove = { seasonId: number; userId: number };

const upsertStandingsOnStore = (db: StoreDb, { standing }: Tables) =>
	db
		.insert(standing)
		.values([subjectRow('user', 'userId'), subjectRow('team', 'teamId')])
		.onConflictDoUpdate({
			target: [standing.seasonId, standing.subjectType, standing.subjectId],
			set: addedOnConflict(standing)
		})
		.prepare('standings_upsert');

/**
 * applyStandingDelta inside a store's write: one upsert of the person's and the team's rows.
 * The person goes into `moved` (a list the write's callback made and returns): the mark is
 * memory outside the database, so the caller makes it after the commit (markStandingsMoved),
 * not in a callback PostgreSQL may run twice or roll back.
 */
export async function applyStandingDeltaInWrite(
	tx: StoreDb,
	store: Store,
	entry: { seasonId: number; userId: number; teamId: number },
	delta: StandingDelta,
	now: number,
	moved: StandingMove[],
	scoreChanged = delta.confirmed !== 0 || delta.provisional !== 0
): Promise<void> {
	await preparedQuery(tx, store, upsertStandingsOnStore).execute(
		standingValues(entry, delta, now, scoreChanged)
	);
	if (scoreChanged || delta.confirmed !== 0 || delta.provisional !== 0)
		moved.push({ seasonId: entry.seasonId, userId: entry.userId });
}

/**
 * applySubjectDeltas's rows for a store's write (a WriteBatch's standings on PostgreSQL): the
 * subjects whose score changed and the others, each an insert of many rows (STANDINGS_ROWS, in
 * that order), where one upsert per subject cost a round trip each. A standing has no id, so the
 * rows' order does not matter. The people go into `moved`, marked after the commit
 * (markStandingsMoved).
 */
export function subjectDeltaRows(
	deltas: SubjectDelta[],
	now: number,
	moved: StandingMove[]
): [changed: unknown[], unchanged: unknown[]] {
	const values = { changed: [] as unknown[], unchanged: [] as unknown[] };
	for (const { seasonId, subjectType, subjectId, delta, scoreChanged } of eachSubjectOnce(deltas)) {
		(scoreChanged ? values.changed : values.unchanged).push(
			seasonId,
			subjectType,
			subjectId,
			delta.confirmed,
			delta.provisional,
			delta.sales,
			now,
			now
		);
		if (
			subjectType === 'user' &&
			(scoreChanged || delta.confirmed !== 0 || delta.provisional !== 0)
		)
			moved.push({ seasonId, userId: subjectId });
	}
	return [values.changed, values.unchanged];
}

/** subjectDeltaRows' inserts. */
export const STANDINGS_ROWS = [MANY_STANDINGS.changed, MANY_STANDINGS.unchanged] as const;

/**
 * The deltas with each subject once, its deltas summed: PostgreSQL refuses an upsert that meets
 * one key twice in a statement, and a WriteBatch holds a person once per team (their entries
 * name the team they sold for).
 */
function eachSubjectOnce(deltas: SubjectDelta[]): Iterable<SubjectDelta> {
	const subjects = new Map<string, SubjectDelta>();
	for (const d of deltas) {
		const key = `${d.seasonId}:${d.subjectType}:${d.subjectId}`;
		const held = subjects.get(key);
		if (!held) subjects.set(key, { ...d, delta: { ...d.delta } });
		else {
			held.delta.confirmed += d.delta.confirmed;
			held.delta.provisional += d.delta.provisional;
			held.delta.sales += d.delta.sales;
			held.scoreChanged ||= d.scoreChanged;
		}
	}
	return subjects.values();
}

/** Marks the people a committed write moved, as applyStandingDelta marks them in its transaction. */
export function markStandingsMoved(moved: StandingMove[]): void {
	for (const { seasonId, userId } of moved) markStandingMoved(seasonId, userId);
}

/**
 * bumpVersion inside a store's write. The increment is done by the database on the row the write
 * holds (serializable on both dialects), so writes on different nodes never hand out one version
 * twice: the version only grows, whichever node wrote.
 */
export async function bumpVersionInWrite(
	tx: StoreDb,
	store: Store,
	seasonId: number
): Promise<number> {
	const [row] = await preparedQuery(tx, store, bumpVersionOnStore).execute({ seasonId });
	return row.version;
}

const bumpVersionOnStore = (db: StoreDb, { season }: Tables) =>
	db
		.update(season)
		.set({ version: sql`${season.version} + 1` })
		.where(eq(season.id, sql.placeholder('seasonId')))
		.returning({ version: season.version })
		.prepare('season_bump_version');
