import { closeSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCsv } from '../../csv';
import type { ImportError } from './sales-csv';

// What an import says about its rows, in memory no larger for a million rows than for ten: exact
// totals (rows refused, by reason), the first ERRORS_KEPT errors and RESULTS_KEPT per-row results,
// and, when asked for, every error as CSV as the import goes: written to a file on disk, or
// handed over window by window (a job stores it in the database: the download that the page and
// the API offer). Its state can be saved and restored, so that a resumed job goes on from it.

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

/** A temporary file for every error (row, column, message); jobs keep theirs in the database. */
export function errorsFilePath(): string {
	return join(tmpdir(), `honorboard-import-errors-${randomBytes(9).toString('hex')}.csv`);
}

/** What a sink has counted and kept so far (a job's checkpoint). */
export interface SinkState {
	errors: ImportError[];
	errorsTotal: number;
	results: ImportResult[];
	resultsTotal: number;
	rejectedRows: number;
	rejectedBy: Record<string, number>;
}

/** Where a sink stood (mark), to go back to when what followed is undone (restore). */
export interface SinkMark {
	state: SinkState;
	errors: number;
	results: number;
	unsaved: number;
	fileBytes: number;
}

/** The CSV header line of an errors file, without its line break. */
export const ERRORS_CSV_HEADER = writeCsv(ERROR_FIELDS, []).replace(/\r\n$/, '');

export class ReportSink {
	readonly errors: ImportError[] = [];
	errorsTotal = 0;
	readonly results: ImportResult[] = [];
	resultsTotal = 0;
	rejectedRows = 0;
	/** Rows refused, by the code of their first error. */
	readonly rejectedBy: Record<string, number> = {};
	private fd: number | null = null;
	/** Error lines not yet taken (`takeErrorsCsv`), when the sink collects them. */
	private unsaved: string[] | null = null;
	/** Bytes written to the errors file so far (restore cuts it back). */
	private fileBytes = 0;

	constructor(
		readonly errorsFile: string | null = null,
		options: { collect?: boolean; state?: SinkState | null } = {}
	) {
		if (options.collect) this.unsaved = [];
		if (options.state) {
			const s = options.state;
			this.errors.push(...s.errors);
			this.results.push(...s.results);
			this.errorsTotal = s.errorsTotal;
			this.resultsTotal = s.resultsTotal;
			this.rejectedRows = s.rejectedRows;
			Object.assign(this.rejectedBy, s.rejectedBy);
		}
		if (errorsFile) {
			this.fd = openSync(errorsFile, 'w', 0o600);
			this.fileBytes = writeSync(this.fd, ERRORS_CSV_HEADER);
		}
	}

	/**
	 * Where the sink stands now. A window on PostgreSQL adds its outcomes inside its write, which
	 * may run again after a serialization failure: it restores this mark first.
	 */
	mark(): SinkMark {
		return {
			state: { ...this.state(), rejectedBy: { ...this.rejectedBy } },
			errors: this.errors.length,
			results: this.results.length,
			unsaved: this.unsaved?.length ?? 0,
			fileBytes: this.fileBytes
		};
	}

	/** Forgets what was added since `mark`. */
	restore(mark: SinkMark) {
		this.errors.length = mark.errors;
		this.results.length = mark.results;
		this.errorsTotal = mark.state.errorsTotal;
		this.resultsTotal = mark.state.resultsTotal;
		this.rejectedRows = mark.state.rejectedRows;
		for (const code of Object.keys(this.rejectedBy)) delete this.rejectedBy[code];
		Object.assign(this.rejectedBy, mark.state.rejectedBy);
		if (this.unsaved) this.unsaved.length = mark.unsaved;
		if (this.fd !== null) ftruncateSync(this.fd, mark.fileBytes);
		this.fileBytes = mark.fileBytes;
	}

	state(): SinkState {
		return {
			errors: this.errors,
			errorsTotal: this.errorsTotal,
			results: this.results,
			resultsTotal: this.resultsTotal,
			rejectedRows: this.rejectedRows,
			rejectedBy: this.rejectedBy
		};
	}

	/** The error lines added since the last call, each starting with its line break. */
	takeErrorsCsv(): string {
		const text = this.unsaved?.join('') ?? '';
		if (this.unsaved) this.unsaved = [];
		return text;
	}

	/** Errors of consecutive rows, in row order. */
	addErrors(errors: readonly ImportError[]) {
		if (errors.length === 0) return;
		this.errorsTotal += errors.length;
		for (const e of errors) {
			if (this.errors.length >= ERRORS_KEPT) break;
			this.errors.push(e);
		}
		if (this.fd !== null || this.unsaved) {
			const text = writeCsv(
				ERROR_FIELDS,
				errors.map((e) => [e.row, e.column, e.message])
			);
			const lines = text.slice(text.indexOf('\r\n'));
			if (this.fd !== null) this.fileBytes += writeSync(this.fd, lines, this.fileBytes);
			this.unsaved?.push(lines);
		}
	}

	/** Whether addResults keeps any more results: when not, they need only be counted. */
	keepsResults(): boolean {
		return this.results.length < RESULTS_KEPT;
	}

	/** Results of consecutive rows, in row order, and `more` rows' after them only counted. */
	addResults(results: readonly ImportResult[], more = 0) {
		this.resultsTotal += results.length + more;
		if (!this.keepsResults()) return;
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
