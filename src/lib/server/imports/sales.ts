import type { Db } from '../db';
import { savepoint } from '../db/prepared';
import { IdempotencyConflictError, recordSaleInTx } from '../scoring/sales';
import { SaleLookups } from '../scoring/sale-lookups';
import { AppError } from '../shared/errors';
import { evaluateAwards } from '../badges/awards';
import { notifyLeaderboard } from '../realtime/publish';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { countImport } from '../shared/metrics';
import type { ImportField } from '../../imports/mapping';
import { instantOf, type ParsedDate } from '../../imports/formats';
import { TZDate } from '@date-fns/tz';
import {
	parseSalesCsv,
	type FileProblem,
	type FileReading,
	type ImportError,
	type ParseOptions,
	type SaleGroup
} from './sales-csv';
import { SellerDirectory } from './sellers';

export interface ImportResult {
	row: number;
	externalId: string;
	/** new: counted now (or would be, in a dry run); duplicate: already imported, counted once. */
	outcome: 'new' | 'duplicate' | 'error';
	points?: number;
}

export interface ImportReport {
	dryRun: boolean;
	/** Data rows in the file. */
	rows: number;
	/** Rows whose sale is (or would be) counted, or was already counted before. */
	accepted: number;
	rejected: number;
	sales: { new: number; duplicate: number; rejected: number };
	points: number;
	errors: ImportError[];
	results: ImportResult[];
	/** How the file was read (date order, decimal mark, delimiter, footer lines left out). */
	reading: FileReading;
	/** A problem with the whole file (its dates or amounts cannot be read): nothing was stored. */
	problem: FileProblem | null;
}

/** A sale whose seller and time are known: the person, and the instant in their season's zone. */
interface ResolvedSale extends SaleGroup {
	userId: number;
	occurredAt: number;
}

const DRY_RUN = Symbol('dry run');

/** Which column of the file a refused sale's error is about, and what the report says. */
function refusal(externalId: string, error: AppError): { column: ImportField; message: string } {
	// An external id already used for a different sale (scoring's idempotency check).
	if (error instanceof IdempotencyConflictError)
		return {
			column: 'externalId',
			message: `externalId ${externalId} was already used for a different sale`
		};
	if (error.code === 'unknown_sku' || error.code === 'inactive_sku')
		return { column: 'sku', message: error.message };
	if (error.code === 'outside_season' || error.code === 'in_the_future')
		return { column: 'occurredAt', message: error.message };
	return { column: 'sellerEmail', message: error.message };
}

/**
 * Imports sales from CSV (one line per sale line). A dry run scores every sale through the same
 * code path as a real import inside transactions that are rolled back, so its points are exact.
 * A commit records the sales in batches (one transaction, one board update and one badge
 * evaluation per batch) and is idempotent by external id: a re-upload counts nothing twice.
 */
