import type { Db, Queryable } from '../db';
import { savepoint } from '../db/prepared';
import { IdempotencyConflictError, recordSaleInTx } from '../scoring/sales';
import { SaleLookups } from '../scoring/sale-lookups';
import { WindowLookups } from './window-lookups';
import { WriteBatch } from '../scoring/write-batch';
import { AppError } from '../shared/errors';
import { decideAwardsInTx, publishDecided, type DecidedAwards } from '../badges/awards';
import { notifyLeaderboard } from '../realtime/publish';
import { audit, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { countImport } from '../shared/metrics';
import type { ImportField } from '../../imports/mapping';
import { instantOf, type ParsedDate } from '../../imports/formats';
import { TZDate } from '@date-fns/tz';
import { statSync } from 'node:fs';
import {
	eachRecord,
	problemErrors,
	rowReader,
	scanSales,
	type FileProblem,
	type FileReading,
	type ImportError,
	type ParseOptions,
	type RowRead,
	type SaleGroup
} from './sales-csv';
import { openSource, type ImportSource, type OpenSource } from './source';
import { ParseThread, parseThreadEntry } from './parse-thread';
import { withFewerCheckpoints } from './checkpoints';
import { ReportSink, type ImportResult, type SinkState } from './report-sink';

export type { ImportResult } from './report-sink';
import { readSellerDirectory } from './sellers';
import { sqliteStore } from '../db/store';
import { m } from '../../paraglide/messages.js';
import type { Locale } from './wording';
import { CheapestRecent } from '../shared/cheapest-recent';
import { yieldToLoop } from '../shared/yield-to-loop';

const DRY_RUN = Symbol('dry run');

/** Which column of the file a refused sale's error is about, and what the report says. */
function refusal(
	group: ResolvedSale,
	error: AppError,
	locale: Locale | undefined,
	seasonName: () => string
): { column: ImportField; message: string; code: string } {
	const o = { locale };
	const sku = String((error.details as { sku?: string } | undefined)?.sku ?? '');
	// An external id already used for a different sale (scoring's idempotency check).
	if (error instanceof IdempotencyConflictError)
		return {
			column: 'externalId',
			message: m.import_sale_conflict({ id: group.externalId }, o),
			code: 'external_id_conflict'
		};
	if (error.code === 'unknown_sku')
		return { column: 'sku', message: m.import_sku_unknown({ sku }, o), code: error.code };
	if (error.code === 'inactive_sku')
		return { column: 'sku', message: m.import_sku_inactive({ sku }, o), code: error.code };
	if (error.code === 'in_the_future')
		return { column: 'occurredAt', message: m.import_date_future({}, o), code: error.code };
	if (error.code === 'outside_season')
		return {
			column: 'occurredAt',
			message: m.import_date_outside_season({ season: seasonName() }, o),
			code: error.code
		};
	// Scoring's own wording for what an import cannot cause (a seller gone since the file was read).
	return { column: 'sellerEmail', message: error.message, code: error.code };
}

export interface ImportReport {
	dryRun: boolean;
	/** Data rows in the file. */
	rows: number;
	/** Rows whose sale is (or would be) counted, or was already counted before. */
	accepted: number;
	rejected: number;
	/** Rows refused, by the reason of their first error (`required`, `unknown_sku`, …). */
	rejectedBy: Record<string, number>;
	sales: { new: number; duplicate: number; rejected: number };
	points: number;
	/** The first ERRORS_KEPT errors, in row order; errorsTotal counts them all. */
	errors: ImportError[];
	errorsTotal: number;
	/** The first RESULTS_KEPT rows' outcomes; resultsTotal (= rows) counts them all. */
	results: ImportResult[];
	resultsTotal: number;
	/** Every error as CSV on disk, when the import was asked to write it (a job's download). */
	errorsFile: string | null;
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

export interface ImportOptions extends ParseOptions {
	dryRun: boolean;
	actor: Actor;
	/** Sales per transaction (and per board update and badge evaluation), at most. */
	batchSize?: number;
	/**
	 * How long a window may take (default WINDOW_BUDGET_MS): fewer sales than `batchSize` when they
	 * take longer. null: always `batchSize` sales, so that two runs of one file write the same
	 * windows (tests that compare them row for row, ids included).
	 */
	windowMs?: number | null;
	clock?: Clock;
	onProgress?: (doneRows: number, totalRows: number) => void;
	/** Write every error to this CSV file as the import goes. */
	errorsFile?: string | null;
	/**
	 * Called with each window's checkpoint and its errors as CSV lines: inside the window's
	 * transaction (before its commit) when the import stores, after the window in a dry run. A
	 * job saves both there, so that what it saved and what the window stored commit together.
	 */
	onWindow?: (q: Queryable, checkpoint: ImportCheckpoint, errorsCsv: string) => void;
	/** Called with the report in the transaction that ends the import (with its audit entry). */
	onFinish?: (q: Queryable, report: ImportReport, errorsCsv: string) => void;
	/** Go on from this checkpoint: rows up to `checkpoint.rows` were handled, and counted in it. */
	resume?: ImportCheckpoint | null;
	/**
	 * The parse thread's entry (parse-thread.ts), null to read the rows inline; by default the
	 * one the server set (useParseThread).
	 */
	parseThread?: string | null;
}

/** Where an import stands after a window: rows handled, the totals and the report so far. */
export interface ImportCheckpoint {
	rows: number;
	totals: Totals;
	sink: SinkState;
}

/**
 * Imports sales from CSV (one line per sale line), streaming: the file is read once to learn
 * its rows and how it writes dates and amounts, then again in windows of up to `batchSize`
 * sales, each recorded in one transaction (one board update and one badge evaluation per
 * batch), so memory stays the same for a million rows as for a thousand. A dry run scores every
 * sale through the same code path inside transactions that are rolled back, so its points are
 * exact. Idempotent by external id: a re-upload counts nothing twice.
 *
 * Lines of one sale are grouped within a window: exports write a sale's lines together. A line
 * of a sale already recorded in an earlier window is a sale of its own under the same id, so it
 * is refused as a conflict (or counted as a duplicate if it is the same line): never counted twice.
 */
export async function importSales(
	db: Db,
	input: string | ImportSource,
	options: ImportOptions
): Promise<ImportReport> {
	const source = await openSource(typeof input === 'string' ? { text: input } : input);
	const thread = parseThreadFor(input, options);
	try {
		return await importSource(db, source, thread, options);
	} finally {
		thread?.close();
	}
}

async function importSource(
	db: Db,
	source: OpenSource,
	thread: ParseThread | null,
	options: ImportOptions
): Promise<ImportReport> {
	const clock = options.clock ?? systemClock;
	const scan = thread
		? await thread.scan(source.chunks(), parseOptions(options))
		: await scanSales(source.chunks(), options);
	const resume = scan.problem ? null : (options.resume ?? null);
	const sink = new ReportSink(options.errorsFile ?? null, {
		collect: Boolean(options.onWindow || options.onFinish),
		state: resume?.sink
	});
	try {
		const totals = scan.problem
			? refuseFile(sink, scan.rows, scan.problem, options)
			: await importRows(db, source, thread, scan, sink, options, clock, resume);
		sink.close();
		const rejected = sink.rejectedRows;
		const report: ImportReport = {
			dryRun: options.dryRun,
			rows: scan.rows,
			accepted: scan.rows - rejected,
			rejected,
			rejectedBy: sink.rejectedBy,
			sales: { new: totals.new, duplicate: totals.duplicate, rejected: totals.rejected },
			points: totals.points,
			errors: sink.errors,
			errorsTotal: sink.errorsTotal,
			results: sink.results,
			resultsTotal: sink.resultsTotal,
			errorsFile: sink.errorsFile,
			reading: scan.reading,
			problem: scan.problem
		};
		// The audit entry and the job's end in one transaction: a job resumed after a crash
		// between the two would otherwise write its audit entry twice.
		if ((!options.dryRun && totals.new > 0) || options.onFinish) {
			db.transaction((tx) => {
				if (!options.dryRun && totals.new > 0)
					audit(
						tx,
						options.actor,
						'sales.import',
						'sales',
						{
							rows: scan.rows,
							new: totals.new,
							duplicate: totals.duplicate,
							rejected: totals.rejected
						},
						clock()
					);
				options.onFinish?.(tx, report, sink.takeErrorsCsv());
			});
		}
		countImport({
			dryRun: options.dryRun,
			accepted: scan.rows - rejected,
			rejected,
			sales: totals
		});
		return report;
	} catch (error) {
		sink.discard();
		throw error;
	}
}

/**
 * Files smaller than this are read inline: starting a thread costs more than it can save on a
 * few thousand rows (one 64 KiB chunk leaves nothing to overlap at all).
 */
const THREAD_MIN_BYTES = 256 * 1024;

/** The import's parse thread, or null to read its rows inline. */
function parseThreadFor(input: string | ImportSource, options: ImportOptions): ParseThread | null {
	const entry = options.parseThread === undefined ? parseThreadEntry() : options.parseThread;
	if (entry === null) return null;
	const source = typeof input === 'string' ? { text: input } : input;
	// Characters for text: a lower bound of its bytes.
	const size =
		'text' in source
			? source.text.length
			: 'path' in source
				? statSync(source.path, { throwIfNoEntry: false })?.size
				: source.size;
	if (size !== undefined && size < THREAD_MIN_BYTES) return null;
	return new ParseThread(entry);
}

/** What the parse thread needs of the options (the rest holds functions and connections). */
function parseOptions(options: ImportOptions): ParseOptions {
	return {
		mapping: options.mapping,
		locale: options.locale,
		dateOrder: options.dateOrder,
		decimal: options.decimal
	};
}

export type Totals = { new: number; duplicate: number; rejected: number; points: number };

/** A file with a problem: every row refused with one message on row 0, nothing stored. */
function refuseFile(sink: ReportSink, rows: number, problem: FileProblem, options: ImportOptions) {
	sink.addErrors(problemErrors(problem, options.mapping, options.locale));
	sink.rejectRows(problem.code, rows);
	const results: ImportResult[] = [];
	for (let row = 1; row <= rows; row++) {
		if (results.length < 1000) results.push({ row, externalId: '', outcome: 'error' });
	}
	sink.addResults(results);
	sink.resultsTotal = rows;
	options.onProgress?.(rows, rows);
	return { new: 0, duplicate: 0, rejected: 0, points: 0 };
}

/** How long a window may hold the event loop, from its first row's check to its commit. */
const WINDOW_BUDGET_MS = 20;
/** The first window's sales, before any cost is known: ~10 ms on a quiet machine. */
const FIRST_WINDOW = 100;
/**
 * Sizes the windows by the time they take: as many sales as fit in WINDOW_BUDGET_MS at the
 * cheapest cost per sale of the last windows (CheapestRecent), never more than the import's
 * `batchSize`. A window runs from its first statement to its commit without yielding, so its
 * length is what a request arriving meanwhile waits: 500 sales took 45 ms at the median and up
 * to 82 ms on a quiet machine (bench:import, 100,000 rows, 2026-12-05), which held the loop's
 * p99 near 100 ms. The first window is FIRST_WINDOW sales, before any cost is known.
 */
class WindowSizer {
	size: number;
	private readonly cost = new CheapestRecent(Infinity);

	constructor(
		private readonly most: number,
		private readonly budgetMs: number | null
	) {
		this.size = budgetMs === null ? most : Math.min(most, FIRST_WINDOW);
	}

	took(ms: number, sales: number) {
		if (sales === 0 || this.budgetMs === null) return;
		this.cost.learn(ms / sales);
		const fits = Math.floor(this.budgetMs / Math.max(this.cost.value, 1e-3));
		this.size = Math.max(Math.min(this.most, 25), Math.min(this.most, fits));
	}
}

async function importRows(
	db: Db,
	source: OpenSource,
	thread: ParseThread | null,
	scan: Awaited<ReturnType<typeof scanSales>>,
	sink: ReportSink,
	options: ImportOptions,
	clock: Clock,
	resume: ImportCheckpoint | null
): Promise<Totals> {
	const batchSize = options.batchSize ?? 500;
	const windows = new WindowSizer(
		batchSize,
		options.windowMs === undefined ? WINDOW_BUDGET_MS : options.windowMs
	);
	const totals: Totals = resume
		? { ...resume.totals }
		: { new: 0, duplicate: 0, rejected: 0, points: 0 };
	// Who each seller cell names, and when each sale happened: a time without a zone is in the
	// seller's season's time zone; a date alone counts on that local day (from its start, or
	// from the season's start on its first day).
	const directory = await readSellerDirectory(sqliteStore(db));
	const seasons = new SaleLookups();
	// The sellers, seasons, catalogue and rules a window reads, kept for the next window while true.
	const windowLookups = new WindowLookups(db.$client);
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

	// The window: the sales read since the last batch, and the rows refused while reading.
	let groups = new Map<string, SaleGroup>();
	let refused: Extract<RowRead, { errors: ImportError[] }>[] = [];
	let badIds = new Map<string, number>();
	let windowRows = 0;
	let doneRows = resume?.rows ?? 0;

	const flush = () => {
		if (windowRows === 0) return;
		const started = performance.now();
		const sales = groups.size;
		const errors: ImportError[] = [];
		const results: ImportResult[] = [];
		const rejectedRow = new Map<number, string>();
		for (const r of refused) {
			errors.push(...r.errors);
			rejectedRow.set(r.row, r.errors[0].code);
			results.push({ row: r.row, externalId: r.externalId, outcome: 'error' });
		}
		// Errors name the file's own column, as the user mapped it.
		const rejectGroup = (group: SaleGroup, field: ImportField, message: string, code: string) => {
			const column = options.mapping?.[field] ?? field;
			const first = group.rows[0].row;
			const o = { locale: options.locale };
			for (const r of group.rows) {
				errors.push({
					row: r.row,
					column,
					message:
						r.row === first
							? message
							: m.import_sale_see_row({ message, id: group.externalId, row: first }, o),
					code
				});
				rejectedRow.set(r.row, code);
				results.push({ row: r.row, externalId: group.externalId, outcome: 'error' });
			}
		};

		// A sale with a bad line, or lines that disagree on seller or time, is rejected whole.
		const valid: ResolvedSale[] = [];
		groups: for (const group of groups.values()) {
			if (badIds.has(group.externalId)) {
				rejectGroup(
					group,
					'externalId',
					m.import_sale_invalid_line(
						{ id: group.externalId, row: badIds.get(group.externalId)! },
						{ locale: options.locale }
					),
					'invalid_line'
				);
				totals.rejected += 1;
				continue;
			}
			const resolved: { userId: number; occurredAt: number }[] = [];
			for (const r of group.rows) {
				const found = directory.find(r.seller);
				if ('error' in found) {
					rejectGroup(
						group,
						'sellerEmail',
						found.error(options.mapping?.sellerEmail ?? 'sellerEmail', options.locale),
						found.code
					);
					totals.rejected += 1;
					continue groups;
				}
				resolved.push({ userId: found.userId, occurredAt: instant(r.occurredAt, found.userId) });
			}
			const [first] = resolved;
			const mismatch = resolved.find(
				(r) => r.userId !== first.userId || r.occurredAt !== first.occurredAt
			);
			if (mismatch) {
				rejectGroup(
					group,
					mismatch.userId !== first.userId ? 'sellerEmail' : 'occurredAt',
					m.import_sale_disagree({ id: group.externalId }, { locale: options.locale }),
					'lines_disagree'
				);
				totals.rejected += 1;
			} else valid.push({ ...group, ...first });
		}
		const batch = valid;
		const now = clock();
		const touched = new Set<number>();
		let created = 0;
		let decided: DecidedAwards | undefined;
		let lookups: SaleLookups;
		// Standings, days and versions: written once per window, not once per sale; the sales'
		// own rows many per statement (a window holds each sale once: its lines are grouped).
		const writes = new WriteBatch({ rows: true });
		const outcomes: {
			group: ResolvedSale;
			outcome: 'new' | 'duplicate' | 'error';
			points?: number;
			error?: AppError;
		}[] = [];
		// What the window's outcomes add to the totals and the report; in the window's transaction
		// when it stores, so that the checkpoint saved with it says exactly what it stored.
		const settle = (q: Queryable) => {
			for (const o of outcomes) {
				if (o.outcome === 'error') {
					const { column, message, code } = refusal(
						o.group,
						o.error!,
						options.locale,
						() => seasons.seasonOf(q, o.group.userId).season?.name ?? ''
					);
					rejectGroup(o.group, column, message, code);
					totals.rejected += 1;
					continue;
				}
				totals[o.outcome] += 1;
				if (o.outcome === 'new') totals.points += o.points ?? 0;
				o.group.rows.forEach((r, i) =>
					results.push({
						row: r.row,
						externalId: o.group.externalId,
						outcome: o.outcome,
						points: i === 0 ? o.points : undefined
					})
				);
			}
			// Every data row has exactly one outcome: counted (new or duplicate) or refused.
			for (const code of rejectedRow.values()) sink.rejectRows(code);
			sink.addErrors(errors.sort((a, b) => a.row - b.row));
			sink.addResults(results.sort((a, b) => a.row - b.row));
			doneRows += windowRows;
			options.onWindow?.(
				q,
				{ rows: doneRows, totals: { ...totals }, sink: sink.state() },
				sink.takeErrorsCsv()
			);
		};
		try {
			withFewerCheckpoints(db.$client, () =>
				db.transaction(
					(tx) => {
						lookups = windowLookups.take();
						// The window's sellers and their seasons in two queries, not two a seller.
						lookups.prefetch(
							tx,
							batch.map((group) => group.userId)
						);
						// Which of its ids were sent before, in one query, not one a sale.
						lookups.prefetchReplays(
							tx,
							batch.map((group) => group.externalId)
						);
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
											// The first line that states the customer speaks for the sale.
											customerRef: group.rows.find((r) => r.customerRef)?.customerRef ?? null,
											createdById: options.actor.userId ?? null
										},
										now,
										lookups,
										writes
									)
								);
								outcomes.push({
									group,
									outcome: recorded.created ? 'new' : 'duplicate',
									points: recorded.sale.points
								});
								if (recorded.created) {
									created += 1;
									touched.add(recorded.seasonId);
								}
							} catch (error) {
								if (!(error instanceof AppError)) throw error;
								outcomes.push({ group, outcome: 'error', error });
							}
						}
						writes.finish(tx, now);
						if (options.dryRun) throw DRY_RUN;
						// The window's badges before its commit, not in a second transaction and commit.
						if (created > 0)
							decided = decideAwardsInTx(tx, now, created, undefined, writes.rows!.entries);
						settle(tx);
					},
					{ behavior: 'immediate' }
				)
			);
		} catch (error) {
			if (error !== DRY_RUN) {
				windowLookups.drop();
				throw error;
			}
			settle(db);
		}
		windowLookups.ended();
		if (!options.dryRun) {
			for (const seasonId of touched) notifyLeaderboard(seasonId);
			if (decided) publishDecided(db, decided, clock);
		}
		windows.took(performance.now() - started, sales);
		options.onProgress?.(doneRows, scan.rows);
		groups = new Map();
		refused = [];
		badIds = new Map();
		windowRows = 0;
	};

	options.onProgress?.(doneRows, scan.rows);
	/** Adds a row to the window; true when the window before it was written first. */
	const take = (r: RowRead | null): boolean => {
		// Rows a resumed import handled before: read (to keep the count) but left alone.
		if (!r || r.row <= (resume?.rows ?? 0)) return false;
		const id = 'value' in r ? r.value.externalId : r.externalId;
		// A new sale (or a row of none) starts a new batch when this one is full.
		const known = id !== '' && (groups.has(id) || badIds.has(id));
		const size = windows.size;
		const full = !known && (groups.size >= size || windowRows >= 4 * size);
		if (full) flush();
		windowRows += 1;
		if ('value' in r) {
			const group = groups.get(id) ?? { externalId: id, rows: [] };
			group.rows.push(r.value);
			groups.set(id, group);
		} else {
			refused.push(r);
			if (id && !badIds.has(id)) badIds.set(id, r.row);
		}
		return full;
	};
	if (thread) {
		// The thread reads the next chunks' rows while the windows of these are written.
		// The loop turns after each window: a chunk's rows can fill more than one, and the next
		// chunk's rows, often waiting already, would otherwise follow in a microtask.
		await thread.rows(source.chunks(), parseOptions(options), scan, async (reads) => {
			for (const r of reads) if (take(r)) await yieldToLoop();
		});
	} else {
		const read = rowReader(scan, options);
		await eachRecord(
			source.chunks(),
			(record, line, unreadable) => take(read(record, line, unreadable)),
			scan.delimiter,
			options.locale
		);
	}
	flush();
	return totals;
}
