import { describe, expect, it } from 'vitest';
import { changedRows } from './changes';
import type { LeaderboardEntry, LeaderboardSnapshot } from './events';

const entry = (id: number, points: number, provisionalPoints = 0) =>
	({ id, points, provisionalPoints }) as LeaderboardEntry;
const snapshot = (individual: LeaderboardEntry[], teams: LeaderboardEntry[] = []) =>
	({ seasonId: 1, version: 1, individual, teams }) as LeaderboardSnapshot;

describe('changedRows', () => {
	it('names the people and teams whose total moved, pending points included', () => {
		const before = snapshot([entry(1, 10), entry(2, 5)], [entry(7, 15)]);
		const after = snapshot([entry(1, 10, 4), entry(2, 5)], [entry(7, 19)]);
		expect([...changedRows(before, after)]).toEqual(['user:1', 'team:7']);
	});

	it('does not count a newcomer or an unchanged board as a change', () => {
		const before = snapshot([entry(1, 10)]);
		expect(changedRows(before, snapshot([entry(1, 10), entry(3, 50)])).size).toBe(0);
	});
});
