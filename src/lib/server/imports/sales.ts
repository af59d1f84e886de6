import type { Db } from '../db';
import {
	IdempotencyConflictError,
	planSaleInWrite,
	readDaysAheadInWrite,
	writeSaleInWrite,
	type PlannedSale,
	type RecordedSale,
	type RecordSaleInput
} from '../scoring/sales';
import { SaleLookups } from '../scoring/sale-lookups';
import { WindowLookups } from './window-lookups';
import { WriteBatch } from '../scoring/write-batch';
import type { HeldEntry } from '../scoring/sale-rows';
import { markStandingsMoved } from '../scoring/standings';
import { publishSaleAwards, saleAwardsInWrite } from '../scoring/sale-awards';
import { AppError } from '../shared/errors';
import type { DecidedAwards } from '../badges/awards';
import { notifyLeaderboard } from '../realtime/publish';
import { auditInWrite, type Actor } from '../audit/record';
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
import { withFewerCheckpoints } from '../db/window-checkpoints';
import { ReportSink, type ImportResult, type SinkState } from './report-sink';
import { halvesOf, type WindowRows } from './window-halves';

export type { ImportResult } from './report-sink';
import { readSellerDirectory, type SellerDirectory } from './sellers';
import {
	claimSeasonsInWrite,
	read,
	sqliteStore,
	write,
	type Store,
	type StoreDb
} from '../db/store';
import { m } from '../../paraglide/messages.js';
import type { Locale } from './wording';
import { CheapestRecent } from '../shared/cheapest-recent';

const DRY_RUN = Symbol('dry run');
/** A window lost its write to another writer and is written in halves (window-halves.ts). */
const CONTENDED = Symbol('contended');

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
	 * write (before its commit) when the import stores, in a write of its own after the window
	 * in a dry run. A job saves both there, so that what it saved and what the window stored
	 * commit together. Same rules as any write's step (db/store.ts): await nothing but `tx`.
	 */
	onWindow?: (tx: StoreDb, checkpoint: ImportCheckpoint, errorsCsv: string) => void | Promise<void>;
	/** Called with the report in the write that ends the import (with its audit entry). */
	onFinish?: (tx: StoreDb, report: ImportReport, errorsCsv: string) => Promise<void>;
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
 * sales, each recorded in one write (one board update and one badge evaluation per
 * batch), so memory stays the same for a million rows as for a thousand. A dry run scores every
 * sale through the same code path inside transactions that are rolled back, so its points are
 * exact. Idempotent by external id: a re-upload counts nothing twice.
 *
 * Lines of one sale are grouped within a window: exports write a sale's lines together. A line
 * of a sale already recorded in an earlier window is a sale of its own under the same id, so it
 * is refused as a conflict (or counted as a duplicate if it is the same line): never counted twice.
 *
 * On a SQLite connection (the tests' and benches' way in); importSalesOn takes a store.
 */
export async function importSales(
	db: Db,
	input: string | ImportSource,
	options: ImportOptions
): Promise<ImportReport> {
	return importSalesOn(sqliteStore(db), input, options);
}

/**
 * importSales on either dialect, one body for both: each window is one write() whose sales are
 * recorded by planSaleInWrite and writeSaleInWrite, as a group of API sales is
 * (scoring/group-commit.ts), their rows held and written many per statement when it ends; a
 * refused sale is refused before it writes anything, leaving the others.
 */
export async function importSalesOn(
	store: Store,
	input: string | ImportSource,
	options: ImportOptions
): Promise<ImportReport> {
	const source = await openSource(typeof input === 'string' ? { text: input } : input);
	const thread = parseThreadFor(input, options);
	try {
		return await importSource(store, source, thread, options);
	} finally {
		thread?.close();
	}
}

