import type { ImportReport } from './sales';
import type { ImportJob } from './jobs';

// What the API answers about an import: the report with its error list cut to the first
// ERRORS_IN_ANSWER (the totals stay exact; the whole list is a CSV download), and the job a
// large or `async=1` import runs as.

export const ERRORS_IN_ANSWER = 100;
/** Imports with more data rows than this run as a job (202 + a URL to poll). */
export const SYNC_ROW_LIMIT = 10_000;

const jobPath = (id: string) => `/api/v1/imports/jobs/${id}`;

/**
 * Data rows in a file (lines that are not blank, less the header), cheaply, before parsing. A
 * quoted value holding a line break counts twice: the count only chooses between waiting and a job.
 */
export function countDataRows(text: string): number {
	let lines = 0;
	for (const line of text.split(/\r\n|\n|\r/)) if (line.trim() !== '') lines += 1;
	return Math.max(0, lines - 1);
}

export function apiReport(report: ImportReport, jobId: string, details: boolean) {
	// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a server path is not for clients
	const { results, errors, errorsFile, resultsTotal, ...totals } = report;
	return {
		...totals,
		errors: errors.slice(0, ERRORS_IN_ANSWER),
		errorsTotal: report.errorsTotal,
		errorsTruncated: report.errorsTotal > ERRORS_IN_ANSWER,
		/** Every error as CSV (row, column, message), with the same token, for an hour. */
		errorsUrl: report.errorsTotal > 0 ? `${jobPath(jobId)}/errors.csv` : null,
		// The row-by-row results can be long: only sent when asked for (the first RESULTS_KEPT).
		...(details ? { results, resultsTotal } : {})
	};
}

export function apiJob(job: ImportJob, details: boolean) {
	return {
		job: {
			id: job.id,
			url: jobPath(job.id),
			status: job.status,
			dryRun: job.dryRun,
			done: job.done,
			total: job.total,
			error: job.error
		},
		report: job.report ? apiReport(job.report, job.id, details) : null
	};
}
