import { describe, expect, it } from 'vitest';
import { replayPayload } from './fast-sales';
import type { ReplayAnswerRow } from '../scoring/sale-queries';

// replayPayload writes out the answer's JSON: it must be what JSON.stringify wrote for the
// answer object (fast-sales.ts saleAnswer), character for character.
function stringified(saleId: number, row: ReplayAnswerRow): string {
	const { status, points, seasonId, flagReason, version } = row;
	return JSON.stringify({
		sale: { id: saleId, status, points },
		seasonId,
		version,
		...(flagReason && { flagReason })
	});
}

const answerRow = (
	status: ReplayAnswerRow['status'],
	points: number,
	seasonId: number,
	flagReason: string | null,
	version: number
): ReplayAnswerRow => ({ status, points, seasonId, flagReason, version });

describe('replayPayload', () => {
	it('writes what JSON.stringify writes for the answer', () => {
		const rows: [number, Parameters<typeof answerRow>][] = [
			[1, ['approved', 75, 1, null, 17506]],
			[229_000, ['pending', 0, 3, '', 0]],
			[42, ['rejected', -12, 2, 'Above the ceiling (1,000 points)', 9_007_199_254_740]],
			[7, ['pending', 1500, 1, 'quote " backslash \\ newline \n tab \t', 3]],
			[8, ['pending', 1500, 1, 'Über 3× \u2028 \u0001 😀 \ud800', 4]],
			[9, ['approved', 3, 1, 'x', 1]]
		];
		for (const [saleId, values] of rows) {
			const row = answerRow(...values);
			expect(replayPayload(saleId, row)).toBe(stringified(saleId, row));
			expect(JSON.parse(replayPayload(saleId, row))).toEqual(JSON.parse(stringified(saleId, row)));
		}
	});
});
