import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCsv } from '../../csv';
import type { ImportError } from './sales-csv';

// What an import says about its rows, in memory no larger for a million rows than for ten: exact
// totals (rows refused, by reason), the first ERRORS_KEPT errors and RESULTS_KEPT per-row results,
// and, when asked for, every error written to a CSV file on disk as the import goes (the
// download that the page and the API offer).

export const ERRORS_KEPT = 1000;
export const RESULTS_KEPT = 1000;
const ERROR_FIELDS = ['row', 'column', 'message'] as const;

export interface ImportResult {
	row: number;
	externalId: string;
	/** new: counted now (or would be, in a dry run); duplicate: already imported, counted once. */
	outcome: 'new' | 'duplicate' | 'error';
	points?: number;
}

/** A file of every error (row, column, message), deleted with its job. */
export function errorsFilePath(): string {
	return join(tmpdir(), `honorboard-import-errors-${randomBytes(9).toString('hex')}.csv`);
}

export class ReportSink {
	readonly errors: ImportError[] = [];
	errorsTotal = 0;
	readonly results: ImportResult[] = [];
	resultsTotal = 0;
	rejectedRows = 0;
	/** Rows refused, by the code of their first error. */
	readonly rejectedBy: Record<string, number> = {};
	private fd: number | null = null;

	constructor(readonly errorsFile: string | null = null) {
		if (errorsFile) {
			this.fd = openSync(errorsFile, 'w', 0o600);
			writeSync(this.fd, writeCsv(ERROR_FIELDS, []).replace(/\r\n$/, ''));
		}
	}

	/** Errors of consecutive rows, in row order. */
	addErrors(errors: readonly ImportError[]) {
		if (errors.length === 0) return;
		this.errorsTotal += errors.length;
		for (const e of errors) {
			if (this.errors.length >= ERRORS_KEPT) break;
			this.errors.push(e);
		}
		if (this.fd !== null) {
			const text = writeCsv(
				ERROR_FIELDS,
				errors.map((e) => [e.row, e.column, e.message])
			);
			writeSync(this.fd, text.slice(text.indexOf('\r\n')));
		}
	}

	/** Results of consecutive rows, in row order. */
	addResults(results: readonly ImportResult[]) {
		this.resultsTotal += results.length;
		for (const r of results) {
			if (this.results.length >= RESULTS_KEPT) break;
			this.results.push(r);
		}
	}

	rejectRows(code: string, count = 1) {
		this.rejectedRows += count;
		this.rejectedBy[code] = (this.rejectedBy[code] ?? 0) + count;
	}

	close() {
		if (this.fd !== null) closeSync(this.fd);
		this.fd = null;
	}

	/** Closes and deletes the file (an import that failed part-way). */
	discard() {
		this.close();
		if (this.errorsFile) rmSync(this.errorsFile, { force: true });
	}
}
