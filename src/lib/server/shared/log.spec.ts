// The access line written as text (logRequest) is the line pino writes for the same fields:
// the same keys in the same order, the same values, and nothing below the log's level.
import { describe, expect, it } from 'vitest';
import { log, logRequest, type RequestLine } from './log';

type Output = { target: { write(line: string): unknown } };

/** The lines written while `fn` runs, from the writer log.ts shares (see its `create`). */
function linesOf(fn: () => void): string[] {
	const shared = (globalThis as Record<symbol, { output: Output | null }>)[
		Symbol.for('honorboard.log')
	];
	const output = shared.output!;
	const target = output.target;
	const lines: string[] = [];
	output.target = { write: (line: string) => lines.push(line) };
	try {
		fn();
	} finally {
		output.target = target;
	}
	return lines;
}

/** A line without its time (the two lines may fall in different milliseconds). */
const timeless = (line: string) => line.replace(/"time":"[^"]*"/, '"time":""');

const cases: RequestLine[] = [
	{
		reqId: 'a04d6e2a-78e9',
		method: 'POST',
		path: '/api/v1/sales',
		route: '/api/v1/sales',
		status: 200,
		ms: 0.6
	},
	{
		reqId: 'probe-1',
		method: 'GET',
		path: '/odd "path"\\ é',
		route: '(static)',
		status: 404,
		ms: 1234.5,
		aborted: true
	}
];

describe('logRequest', () => {
	it.each(cases)('writes what log.info writes for $path', (line) => {
		const { aborted, ...finished } = line;
		const [ours, pinos] = linesOf(() => {
			logRequest(line);
			log.info(aborted ? line : finished, 'request');
		});
		expect(timeless(ours)).toBe(timeless(pinos));
		expect(JSON.parse(ours)).toMatchObject({ level: 'info', msg: 'request', ...line });
		expect(ours.endsWith('\n')).toBe(true);
	});

	it('writes nothing below the log level', () => {
		const level = log.level;
		log.level = 'warn';
		try {
			expect(linesOf(() => logRequest(cases[0]))).toEqual([]);
		} finally {
			log.level = level;
		}
	});
});
