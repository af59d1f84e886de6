// Does the PostgreSQL copy hold what the SQLite file holds? Row counts of every table, and per
// season what people see and are paid on: the standings (each subject's points and rank, ranked
// the way the season ranks) and the ledger's totals per status. The statements are plain SQL
// that reads alike in both dialects, so the check does not lean on the copy's own conversions.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { rank } from '../../../contest/ranking';
import type { TieRule } from '../../../contest/types';

export interface TableCount {
	table: string;
	source: number;
	target: number;
}

export interface SeasonCheck {
	id: number;
	name: string;
	/** Ranked subjects (people and teams) in the source. */
	ranked: number;
	/** Ledger points and entries per status (provisional, confirmed, void) in the source. */
	ledger: Record<string, { points: number; entries: number }>;
	same: boolean;
}

export interface VerifyReport {
	ok: boolean;
	tables: TableCount[];
	seasons: SeasonCheck[];
	/** What differs, one sentence each. */
	mismatches: string[];
}

type Row = Record<string, unknown>;
type Reader = (query: string, params?: unknown[]) => Promise<Row[]>;

/** node-postgres reads bigint and sums as text: both sides become numbers. */
function numbers(rows: Row[]): Row[] {
	return rows.map((row) =>
		Object.fromEntries(
			Object.entries(row).map(([k, v]) => [
				k,
				typeof v === 'string' && /^-?\d+$/.test(v)
					? Number(v)
					: typeof v === 'bigint'
						? Number(v)
						: v
			])
		)
	);
}

function readers(source: Database.Database, target: pg.ClientBase): [Reader, Reader] {
	return [
		async (query, params = []) =>
			numbers(source.prepare(query.replace(/\$\d+/g, '?')).all(...params) as Row[]),
		async (query, params = []) => numbers((await target.query(query, params)).rows)
	];
}

const STANDINGS = `SELECT subject_type, subject_id, confirmed_points, provisional_points, reached_at
	FROM standing WHERE season_id = $1`;
const LEDGER = `SELECT status, count(*) AS entries, coalesce(sum(points), 0) AS points
	FROM ledger_entry WHERE season_id = $1 GROUP BY status ORDER BY status`;

/** One season's standings as the boards rank them: "user 7: rank 2, 140 points (+30)". */
function ranking(rows: Row[], rankBy: string, tieRule: TieRule): string[] {
	return ['user', 'team'].flatMap((type) =>
		rank(
			rows
				.filter((row) => row.subject_type === type)
				.map((row) => {
					const confirmed = Number(row.confirmed_points);
					const provisional = Number(row.provisional_points);
					return {
						id: Number(row.subject_id),
						name: '',
						points: rankBy === 'total' ? confirmed + provisional : confirmed,
						provisionalPoints: provisional,
						reachedAt: Number(row.reached_at)
					};
				}),
			tieRule
		).map((r) => `${type} ${r.id}: rank ${r.rank}, ${r.points} points (+${r.provisionalPoints})`)
	);
}

function firstDifference(source: string[], target: string[]): string {
	for (let i = 0; i < Math.max(source.length, target.length); i++)
		if (source[i] !== target[i])
			return `source has ${source[i] ?? 'nothing'}, target has ${target[i] ?? 'nothing'}`;
	return '';
}

/** Compares the copy with its source; `tables` are the tables to count (every copied one). */
export async function verifyCopy(
	source: Database.Database,
	target: pg.ClientBase,
	tables: string[]
): Promise<VerifyReport> {
	const [fromSource, fromTarget] = readers(source, target);
	const mismatches: string[] = [];
	const counts: TableCount[] = [];
	for (const table of tables) {
		const query = `SELECT count(*) AS n FROM "${table}"`;
		const [[a], [b]] = await Promise.all([fromSource(query), fromTarget(query)]);
		counts.push({ table, source: Number(a.n), target: Number(b.n) });
		if (a.n !== b.n) mismatches.push(`${table}: ${a.n} rows in the source, ${b.n} in the target`);
	}
	const seasonsQuery = 'SELECT id, name, rank_by, tie_rule FROM season ORDER BY id';
	const seasons: SeasonCheck[] = [];
	for (const season of await fromSource(seasonsQuery)) {
		const id = Number(season.id);
		const label = `season ${id} (${String(season.name)})`;
		const sourceRanking = ranking(
			await fromSource(STANDINGS, [id]),
			String(season.rank_by),
			season.tie_rule as TieRule
		);
		const targetRanking = ranking(
			await fromTarget(STANDINGS, [id]),
			String(season.rank_by),
			season.tie_rule as TieRule
		);
		const sameStandings = JSON.stringify(sourceRanking) === JSON.stringify(targetRanking);
		if (!sameStandings)
			mismatches.push(
				`${label} standings differ: ${firstDifference(sourceRanking, targetRanking)}`
			);
		const [sourceLedger, targetLedger] = await Promise.all([
			fromSource(LEDGER, [id]),
			fromTarget(LEDGER, [id])
		]);
		const sameLedger = JSON.stringify(sourceLedger) === JSON.stringify(targetLedger);
		const totals = (rows: Row[]) =>
			rows.map((r) => `${String(r.status)} ${r.points} points in ${r.entries}`).join(', ') ||
			'no entries';
		if (!sameLedger)
			mismatches.push(
				`${label} ledger totals differ: source ${totals(sourceLedger)}; target ${totals(targetLedger)}`
			);
		seasons.push({
			id,
			name: String(season.name),
			ranked: sourceRanking.length,
			ledger: Object.fromEntries(
				sourceLedger.map((r) => [
					String(r.status),
					{ points: Number(r.points), entries: Number(r.entries) }
				])
			),
			same: sameStandings && sameLedger
		});
	}
	return { ok: mismatches.length === 0, tables: counts, seasons, mismatches };
}
