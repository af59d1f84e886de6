import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { and, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import { importSalesOn, type ImportCheckpoint, type ImportReport } from './sales';
import type { ParseOptions } from './sales-csv';
import type { ImportSource } from './source';
import { ERRORS_CSV_HEADER, type SinkState } from './report-sink';
import { dropOrphanUploadsInWrite, dropUpload, storeText, uploadSource } from './upload';
import { systemClock, type Clock } from '../shared/clock';
import { AppError, conflict } from '../shared/errors';
import { log } from '../shared/log';
import { writeCsv } from '../../csv';
import type { Encoding } from '../../imports/formats';
import type { Locale } from './wording';

// Sales imports committed from the console, and large (or `async=1`) API imports, run in the
// background so that a large file never holds a request open; the page or the client polls the
// job. A small API import runs as a job too and is awaited, so that its full error list can be
// downloaded afterwards.
//
// A job is a row of import_job, so that any node answers a poll and a restart forgets nothing:
// its progress, its checkpoint and its errors (import_job_error, the download) are written in
// each window's transaction, with the sales the window stored. Its file is an upload stored in
// the database (upload.ts). The process that runs a job holds it and renews its heartbeat; when
// a process dies (a crash, SIGKILL, a lost machine) its heartbeat stops, and a process that
// starts, or the periodic check of a running one (resumeImportJobs), takes the job over and
// goes on from the stored file and the last checkpoint.
//
// Why resume from the checkpoint rather than import the file again from its start: an import
// recognises a sale it recorded before by its external id (scoring's idempotency, one id space
// for the API and imports), so a second run would count no sale twice, but it would report
// those sales as duplicates, not as new, and its totals, points and audit entry would differ
// from one uninterrupted run. The checkpoint commits with its window, so the rows up to it were
// stored exactly once and are counted in it; the run goes on from the next row, where the
// uninterrupted run started its next window too. External ids stay the safety net.
//
// A finished job is kept for JOB_TTL_MS (its report and error download), then removed with
// its errors; its upload goes as soon as it has finished.

const JOB_TTL_MS = 60 * 60 * 1000;
/** How many per-row results a page or a poll carries; the rest is counted. */
const RESULTS_SHOWN = 500;
/** How long a holder's heartbeat lasts: IMPORT_JOB_LEASE_MS (tests shorten it). */
export const importJobLeaseMs = () => Number(process.env.IMPORT_JOB_LEASE_MS) || 30_000;
const leaseMs = importJobLeaseMs;

export type JobStatus = 'running' | 'done' | 'failed';

/** Who started a job: a signed-in person or an API token. Only they can see it. */
export type JobOwner = { userId: number } | { tokenId: number };

/** A job as a poll sees it (read from the database). */
export interface ImportJob {
	id: string;
	dryRun: boolean;
	/** One exclusive (background) job per owner runs at a time. */
	exclusive: boolean;
	status: JobStatus;
	/** Data rows of the file handled so far, and in all. */
	done: number;
	total: number;
	report: ImportReport | null;
	error: string | null;
	startedAt: number;
	finishedAt: number | null;
}

/** A job this process has just started: it settles `finished` when it has run. */
export interface StartedJob extends ImportJob {
	/** Settles when the job has finished here, whether it succeeded or failed. */
	finished: Promise<void>;
	/** What the job failed with (an AppError when the file turned out not to be text). */
	failure: unknown;
}

/** How the job reads its file, kept with it so that another process can run it again. */
interface JobOptions {
	mapping?: ParseOptions['mapping'];
	locale?: Locale;
	dateOrder?: ParseOptions['dateOrder'];
	decimal?: ParseOptions['decimal'];
	encoding?: Encoding | null;
	batchSize?: number;
}

/** A report cut to what a page shows: at most RESULTS_SHOWN results and the errors kept. */
export type ReportView = Omit<ImportReport, 'errorsFile'> & {
	/** The errors shown, as a file to download; null when there are none. */
	errorsCsv: string | null;
	/** Every error, as a file to download, when there are more than are shown. */
	errorsUrl: string | null;
};

export function reportView(report: ImportReport, jobId: string | null = null): ReportView {
	// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a server path is not for pages
	const { errorsFile, ...rest } = report;
	return {
		...rest,
		results: report.results.slice(0, RESULTS_SHOWN),
		errorsCsv: report.errors.length === 0 ? null : errorsCsv(report),
		errorsUrl:
			jobId && report.errorsTotal > report.errors.length
				? `/manage/import/jobs/${jobId}/errors.csv`
				: null
	};
}

// This process's name as a holder. The app is bundled more than once (SvelteKit's server,
// server.ts), so it lives on globalThis, like the scheduler's: every copy is the same holder.
const STATE = Symbol.for('honorboard.import-jobs');
function processHolder(): string {
	const holder = globalThis as { [STATE]?: string };
	holder[STATE] ??= `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
	return holder[STATE];
}

/** Another process took the job over (this one was too slow to renew): stop, store nothing. */
class JobLost extends Error {}

const ownerWhere = (importJob: Tables['importJob'], owner: JobOwner) =>
	'userId' in owner
		? eq(importJob.ownerUserId, owner.userId)
		: eq(importJob.ownerTokenId, owner.tokenId);

type JobRow = Tables['importJob']['$inferSelect'];

function toJob(row: JobRow): ImportJob {
	return {
		id: row.id,
		dryRun: row.dryRun,
		exclusive: row.exclusive,
		status: row.status,
		done: row.done,
		total: row.total,
		report: (row.report as ImportReport | null) ?? null,
		error: row.error,
		startedAt: row.startedAt,
		finishedAt: row.finishedAt
	};
}

/** Removes finished jobs (with their errors) past JOB_TTL_MS, and uploads no job took. */
export async function pruneImportJobs(store: Store, now: number): Promise<void> {
	const { importJob } = store.tables;
	await write(store, async (tx) => {
		await tx
			.delete(importJob)
			.where(and(isNotNull(importJob.finishedAt), lt(importJob.finishedAt, now - JOB_TTL_MS)));
		await dropOrphanUploadsInWrite(tx, store, now - JOB_TTL_MS);
	});
}

/**
 * Starts an import in the background and returns the job at once. One exclusive import per
 * owner: a second one is refused until the first has finished, whichever node started it. Text
 * (the console's form) is stored as an upload first when the job runs in the background, so
 * that it can be resumed; an upload (`uploadId`) becomes the job's, deleted when the job has
 * finished.
 */
export async function startImportJob(
	store: Store,
	input: string | { uploadId: number; encoding?: Encoding | null },
	options: ParseOptions & {
		owner: JobOwner;
		dryRun?: boolean;
		exclusive?: boolean;
		batchSize?: number;
		clock?: Clock;
	}
): Promise<StartedJob> {
	const { importJob } = store.tables;
	const clock = options.clock ?? systemClock;
	const exclusive = options.exclusive ?? true;
	const now = clock();
	await pruneImportJobs(store, now);
	const jobOptions: JobOptions = {
		mapping: options.mapping,
		locale: options.locale,
		dateOrder: options.dateOrder,
		decimal: options.decimal,
		encoding: typeof input === 'string' ? 'utf-8' : (input.encoding ?? null),
		batchSize: options.batchSize
	};
	const id = randomBytes(12).toString('hex');
	// The check and the insert in one write: two nodes cannot both start one.
	const row = await write(store, async (tx) => {
		if (exclusive) {
			const [running] = await tx
				.select({ id: importJob.id })
				.from(importJob)
				.where(
					and(
						ownerWhere(importJob, options.owner),
						eq(importJob.exclusive, true),
						eq(importJob.status, 'running')
					)
				)
				.limit(1);
			if (running)
				throw conflict(
					'import_running',
					'Your previous import is still running: wait for it to finish.'
				);
		}
		const [inserted] = await tx
			.insert(importJob)
			.values({
				id,
				ownerUserId: 'userId' in options.owner ? options.owner.userId : null,
				ownerTokenId: 'tokenId' in options.owner ? options.owner.tokenId : null,
				dryRun: options.dryRun ?? false,
				exclusive,
				options: jobOptions as Record<string, unknown>,
				uploadId: typeof input === 'string' ? null : input.uploadId,
				status: 'running',
				startedAt: now,
				holder: processHolder(),
				heartbeatAt: now
			})
			.returning();
		return inserted;
	});
	let source: ImportSource;
	if (typeof input !== 'string')
		source = await uploadSource(store, input.uploadId, jobOptions.encoding!);
	else if (exclusive) {
		// A background job outlives the request: its file must be there for whoever resumes it.
		const uploadId = await storeText(store, input, now);
		await write(store, (tx) => tx.update(importJob).set({ uploadId }).where(eq(importJob.id, id)));
		row.uploadId = uploadId;
		source = await uploadSource(store, uploadId, 'utf-8');
	} else source = { text: input };
	const job: StartedJob = { ...toJob(row), finished: Promise.resolve(), failure: null };
	job.finished = runJob(store, row, source, clock, job);
	return job;
}

/** Runs a job this process holds, from its checkpoint; `job` (if given) follows it in memory. */
async function runJob(
	store: Store,
	row: JobRow,
	source: ImportSource,
	clock: Clock,
	job?: StartedJob
): Promise<void> {
	const { importJob, importJobError } = store.tables;
	const holder = processHolder();
	const options = row.options as JobOptions;
	const mine = and(
		eq(importJob.id, row.id),
		eq(importJob.holder, holder),
		eq(importJob.status, 'running')
	);
	// Between windows the heartbeat is renewed by time; a window renews it with its checkpoint.
	let beating = false;
	const beat = setInterval(
		() => {
			if (beating) return;
			beating = true;
			const at = clock();
			write(store, (tx) => tx.update(importJob).set({ heartbeatAt: at }).where(mine))
				.catch((error) => log.warn({ err: error, jobId: row.id }, 'renewing an import job failed'))
				.finally(() => (beating = false));
		},
		Math.max(100, Math.floor(leaseMs() / 3))
	);
	beat.unref();
	let total = row.total;
	let totalSaved: Promise<unknown> = Promise.resolve();
	// The checkpoint as saved: counts in `checkpoint`, the report's kept lists in `kept`.
	const saved = row.checkpoint as Omit<ImportCheckpoint, 'sink'> & {
		sink: Omit<SinkState, 'errors' | 'results'>;
	};
	const kept = (row.kept ?? { errors: [], results: [] }) as Pick<SinkState, 'errors' | 'results'>;
	const resume: ImportCheckpoint | null = saved
		? { ...saved, sink: { ...saved.sink, errors: kept.errors, results: kept.results } }
		: null;
	let keptLengths = [kept.errors.length, kept.results.length];
	let [windowAt, keptBefore] = [-1, keptLengths];
	// A window's progress, checkpoint and errors commit in the window's own write, with the
	// sales it stored (imports/sales.ts).
	const changed = async (tx: StoreDb, set: Partial<JobRow>) => {
		const updated = await tx.update(importJob).set(set).where(mine).returning({ id: importJob.id });
		if (updated.length !== 1) throw new JobLost();
	};
	const saveErrors = async (tx: StoreDb, csv: string) => {
		if (!csv) return;
		const [{ next }] = await tx
			.select({
				next: sql`coalesce(max(${importJobError.seq}), -1) + 1`.mapWith(Number)
			})
			.from(importJobError)
			.where(eq(importJobError.jobId, row.id));
		await tx.insert(importJobError).values({ jobId: row.id, seq: next, csv });
	};
	try {
		const report = await importSalesOn(store, source, {
			dryRun: row.dryRun,
			actor:
				row.ownerUserId !== null ? { userId: row.ownerUserId } : { tokenId: row.ownerTokenId! },
			mapping: options.mapping,
			locale: options.locale,
			dateOrder: options.dateOrder,
			decimal: options.decimal,
			batchSize: options.batchSize,
			clock,
			resume,
			onProgress: (done, all) => {
				if (job) [job.done, job.total] = [done, all];
				// The first call (before any window) says how many rows the file has.
				if (total !== all) {
					total = all;
					const set = { total };
					totalSaved = write(store, (tx) => tx.update(importJob).set(set).where(mine)).catch(
						(error) => log.warn({ err: error, jobId: row.id }, 'saving an import total failed')
					);
				}
			},
			onWindow: async (tx, checkpoint, csv) => {
				await saveErrors(tx, csv);
				const { errors, results, ...counts } = checkpoint.sink;
				// A window run again (a conflict on PostgreSQL) compares with what the window before
				// saved, as its first run did.
				if (checkpoint.rows !== windowAt) [windowAt, keptBefore] = [checkpoint.rows, keptLengths];
				const grew = errors.length !== keptBefore[0] || results.length !== keptBefore[1];
				await changed(tx, {
					done: checkpoint.rows,
					total,
					checkpoint: { ...checkpoint, sink: counts },
					...(grew ? { kept: { errors, results } } : {}),
					heartbeatAt: clock()
				});
				keptLengths = [errors.length, results.length];
			},
			onFinish: async (tx, report, csv) => {
				await saveErrors(tx, csv);
				await changed(tx, {
					status: 'done',
					done: report.rows,
					total: report.rows,
					checkpoint: null,
					kept: null,
					// The errors file of a report on disk is no job's: its errors are import_job_error.
					report: { ...report, errorsFile: null } as unknown as Record<string, unknown>,
					finishedAt: clock(),
					holder: null,
					heartbeatAt: null
				});
			}
		});
		if (job) {
			job.report = { ...report, errorsFile: null };
			job.done = job.total = report.rows;
			job.status = 'done';
			job.finishedAt = clock();
		}
	} catch (error) {
		if (error instanceof JobLost) {
			log.warn({ jobId: row.id }, 'import job taken over by another process');
			return;
		}
		// A file that is not text is the sender's problem, not the server's.
		if (!(error instanceof AppError))
			log.error({ err: error, jobId: row.id }, 'sales import failed');
		const message = error instanceof Error ? error.message : String(error);
		const failure =
			error instanceof AppError
				? { status: error.status, code: error.code, message, details: error.details ?? null }
				: null;
		const set = {
			status: 'failed' as const,
			error: message,
			failure,
			checkpoint: null,
			kept: null,
			finishedAt: clock(),
			holder: null,
			heartbeatAt: null
		};
		try {
			await write(store, (tx) => tx.update(importJob).set(set).where(mine));
		} catch (failed) {
			// The database is gone (the process is stopping): the job is resumed elsewhere.
			log.warn({ err: failed, jobId: row.id }, 'recording a failed import job failed');
		}
		if (job) {
			job.failure = error;
			job.error = message;
			job.status = 'failed';
			job.finishedAt = clock();
		}
	} finally {
		clearInterval(beat);
		await totalSaved;
	}
	// The file has served: the job has finished (a job taken over returned above, keeping it).
	try {
		if (row.uploadId !== null) await dropUpload(store, row.uploadId);
	} catch (error) {
		log.warn({ err: error, jobId: row.id }, 'removing an import upload failed');
	}
}

/**
 * Takes the running jobs whose holder's heartbeat is older than the lease (its process died or
 * stopped) for this process, in one conditional UPDATE … RETURNING: of nodes checking at once,
 * each job goes to one (on PostgreSQL the others' serializable writes run again and find the
 * heartbeat renewed). A job whose file was never stored (the console's awaited dry run) is
 * marked failed in the same write. Returns the jobs taken that can run again, oldest first,
 * and how many were taken in all.
 */
export async function claimStaleImportJobs(
	store: Store,
	clock: Clock = systemClock
): Promise<{ runnable: JobRow[]; taken: number }> {
	const { importJob, importUpload } = store.tables;
	const now = clock();
	const expired = or(isNull(importJob.heartbeatAt), lt(importJob.heartbeatAt, now - leaseMs()));
	return write(store, async (tx) => {
		const taken = await tx
			.update(importJob)
			.set({ holder: processHolder(), heartbeatAt: now })
			.where(and(eq(importJob.status, 'running'), expired))
			.returning();
		if (taken.length === 0) return { runnable: [], taken: 0 };
		const uploadIds = taken.flatMap((r) => (r.uploadId === null ? [] : [r.uploadId]));
		const stored = new Set(
			uploadIds.length === 0
				? []
				: (
						await tx
							.select({ id: importUpload.id })
							.from(importUpload)
							.where(inArray(importUpload.id, uploadIds))
					).map((u) => u.id)
		);
		const runnable = taken.filter((r) => r.uploadId !== null && stored.has(r.uploadId));
		const fileless = taken.filter((r) => !runnable.includes(r)).map((r) => r.id);
		if (fileless.length > 0)
			await tx
				.update(importJob)
				.set({
					status: 'failed',
					error: 'The import was interrupted and its file was not kept: upload it again.',
					finishedAt: now,
					holder: null,
					heartbeatAt: null
				})
				.where(inArray(importJob.id, fileless));
		runnable.sort((a, b) => a.startedAt - b.startedAt);
		return { runnable, taken: taken.length };
	});
}

/**
 * Takes over the jobs whose holder's heartbeat is older than the lease (claimStaleImportJobs)
 * and runs them again from their stored file and last checkpoint. Also removes expired jobs.
 * Returns how many jobs it took. Called when a server starts and every few seconds.
 */
export async function resumeImportJobs(store: Store, clock: Clock = systemClock): Promise<number> {
	await pruneImportJobs(store, clock());
	const { runnable, taken } = await claimStaleImportJobs(store, clock);
	for (const row of runnable) {
		log.info(
			{ jobId: row.id, from: row.done },
			`resuming import job ${row.id} after row ${row.done}`
		);
		const options = row.options as JobOptions;
		const source = await uploadSource(store, row.uploadId!, options.encoding ?? null);
		void runJob(store, row, source, clock);
	}
	return taken;
}

/**
 * Gives up the jobs this process holds (it is stopping), so that another process resumes them
 * at once instead of waiting for the lease to run out. Their windows in flight store nothing.
 */
export async function releaseImportJobs(store: Store): Promise<void> {
	const { importJob } = store.tables;
	await write(store, (tx) =>
		tx
			.update(importJob)
			.set({ holder: null, heartbeatAt: null })
			.where(and(eq(importJob.holder, processHolder()), eq(importJob.status, 'running')))
	);
}

/** The job if it exists, has not expired and belongs to this person or token. */
export async function getImportJob(
	store: Store,
	id: string,
	owner: JobOwner,
	clock: Clock = systemClock
): Promise<ImportJob | null> {
	const { importJob } = store.tables;
	const [row] = await store.db
		.select()
		.from(importJob)
		.where(and(eq(importJob.id, id), ownerWhere(importJob, owner)));
	if (!row) return null;
	if (row.finishedAt !== null && row.finishedAt < clock() - JOB_TTL_MS) return null;
	return toJob(row);
}

/** The errors a report keeps, as a spreadsheet (row, column, message). */
export function errorsCsv(report: Pick<ImportReport, 'errors'>): string {
	return writeCsv(
		['row', 'column', 'message'],
		report.errors.map((e) => [e.row, e.column, e.message])
	);
}

/** Every error of a finished job, as a CSV download, read chunk by chunk from the database. */
export function errorsDownload(store: Store, job: ImportJob): Response {
	const { importJobError } = store.tables;
	const headers = {
		'content-type': 'text/csv; charset=utf-8',
		'content-disposition': `attachment; filename="import-${job.id}-errors.csv"`,
		'cache-control': 'private, no-store'
	};
	let seq = -1;
	const body = new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (seq === -1) {
				seq = 0;
				controller.enqueue(new TextEncoder().encode(ERRORS_CSV_HEADER));
				return;
			}
			const [chunk] = await store.db
				.select({ csv: importJobError.csv })
				.from(importJobError)
				.where(and(eq(importJobError.jobId, job.id), eq(importJobError.seq, seq)));
			if (!chunk) {
				controller.close();
				return;
			}
			seq += 1;
			controller.enqueue(new TextEncoder().encode(chunk.csv));
		}
	});
	return new Response(body, { headers });
}

/** What the page polls: progress, and the report once the job is done. */
export function jobView(job: ImportJob) {
	return {
		id: job.id,
		status: job.status,
		done: job.done,
		total: job.total,
		error: job.error,
		report: job.report ? reportView(job.report, job.id) : null
	};
}
export type JobView = ReturnType<typeof jobView>;