export async function importSales(
	db: Db,
	text: string,
	options: ParseOptions & {
		dryRun: boolean;
		actor: Actor;
		batchSize?: number;
		clock?: Clock;
		onProgress?: (doneRows: number, totalRows: number) => void;
	}
): Promise<ImportReport> {
	const clock = options.clock ?? systemClock;
	const { rows, groups, errors, invalidRows, badIds, reading, problem } = parseSalesCsv(
		text,
		options
	);
	const results: ImportResult[] = [];
	// Errors name the file's own column, as the user mapped it.
	const rejectGroup = (group: SaleGroup, field: ImportField, message: string) => {
		const column = options.mapping?.[field] ?? field;
		const first = group.rows[0].row;
		for (const r of group.rows) {
			if (!invalidRows.has(r.row))
				errors.push({
					row: r.row,
					column,
					message:
						r.row === first ? message : `${message} (sale ${group.externalId}, see row ${first})`
				});
			invalidRows.set(r.row, group.externalId);
		}
	};

	// Who each seller cell names, and when each sale happened: a time without a zone is in the
	// seller's season's time zone; a date alone counts on that local day (from its start, or
	// from the season's start on its first day).
	const directory = new SellerDirectory(db);
	const seasons = new SaleLookups();
	const instant = (date: ParsedDate, userId: number) => {
		const { season } = seasons.seasonOf(db, userId);
		const ms = instantOf(date, season?.timeZone ?? 'UTC');
		if (date.kind === 'local' && date.dateOnly && season && ms < season.startsAt) {
			const start = new TZDate(season.startsAt, season.timeZone);
			if (
				start.getFullYear() === date.year &&
				start.getMonth() === date.month - 1 &&
				start.getDate() === date.day
			)
				return season.startsAt;
		}
		return ms;
	};

	// A sale with a bad line, or lines that disagree on seller or time, is rejected whole.
	const valid: ResolvedSale[] = [];
	groups: for (const group of groups) {
		if (badIds.has(group.externalId)) {
			rejectGroup(
				group,
				'externalId',
				`Sale ${group.externalId} has an invalid line (row ${badIds.get(group.externalId)})`
			);
			continue;
		}
		const resolved: { userId: number; occurredAt: number }[] = [];
		for (const r of group.rows) {
			const found = directory.find(r.seller);
			if ('error' in found) {
				rejectGroup(
					group,
					'sellerEmail',
					`${options.mapping?.sellerEmail ?? 'sellerEmail'}: ${found.error}`
				);
				continue groups;
			}
			resolved.push({ userId: found.userId, occurredAt: instant(r.occurredAt, found.userId) });
		}
		const [first] = resolved;
		const mismatch = resolved.find(
			(r) => r.userId !== first.userId || r.occurredAt !== first.occurredAt
		);
		if (mismatch)
			rejectGroup(
				group,
				mismatch.userId !== first.userId ? 'sellerEmail' : 'occurredAt',
				`Lines of sale ${group.externalId} disagree on seller or time`
			);
		else valid.push({ ...group, ...first });
	}

	const batchSize = options.batchSize ?? 500;
	const report = { new: 0, duplicate: 0, rejected: 0, points: 0 };
	// Progress counts the file's data rows: rows refused while parsing are done at once, the
	// others when their batch is.
	let doneRows = rows - valid.reduce((n, g) => n + g.rows.length, 0);
	options.onProgress?.(doneRows, rows);
	for (let start = 0; start < valid.length; start += batchSize) {
		const batch = valid.slice(start, start + batchSize);
		const now = clock();
		const touched = new Map<number, Set<number>>();
		const lookups = new SaleLookups();
		const outcomes: {
			group: ResolvedSale;
			outcome: 'new' | 'duplicate' | 'error';
			points?: number;
			error?: AppError;
		}[] = [];
		try {
			db.transaction(
				(tx) => {
					for (const group of batch) {
						try {
							// A savepoint per sale: a refused sale leaves the rest of the batch intact. A sale
							// sent before (through the API or an import: one id space) comes back as not
							// created and is reported a duplicate, counted once.
							const recorded = savepoint(tx, () =>
								recordSaleInTx(
									tx,
									{
										source: 'import',
										externalId: group.externalId,
										seller: { userId: group.userId },
										occurredAt: group.occurredAt,
										lines: group.rows.map((r) => ({
											sku: r.sku,
											quantity: r.quantity,
											unitPrice: r.unitPrice
										})),
										createdById: options.actor.userId ?? null
									},
									now,
									lookups
								)
							);
							outcomes.push({
								group,
								outcome: recorded.created ? 'new' : 'duplicate',
								points: recorded.sale.points
							});
							if (recorded.created && recorded.activity) {
								const sellers = touched.get(recorded.seasonId) ?? new Set<number>();
								sellers.add(recorded.activity.userId);
								touched.set(recorded.seasonId, sellers);
							}
						} catch (error) {
							if (!(error instanceof AppError)) throw error;
							outcomes.push({ group, outcome: 'error', error });
						}
					}
					if (options.dryRun) throw DRY_RUN;
				},
				{ behavior: 'immediate' }
			);
		} catch (error) {
			if (error !== DRY_RUN) throw error;
		}
		for (const o of outcomes) {
			if (o.outcome === 'error') {
				const { column, message } = refusal(o.group.externalId, o.error!);
				rejectGroup(o.group, column, message);
				report.rejected += 1;
				continue;
			}
			report[o.outcome] += 1;
			if (o.outcome === 'new') report.points += o.points ?? 0;
			o.group.rows.forEach((r, i) =>
				results.push({
					row: r.row,
					externalId: o.group.externalId,
					outcome: o.outcome,
					points: i === 0 ? o.points : undefined
				})
			);
		}
		if (!options.dryRun) {
			for (const [seasonId, sellers] of touched) {
				notifyLeaderboard(seasonId);
				evaluateAwards(db, seasonId, { userIds: [...sellers], clock });
			}
		}
		doneRows += batch.reduce((n, g) => n + g.rows.length, 0);
		options.onProgress?.(doneRows, rows);
		// Let live requests and socket pushes through between batches.
		await new Promise((resolve) => setImmediate(resolve));
	}
	if (!options.dryRun && report.new > 0) {
		db.transaction((tx) =>
			audit(
				tx,
				options.actor,
				'sales.import',
				'sales',
				{ rows, new: report.new, duplicate: report.duplicate, rejected: report.rejected },
				clock()
			)
		);
	}
	// Every data row has exactly one outcome: counted (new or duplicate) or refused with its errors.
	for (const [row, externalId] of invalidRows) results.push({ row, externalId, outcome: 'error' });
	errors.sort((a, b) => a.row - b.row);
	results.sort((a, b) => a.row - b.row);
	const rejected = invalidRows.size;
	countImport({ dryRun: options.dryRun, accepted: rows - rejected, rejected, sales: report });
	return {
		dryRun: options.dryRun,
		rows,
		accepted: rows - rejected,
		rejected,
		sales: {
			new: report.new,
			duplicate: report.duplicate,
			rejected: report.rejected + groups.length - valid.length
		},
		points: report.points,
		errors,
		results,
		reading,
		problem
	};
}
