import { randomBytes } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Db } from '../db';
import { importSales, type ImportReport } from './sales';
import type { ParseOptions } from './sales-csv';
import type { ImportSource } from './source';
import { errorsFilePath } from './report-sink';
import { systemClock, type Clock } from '../shared/clock';
import { AppError, conflict } from '../shared/errors';
import { log } from '../shared/log';
import { writeCsv } from '../../csv';

// Sales imports committed from the console, and large (or `async=1`) API imports, run in the
// background so that a large file never holds a request open; the page or the client polls the
// job. A small API import runs as a job too and is awaited, so that its full error list can be
// downloaded afterwards. Jobs live in this process's memory only: a restart forgets them (the
// sales already recorded stay, and a re-upload counts nothing twice). A job writes every error
// of its file to a temporary CSV file (the download); an uploaded file handed to a job is the
// job's to delete. Both go when the job has finished (the upload) or expires (the errors).

const JOB_TTL_MS = 60 * 60 * 1000;
/** How many per-row results a page or a poll carries; the rest is counted. */
const RESULTS_SHOWN = 500;

export type JobStatus = 'running' | 'done' | 'failed';

/** Who started a job: a signed-in person or an API token. Only they can see it. */
export type JobOwner = { userId: number } | { tokenId: number };
const ownerKey = (owner: JobOwner) =>
	'userId' in owner ? `user:${owner.userId}` : `token:${owner.tokenId}`;

export interface ImportJob {
	id: string;
	owner: string;
	dryRun: boolean;
	/** One exclusive (background) job per owner runs at a time. */
	exclusive: boolean;
	status: JobStatus;
	/** Data rows of the file handled so far, and in all. */
	done: number;
	total: number;
	report: ImportReport | null;
	error: string | null;
	/** What the job failed with (an AppError when the file turned out not to be text). */
	failure: unknown;
	startedAt: number;
	finishedAt: number | null;
	/** Settles when the job has finished, whether it succeeded or failed. */
	finished: Promise<void>;
	/** Every error of the file, as CSV (removed when the job expires). */
	errorsFile: string | null;
}

/** A report cut to what a page shows: at most RESULTS_SHOWN results and the errors kept. */
export type ReportView = Omit<ImportReport, 'errorsFile'> & {
	/** The errors shown, as a file to download; null when there are none. */
	errorsCsv: string | null;
	/** Every error, as a file to download, when there are more than are shown. */
	errorsUrl: string | null;
};

export function reportView(report: ImportReport, jobId: string | null = null): ReportView {
	const { errorsFile, ...rest } = report;
	return {
		...rest,
		results: report.results.slice(0, RESULTS_SHOWN),
		errorsCsv: report.errors.length === 0 ? null : errorsCsv(report),
		errorsUrl:
			errorsFile && jobId && report.errorsTotal > report.errors.length
				? `/manage/import/jobs/${jobId}/errors.csv`
				: null
	};
}

const jobs = new Map<string, ImportJob>();

function prune(now: number) {
	for (const [id, job] of jobs) {
		if (job.status !== 'running' && now - (job.finishedAt ?? job.startedAt) > JOB_TTL_MS) {
			if (job.errorsFile) rmSync(job.errorsFile, { force: true });
			jobs.delete(id);
		}
	}
}

/**
 * Starts an import in the background and returns the job at once. One exclusive import per
 * owner: a second one is refused until the first has finished.
 */
export function startImportJob(
	db: Db,
	input: string | ImportSource,
	options: ParseOptions & {
		owner: JobOwner;
		/** The upload is the job's: deleted when the job has finished. */
		ownsFile?: boolean;
		dryRun?: boolean;
		exclusive?: boolean;
		batchSize?: number;
		clock?: Clock;
	}
): ImportJob {
	const clock = options.clock ?? systemClock;
	const owner = ownerKey(options.owner);
	const exclusive = options.exclusive ?? true;
	prune(clock());
	if (exclusive) {
		for (const job of jobs.values()) {
			if (job.owner === owner && job.exclusive && job.status === 'running') {
				throw conflict(
					'import_running',
					'Your previous import is still running: wait for it to finish.'
				);
			}
		}
	}
	const job: ImportJob = {
		id: randomBytes(12).toString('hex'),
		owner,
		dryRun: options.dryRun ?? false,
		exclusive,
		status: 'running',
		done: 0,
		total: 0,
		report: null,
		error: null,
		failure: null,
		startedAt: clock(),
		finishedAt: null,
		finished: Promise.resolve(),
		errorsFile: errorsFilePath()
	};
	jobs.set(job.id, job);
	job.finished = importSales(db, input, {
		dryRun: job.dryRun,
		actor: options.owner,
		mapping: options.mapping,
		locale: options.locale,
		dateOrder: options.dateOrder,
		decimal: options.decimal,
		batchSize: options.batchSize,
		clock,
		errorsFile: job.errorsFile,
		onProgress: (done, total) => {
			job.done = done;
			job.total = total;
		}
	})
		.then(
			(report) => {
				job.report = report;
				job.done = job.total = report.rows;
				job.status = 'done';
				job.finishedAt = clock();
			},
			(error: unknown) => {
				// A file that is not text is the sender's problem, not the server's.
				if (!(error instanceof AppError))
					log.error({ err: error, jobId: job.id }, 'sales import failed');
				job.failure = error;
				job.error = error instanceof Error ? error.message : String(error);
				job.status = 'failed';
				job.finishedAt = clock();
				job.errorsFile = null;
			}
		)
		.finally(() => {
			if (options.ownsFile && typeof input !== 'string' && 'path' in input)
				rmSync(input.path, { force: true });
		});
	return job;
}

/** The job if it exists, has not expired and belongs to this person or token. */
export function getImportJob(
	id: string,
	owner: JobOwner,
	clock: Clock = systemClock
): ImportJob | null {
	prune(clock());
	const job = jobs.get(id);
	return job && job.owner === ownerKey(owner) ? job : null;
}

/** The errors a report keeps, as a spreadsheet (row, column, message). */
export function errorsCsv(report: Pick<ImportReport, 'errors'>): string {
	return writeCsv(
		['row', 'column', 'message'],
		report.errors.map((e) => [e.row, e.column, e.message])
	);
}

/** Every error of a finished job, as a CSV download. */
export function errorsDownload(job: ImportJob): Response {
	const headers = {
		'content-type': 'text/csv; charset=utf-8',
		'content-disposition': `attachment; filename="import-${job.id}-errors.csv"`,
		'cache-control': 'private, no-store'
	};
	if (!job.report?.errorsFile)
		return new Response(job.report ? errorsCsv(job.report) : '', { headers });
	const file = Readable.toWeb(createReadStream(job.report.errorsFile)) as ReadableStream;
	return new Response(file, { headers });
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
