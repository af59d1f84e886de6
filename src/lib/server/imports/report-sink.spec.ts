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
