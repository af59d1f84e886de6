import { describe, expect, it } from 'vitest';
import { gapToNext, rank, type RankInput } from './ranking';

const entry = (id: number, points: number, reachedAt = id, name = `P${id}`): RankInput => ({
	id,
	name,
	points,
	provisionalPoints: 0,
	reachedAt
});

describe('rank', () => {
	it.each([
		{ title: 'empty season', input: [], competition: [], dense: [] },
		{ title: 'one participant', input: [entry(1, 0)], competition: [1], dense: [1] },
		{
			title: 'distinct scores',
			input: [entry(1, 10), entry(2, 30), entry(3, 20)],
			competition: [1, 2, 3],
			dense: [1, 2, 3]
		},
		{
			title: 'ties share a rank (1, 2, 2, 4)',
			input: [entry(1, 50), entry(2, 40), entry(3, 40), entry(4, 10)],
			competition: [1, 2, 2, 4],
			dense: [1, 2, 2, 3]
		},
		{
			title: 'everyone on zero',
			input: [entry(1, 0), entry(2, 0), entry(3, 0)],
			competition: [1, 1, 1],
			dense: [1, 1, 1]
		},
		{
			title: 'tie at the top',
			input: [entry(1, 70), entry(2, 70), entry(3, 20), entry(4, 20), entry(5, 5)],
			competition: [1, 1, 3, 3, 5],
			dense: [1, 1, 2, 2, 3]
		}
	])('$title', ({ input, competition, dense }) => {
		expect(rank(input, 'competition').map((r) => r.rank)).toEqual(competition);
		expect(rank(input, 'dense').map((r) => r.rank)).toEqual(dense);
	});

	it('orders equal scores by who reached them first, then by name', () => {
		const ranked = rank([
			entry(1, 40, 300, 'Zoe'),
			entry(2, 40, 100, 'Yan'),
			entry(3, 40, 100, 'Abe')
		]);
		expect(ranked.map((r) => r.name)).toEqual(['Abe', 'Yan', 'Zoe']);
		expect(ranked.map((r) => r.rank)).toEqual([1, 1, 1]);
	});

	it('does not depend on input order', () => {
		const input = [entry(1, 5), entry(2, 9), entry(3, 9), entry(4, 1)];
		const a = rank(input).map((r) => [r.id, r.rank]);
		const b = rank([...input].reverse()).map((r) => [r.id, r.rank]);
		expect(a).toEqual(b);
	});

	it('keeps extra fields of the entries', () => {
		const [first] = rank([{ ...entry(1, 3), teamName: 'Wolves' }]);
		expect(first.teamName).toBe('Wolves');
	});
});

describe('gapToNext', () => {
	const board = rank([
		entry(1, 100, 1, 'Ann'),
		entry(2, 80, 2, 'Ben'),
		entry(3, 80, 3, 'Cy'),
		entry(4, 20, 4, 'Di')
	]);

	it.each([
		{ id: 1, gap: null },
		{ id: 2, gap: { nextRank: 1, nextName: 'Ann', pointsNeeded: 21 } },
		{ id: 3, gap: { nextRank: 1, nextName: 'Ann', pointsNeeded: 21 } },
		{ id: 4, gap: { nextRank: 2, nextName: 'Cy', pointsNeeded: 61 } },
		{ id: 99, gap: null }
	])('subject $id', ({ id, gap }) => {
		expect(gapToNext(board, id)).toEqual(gap);
	});

	it('is null for everyone tied at the top', () => {
		const tied = rank([entry(1, 10), entry(2, 10)]);
		expect(gapToNext(tied, 2)).toBeNull();
	});
});
