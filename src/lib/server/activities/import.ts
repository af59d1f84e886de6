import { eq } from 'drizzle-orm';
import { write, type Store } from '../db/store';
import type { CsvError } from '../../csv';
import type { ActivityItem } from '../../realtime/events';
import { auditInWrite, type Actor } from '../audit/record';
import { merge, publishAwardChanges, type AwardChanges } from '../badges/awards';
import { notifyLeaderboard, publishActivity } from '../realtime/publish';
import { AppError, notFound } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';
import { parseActivitiesCsv } from './activities-csv';
import { markStandingsMoved, type StandingMove } from '../scoring/standings';
import { logActivityInWrite } from './record';

// Importing a file of activities into a season: every row is checked the way the API checks an
// activity, in one write of the store (db/store.ts). A file with any bad row imports nothing and
// lists every problem by row; a dry run does all the same and then rolls back. A row already imported (the
// same externalId, from the API or a file) is counted once.

export interface ActivityImportReport {
	rows: number;
	/** Rows that would be (or were) counted, new or already there. */
	accepted: number;
	rejected: number;
	/** Of the accepted rows, those already logged before under their externalId. */
	already: number;
	points: number;
	errors: CsvError[];
	/** True when the rows were stored (not a dry run, no errors). */
	imported: boolean;
}

/** The console's words for why a row cannot be counted (the service's own words are English). */
function rowProblem(error: AppError): { column: string; message: string } {
	switch (error.code) {
		case 'unknown_person':
			return { column: 'email', message: m.activities_import_error_unknown_person() };
		case 'not_a_member':
			return { column: 'email', message: m.activities_import_error_not_member() };
		case 'unknown_activity_type':
			return { column: 'type', message: m.activities_import_error_unknown_type() };
		case 'in_the_future':
		case 'outside_season':
			return { column: 'occurredAt', message: m.activities_import_error_outside() };
		case 'idempotency_conflict':
			return { column: 'externalId', message: m.activities_import_error_conflict() };
		default:
			return { column: '', message: error.message };
	}
}

class RollBack extends Error {}

function freshRun(parseErrors: readonly CsvError[]) {
	return {
		errors: [...parseErrors],
		points: 0,
		already: 0,
		feed: [] as ActivityItem[],
		badges: { awarded: [], withdrawn: [] } as AwardChanges,
		moved: [] as StandingMove[]
	};
}

export async function importActivities(
	store: Store,
	seasonId: number,
	text: string,
	options: { dryRun: boolean; actor: Actor },
	clock: Clock = systemClock
): Promise<ActivityImportReport> {
	const now = clock();
	const { season } = store.tables;
	const [owner] = await store.db.select().from(season).where(eq(season.id, seasonId)).limit(1);
	if (!owner) throw notFound('season_not_found', m.activities_error_type_gone());
	const parsed = parseActivitiesCsv(text, owner.timeZone);
	// What one run of the write found; PostgreSQL may run it again, which starts it afresh.
	let run = freshRun(parsed.errors);
	try {
		await write(store, async (tx) => {
			run = freshRun(parsed.errors);
			for (const row of parsed.rows) {
				try {
					const logged = await logActivityInWrite(
						tx,
						store,
						{
							source: 'import',
							externalId: row.externalId,
							person: { email: row.email },
							type: row.type,
							quantity: row.quantity,
							occurredAt: row.occurredAt,
							seasonId,
							createdById: options.actor.userId ?? null
						},
						now,
						run.moved
					);
					if (logged.created) run.points += logged.activity.points;
					else run.already += 1;
					if (logged.feed) run.feed.push(logged.feed);
					if (logged.badges) merge(run.badges, logged.badges);
				} catch (error) {
					if (!(error instanceof AppError)) throw error;
					run.errors.push({ row: row.row, ...rowProblem(error) });
				}
			}
			if (run.errors.length > 0 || options.dryRun) throw new RollBack();
			await auditInWrite(
				tx,
				store,
				options.actor,
				'activity.import',
				`season:${seasonId}`,
				{
					rows: parsed.rows.length,
					new: run.feed.length,
					already: run.already,
					points: run.points
				},
				now
			);
		});
	} catch (error) {
		if (!(error instanceof RollBack)) throw error;
	}
	const { errors, feed, badges, already, points } = run;
	errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
	const bad = new Set(errors.flatMap((e) => (e.row != null && e.row > 1 ? [e.row] : [])));
	const accepted = parsed.rows.filter((r) => !bad.has(r.row)).length;
	const imported = errors.length === 0 && !options.dryRun;
	if (imported && feed.length > 0) {
		markStandingsMoved(run.moved);
		// The feed shows the latest few; the board moves once for the whole file.
		for (const item of feed.slice(-5)) publishActivity(item);
		publishAwardChanges(seasonId, badges);
		notifyLeaderboard(seasonId);
	}
	return {
		rows: accepted + bad.size,
		accepted,
		rejected: bad.size,
		already,
		points,
		errors,
		imported
	};
}