async function importSource(
	store: Store,
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
			: await importRows(store, source, thread, scan, sink, options, clock, resume);
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
		// The audit entry and the job's end in one write: a job resumed after a crash between
		// the two would otherwise write its audit entry twice.
		const audited = !options.dryRun && totals.new > 0;
		if (audited || options.onFinish) {
			const errorsCsv = sink.takeErrorsCsv();
			await write(store, async (tx) => {
				if (audited)
					await auditInWrite(
						tx,
						store,
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
				await options.onFinish?.(tx, report, errorsCsv);
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

/**
 * How long a window may hold the event loop, from its first row's check to its commit, at the
 * cheapest recent cost per sale: windows run past it (their commit's pages, a checkpoint), and at
 * 20 the loop's p99 was 45–54 ms on a quiet machine, at 16 36–41 ms for the same rows/s, at 12
 * 33–36 ms with 10–15 % fewer rows/s (docs/benchmarks.md, "Quiet-machine figures (2026-12-07,
 * 20:32–").
 */
const WINDOW_BUDGET_MS = 16;
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

/** Whether two cells of a file's date column say the same (in one zone: the same instant). */
function sameDate(a: ParsedDate, b: ParsedDate): boolean {
	if (a.kind === 'instant' || b.kind === 'instant') return a.kind === b.kind && a.ms === b.ms;
	return (
		a.year === b.year &&
		a.month === b.month &&
		a.day === b.day &&
		a.hour === b.hour &&
		a.minute === b.minute &&
		a.second === b.second &&
		a.ms === b.ms &&
		a.dateOnly === b.dateOnly
	);
}

/** A sale of a window, as scoring records it. */
function saleInput(group: ResolvedSale, options: ImportOptions): RecordSaleInput {
	return {
		source: 'import',
		externalId: group.externalId,
		seller: { userId: group.userId },
		occurredAt: group.occurredAt,
		lines: group.rows.map((r) => ({ sku: r.sku, quantity: r.quantity, unitPrice: r.unitPrice })),
		// The first line that states the customer speaks for the sale.
		customerRef: group.rows.find((r) => r.customerRef)?.customerRef ?? null,
		createdById: options.actor.userId ?? null
	};
}

interface WindowOutcome {
	group: ResolvedSale;
	outcome: 'new' | 'duplicate' | 'error';
	points?: number;
	error?: AppError;
}

/** A window's sales as recorded inside its write, before its badges and commit. */
interface RecordedWindow {
	outcomes: WindowOutcome[];
	/** The seasons whose boards a new sale changed. */
	touched: Set<number>;
	created: number;
	writes: WriteBatch;
}

/**
 * Notes a sale's outcome. A sale sent before (through the API or an import: one id space)
 * comes back as not created and is reported a duplicate, counted once.
 */
function noteRecorded(window: RecordedWindow, group: ResolvedSale, recorded: RecordedSale) {
	window.outcomes.push({
		group,
		outcome: recorded.created ? 'new' : 'duplicate',
		points: recorded.sale.points
	});
	if (recorded.created) {
		window.created += 1;
		window.touched.add(recorded.seasonId);
	}
}

/** A refused sale's outcome; any other error fails the window. */
function noteRefused(window: RecordedWindow, group: ResolvedSale, error: unknown) {
	if (!(error instanceof AppError)) throw error;
	window.outcomes.push({ group, outcome: 'error', error });
}

/**
 * The window's sales as a group of API sales is recorded (scoring/group-commit.ts), awaited in
 * the write: each planned first (planSaleInWrite: its refusal comes before anything of it is
 * written, so it needs no savepoint: two statements fewer a sale, two round trips on
 * PostgreSQL), then written (writeSaleInWrite). Its sellers with their seasons, and which of its
 * ids were sent before, are read in a few statements, not a few a sale; on PostgreSQL the
 * sellers' days too (readDaysAheadInWrite). Their rows are held and written many per statement
 * when the window ends (sale-rows.ts), their ids drawn in one statement for the sales not sent
 * before (PostgreSQL's sequences, SQLite's next ids).
 */
async function recordWindowInWrite(
	tx: StoreDb,
	store: Store,
	lookups: SaleLookups,
	batch: ResolvedSale[],
	now: number,
	options: ImportOptions
): Promise<RecordedWindow> {
	const window: RecordedWindow = {
		outcomes: [],
		touched: new Set(),
		created: 0,
		writes: new WriteBatch({ rows: true })
	};
	await lookups.prefetchInWrite(
		tx,
		store,
		batch.map((group) => group.userId)
	);
	await lookups.prefetchReplaysInWrite(
		tx,
		store,
		batch.map((group) => group.externalId)
	);
	const inputs = batch.map((group) => saleInput(group, options));
	await readDaysAheadInWrite(tx, store, inputs, lookups, window.writes);
	const fresh = batch.filter((group) => !lookups.mayBeReplay('import', group.externalId));
	await window.writes.rows!.drawInWrite(
		tx,
		store,
		fresh.length,
		fresh.reduce((lines, group) => lines + group.rows.length, 0)
	);
	for (const [n, group] of batch.entries()) {
		let planned: PlannedSale;
		try {
			planned = await planSaleInWrite(tx, store, inputs[n], now, lookups, window.writes);
		} catch (error) {
			noteRefused(window, group, error);
			continue;
		}
		noteRecorded(
			window,
			group,
			'replay' in planned
				? planned.replay
				: await writeSaleInWrite(tx, store, planned, now, lookups, window.writes)
		);
	}
	await window.writes.finishInWrite(tx, store, now);
	return window;
}

/**
 * How long the import leaves the seasons to other writers after a window that claimed them: the
 * sales that waited for it lost their write and run again after a random pause (2-4 ms at first,
 * doubling: db/store.ts). Without it the next window's claim often came first, and a node selling
 * every 20 ms lost all ten attempts of a sale's write in one run of four.
 */
const AFTER_CLAIM_MS = 20;

/**
 * The window's badges, in its write before its commit, not in a second write; on both dialects
 * the sales' step (a failure of it leaves the window's sales to commit, as a group's).
 */
async function windowAwardsInWrite(
	tx: StoreDb,
	store: Store,
	window: RecordedWindow,
	now: number
): Promise<DecidedAwards | null> {
	if (window.created === 0) return null;
	return saleAwardsInWrite(tx, store, now, heldOf(window));
}

const heldOf = (window: RecordedWindow): readonly HeldEntry[] =>
	window.writes.rows?.entries ?? window.writes.entries;

/** The window's write, with fewer WAL checkpoints on SQLite (db/window-checkpoints.ts). */
function windowWrite<T>(store: Store, work: (tx: StoreDb) => Promise<T>): Promise<T> {
	return withFewerCheckpoints(store, () => write(store, work));
}

/** The sellers a window's rows name (those the directory knows). */
function sellersOf(groups: Iterable<SaleGroup>, directory: SellerDirectory): number[] {
	const ids: number[] = [];
	for (const group of groups)
		for (const r of group.rows) {
			const found = directory.find(r.seller);
			if (!('error' in found)) ids.push(found.userId);
		}
	return ids;
}

async function importRows(
	store: Store,
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
	const directory = await readSellerDirectory(store);
	const seasons = new SaleLookups();
	// Each window's sellers' seasons are read before it (seasons.prefetchInWrite), those not met
	// in a window before (`met`).
	const met = new Set<number>();
	const seasonOf = (userId: number) => seasons.prefetchedSeasonOf(userId);
	// The sellers, seasons, catalogue and rules a window reads, kept for the next window while
	// true (window-lookups.ts: SQLite's by its connection's counters, PostgreSQL's by a stamp).
	const windowLookups = new WindowLookups();
	const instant = (date: ParsedDate, userId: number) => {
		const season = seasonOf(userId);
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

	const writeWindow = async (window: WindowRows): Promise<void> => {
		const { groups, refused, badIds, rows: windowRows } = window;
		const totalsBefore = { ...totals };
		// A read of the sellers not met before: none after the first windows, and then no read
		// (its BEGIN and COMMIT were two round trips of each window on PostgreSQL).
		const unmet = sellersOf(groups.values(), directory).filter((id) => !met.has(id));
		if (unmet.length > 0) {
			await read(store, (tx) => seasons.prefetchInWrite(tx, store, unmet));
			for (const id of unmet) met.add(id);
		}
		// The time the window takes, its write's turn of the loop left out: what sizes the next.
		let started = performance.now();
		const sales = groups.size;
		const errors: ImportError[] = [];
		const results: ImportResult[] = [];
		let rejectedRow = new Map<number, string>();
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
			// The first line's seller and time, and the first line that disagrees with it.
			let sale: ResolvedSale | undefined;
			let disagrees: 'sellerEmail' | 'occurredAt' | undefined;
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
				if (!sale) {
					const occurredAt = instant(r.occurredAt, found.userId);
					sale = {
						externalId: group.externalId,
						rows: group.rows,
						userId: found.userId,
						occurredAt
					};
				} else if (disagrees) continue;
				else if (found.userId !== sale.userId) disagrees = 'sellerEmail';
				// A line written as the first one is at the same instant: the zone's arithmetic once.
				else if (
					!sameDate(r.occurredAt, group.rows[0].occurredAt) &&
					instant(r.occurredAt, found.userId) !== sale.occurredAt
				)
					disagrees = 'occurredAt';
			}
			if (disagrees) {
				rejectGroup(
					group,
					disagrees,
					m.import_sale_disagree({ id: group.externalId }, { locale: options.locale }),
					'lines_disagree'
				);
				totals.rejected += 1;
			} else valid.push(sale!);
		}
		const batch = valid;
		const now = clock();
		const spent = performance.now() - started;
		// What the window's outcomes add to the totals and the report, and the checkpoint that
		// says so; in the window's write when it stores, so that the checkpoint saved with it
		// says exactly what it stored.
		const settle = (outcomes: WindowOutcome[]) => {
			// Past the results the report keeps, the counted rows are only counted.
			const keeps = sink.keepsResults();
			let counted = 0;
			for (const o of outcomes) {
				if (o.outcome === 'error') {
					const { column, message, code } = refusal(
						o.group,
						o.error!,
						options.locale,
						() => seasonOf(o.group.userId)?.name ?? ''
					);
					rejectGroup(o.group, column, message, code);
					totals.rejected += 1;
					continue;
				}
				totals[o.outcome] += 1;
				if (o.outcome === 'new') totals.points += o.points ?? 0;
				if (!keeps) {
					counted += o.group.rows.length;
					continue;
				}
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
			sink.addErrors([...errors].sort((a, b) => a.row - b.row));
			sink.addResults(keeps ? [...results].sort((a, b) => a.row - b.row) : results, counted);
			doneRows += windowRows;
			const checkpoint = { rows: doneRows, totals: { ...totals }, sink: sink.state() };
			return { checkpoint, errorsCsv: sink.takeErrorsCsv() };
		};
		// On PostgreSQL a write that conflicts with another runs again (db/store.ts): what its
		// first run settled is undone first.
		const before = {
			totals: { ...totals },
			doneRows,
			errors: errors.length,
			results: results.length,
			rejectedRow: new Map(rejectedRow),
			sink: sink.mark()
		};
		const undo = () => {
			Object.assign(totals, before.totals);
			doneRows = before.doneRows;
			errors.length = before.errors;
			results.length = before.results;
			rejectedRow = new Map(before.rejectedRow);
			sink.restore(before.sink);
		};
		let recorded: RecordedWindow | undefined;
		let decided: DecidedAwards | null = null;
		let runs = 0;
		let halves: WindowRows[] | null = null;
		// Whether the run got past claiming its seasons: a loss before that wrote nothing.
		let worked = false;
		let claimed = false;
		try {
			await windowWrite(store, async (tx) => {
				if (runs++ > 0) {
					undo();
					// It lost to another writer (PostgreSQL): in two shorter writes if it can be cut,
					// else again, claiming its seasons first.
					if (worked && (halves = halvesOf(window))) throw CONTENDED;
					worked = false;
				}
				started = performance.now();
				// On PostgreSQL (SQLite's writes never lose, and run once).
				if (window.contended || runs > 1) {
					await claimSeasonsInWrite(tx, store);
					claimed = true;
				}
				worked = true;
				// Taken inside the write, before its first read (window-lookups.ts).
				const lookups = await windowLookups.takeInWrite(
					tx,
					store,
					batch.map((group) => group.userId)
				);
				recorded = await recordWindowInWrite(tx, store, lookups, batch, now, options);
				if (options.dryRun) throw DRY_RUN;
				decided = await windowAwardsInWrite(tx, store, recorded, now);
				const { checkpoint, errorsCsv } = settle(recorded.outcomes);
				await options.onWindow?.(tx, checkpoint, errorsCsv);
				windowLookups.ended(store);
			});
		} catch (error) {
			if (error === CONTENDED) {
				Object.assign(totals, totalsBefore);
				for (const half of halves!) await writeWindow(half);
				return;
			}
			if (error !== DRY_RUN) {
				windowLookups.drop();
				throw error;
			}
			// A dry run's window was rolled back; its checkpoint is saved on its own.
			const { checkpoint, errorsCsv } = settle(recorded!.outcomes);
			if (options.onWindow)
				await write(store, async (tx) => options.onWindow!(tx, checkpoint, errorsCsv));
			windowLookups.ended(store);
		}
		if (!options.dryRun && recorded) {
			markStandingsMoved(recorded.writes.moved);
			for (const seasonId of recorded.touched) notifyLeaderboard(seasonId);
			if (decided) publishSaleAwards(store, decided, clock);
		}
		windows.took(spent + performance.now() - started, sales);
		options.onProgress?.(doneRows, scan.rows);
		// The sales that waited for its claim run again now, before the next window.
		if (claimed) await new Promise((resolve) => setTimeout(resolve, AFTER_CLAIM_MS));
	};

	/** Writes the window read so far; the rows that follow start the next one meanwhile. */
	const flush = (): Promise<void> | null => {
		if (windowRows === 0) return null;
		const window: WindowRows = { groups, refused, badIds, rows: windowRows };
		groups = new Map();
		refused = [];
		badIds = new Map();
		windowRows = 0;
		return writeWindow(window);
	};

	options.onProgress?.(doneRows, scan.rows);
	/**
	 * Adds a row to the window; when the window before it is full, writes that one first and
	 * returns its write, which the reading waits for.
	 */
	const take = (r: RowRead | null): Promise<void> | null => {
		// Rows a resumed import handled before: read (to keep the count) but left alone.
		if (!r || r.row <= (resume?.rows ?? 0)) return null;
		const id = 'value' in r ? r.value.externalId : r.externalId;
		// A new sale (or a row of none) starts a new batch when this one is full.
		const known = id !== '' && (groups.has(id) || badIds.has(id));
		const size = windows.size;
		const full = !known && (groups.size >= size || windowRows >= 4 * size);
		const written = full ? flush() : null;
		windowRows += 1;
		if ('value' in r) {
			const group = groups.get(id) ?? { externalId: id, rows: [] };
			group.rows.push(r.value);
			groups.set(id, group);
		} else {
			refused.push(r);
			if (id && !badIds.has(id)) badIds.set(id, r.row);
		}
		return written;
	};
	if (thread) {
		// The thread reads the next chunks' rows while the windows of these are written. The
		// loop turns before each window (write()'s hop): a chunk's rows can fill more than one.
		await thread.rows(source.chunks(), parseOptions(options), scan, async (reads) => {
			for (const r of reads) await take(r);
		});
	} else {
		const readRow = rowReader(scan, options);
		await eachRecord(
			source.chunks(),
			(record, line, unreadable) => take(readRow(record, line, unreadable)),
			scan.delimiter,
			options.locale
		);
	}
	await flush();
	return totals;
}
