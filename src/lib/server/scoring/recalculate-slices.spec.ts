import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { SliceSizer } from './recalculate-slices';

// A slice whose queries hold the loop (SQLite, `fitted`) ends by 8 ms; one whose queries do not
// (PostgreSQL) takes chunks for 20 ms of its write, so that its fixed statements are shared by
// several chunks' sales.
describe('SliceSizer', () => {
	const startedAgo = (ms: number) => performance.now() - ms;

	it('on PostgreSQL takes another chunk 12 ms into a slice, none after 20 ms', () => {
		const sizer = new SliceSizer(false);
		expect(sizer.nextChunk(startedAgo(12), 3, 1)).toBe(Infinity);
		expect(sizer.nextChunk(startedAgo(25), 9, 3)).toBe(0);
	});

	it('on SQLite ends the slice 12 ms in', () => {
		expect(new SliceSizer(true).nextChunk(startedAgo(12), 3, 1)).toBe(0);
	});

	it('always runs a first chunk', () => {
		expect(new SliceSizer(false).nextChunk(startedAgo(100), 0, 0)).toBe(Infinity);
		expect(new SliceSizer(true).nextChunk(startedAgo(100), 0, 0)).toBe(1);
	});
});
