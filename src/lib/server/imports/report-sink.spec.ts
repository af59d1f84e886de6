import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { errorsFilePath, ReportSink } from './report-sink';
import type { ImportError } from './sales-csv';

// A window on PostgreSQL settles its outcomes inside its write, which may run again after a
// conflict: it restores the sink's mark first, so that the second run's outcomes are counted,
// kept, collected and written to the errors file once.

const error = (row: number, code = 'unknown_sku'): ImportError => ({
	row,
	column: 'sku',
	message: `row ${row} refused`,
	code
});

let files: string[] = [];
afterEach(() => {
	for (const file of files) rmSync(file, { force: true });
	files = [];
});

/** A sink that writes an errors file and collects the errors' lines, with one window in it. */
function sinkWithAWindow() {
	const file = errorsFilePath();
	files.push(file);
	const sink = new ReportSink(file, { collect: true });
	sink.addErrors([error(1)]);
	sink.addResults([{ row: 1, externalId: 'a', outcome: 'error' }]);
	sink.rejectRows('unknown_sku');
	sink.takeErrorsCsv();
	return { sink, file };
}

/** The second window's outcomes; a run that is undone refused one row more. */
function settleSecondWindow(sink: ReportSink, code: string, undone = false) {
	sink.addErrors([error(2, code), error(3, code), ...(undone ? [error(4, code)] : [])]);
	sink.addResults([
		{ row: 2, externalId: 'b', outcome: 'error' },
		{ row: 3, externalId: 'b', outcome: 'error' },
		{ row: 4, externalId: 'c', outcome: 'new', points: 5 }
	]);
	sink.rejectRows(code, 2);
}

describe('a report sink restored to its mark', () => {
	it('holds what one run of the window adds, whatever an undone run added', () => {
		const once = sinkWithAWindow();
		settleSecondWindow(once.sink, 'invalid_line');
		const onceCsv = once.sink.takeErrorsCsv();
		once.sink.close();

		const twice = sinkWithAWindow();
		const mark = twice.sink.mark();
		settleSecondWindow(twice.sink, 'lines_disagree', true);
		twice.sink.restore(mark);
		settleSecondWindow(twice.sink, 'invalid_line');
		const twiceCsv = twice.sink.takeErrorsCsv();
		twice.sink.close();

		expect(twice.sink.state()).toEqual(once.sink.state());
		expect(twice.sink.rejectedBy).toEqual({ unknown_sku: 1, invalid_line: 2 });
		expect(twiceCsv).toBe(onceCsv);
		expect(readFileSync(twice.file, 'utf8')).toBe(readFileSync(once.file, 'utf8'));
	});
});

describe('a report sink past the results it keeps', () => {
	it('counts the rows it is given only as a number, as the rows it would not keep', () => {
		const counted = new ReportSink();
		const listed = new ReportSink();
		const results = (from: number, to: number) =>
			Array.from({ length: to - from + 1 }, (_, i) => ({
				row: from + i,
				externalId: `s${from + i}`,
				outcome: 'new' as const
			}));
		for (const sink of [counted, listed]) sink.addResults(results(1, 999));
		expect(counted.keepsResults()).toBe(true);
		for (const sink of [counted, listed]) sink.addResults(results(1000, 1001));
		expect(counted.keepsResults()).toBe(false);
		// An import's window past the kept results hands over its refused rows and a count.
		counted.addResults([{ row: 1005, externalId: 'x', outcome: 'error' }], 3);
		listed.addResults([...results(1002, 1004), { row: 1005, externalId: 'x', outcome: 'error' }]);
		expect(counted.state()).toEqual(listed.state());
		expect(counted.resultsTotal).toBe(1005);
		expect(counted.results.map((r) => r.row)).toEqual(results(1, 1000).map((r) => r.row));
	});
});
