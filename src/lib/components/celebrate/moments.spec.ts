import { describe, expect, it } from 'vitest';
import { overwriteServerAsyncLocalStorage } from '$lib/paraglide/runtime';
import type { BadgeEvent, LeaderboardEntry, LeaderboardSnapshot } from '$lib/realtime/events';
import {
	badgeToast,
	burstToasts,
	enteredTopThree,
	isViewers,
	momentsTitle,
	badgeMoment,
	podiumToast
} from './moments';

const entry = (id: number, rank: number, points: number): LeaderboardEntry => ({
	id,
	rank,
	points,
	name: `P${id}`,
	provisionalPoints: 0,
	salesCount: 1
});
const snapshot = (version: number, individual: LeaderboardEntry[]): LeaderboardSnapshot => ({
	seasonId: 1,
	version,
	individual,
	teams: []
});

const award = (subjectId: number, patch: Partial<BadgeEvent> = {}): BadgeEvent => ({
	seasonId: 1,
	subjectType: 'user',
	subjectId,
	subjectName: `Person ${subjectId}`,
	userId: subjectId,
	userName: `Person ${subjectId}`,
	badge: {
		id: 7,
		name: 'First sale',
		emoji: '🎉',
		description: 'Registered a first sale',
		points: 0
	},
	periodKey: '',
	at: 0,
	...patch
});

describe('enteredTopThree', () => {
	const before = snapshot(1, [entry(1, 1, 90), entry(2, 2, 80), entry(3, 3, 70), entry(4, 4, 60)]);
	it('finds who moved from below 3 to 3 or better', () => {
		const after = snapshot(2, [
			entry(4, 1, 100),
			entry(1, 2, 90),
			entry(2, 3, 80),
			entry(3, 4, 70)
		]);
		expect(enteredTopThree(before, after).map((e) => e.id)).toEqual([4]);
	});
	it('ignores older or equal versions, other seasons and people without points', () => {
		const after = snapshot(2, [entry(4, 1, 100)]);
		expect(enteredTopThree(after, snapshot(2, after.individual))).toEqual([]);
		expect(enteredTopThree(before, { ...after, seasonId: 2 })).toEqual([]);
		expect(enteredTopThree(snapshot(1, [entry(5, 4, 0)]), snapshot(2, [entry(5, 1, 0)]))).toEqual(
			[]
		);
	});
});

describe('wording', () => {
	it('names the person and the badge, or the team that reached its target', () => {
		expect(badgeToast(award(1)).title).toBe('🎉 Person 1 earned First sale');
		const team = award(9, {
			subjectType: 'team',
			subjectName: 'Wolves',
			userId: undefined,
			userName: undefined,
			badge: { id: 8, name: 'Team on target', emoji: '🤝', description: '', points: 0 }
		});
		expect(badgeToast(team).title).toBe('🤝 Wolves reached their target');
		expect(podiumToast(entry(4, 2, 1234)).title).toBe('🥈 P4 moved into the top 3');
	});

	it('says which points are pending, with thousands separators', () => {
		const pending = award(1, {
			provisional: true,
			badge: { id: 7, name: 'Big one', emoji: '🎉', description: 'A big sale', points: 1500 }
		});
		expect(badgeToast(pending).description).toBe('A big sale · +1,500 pts pending');
		expect(badgeMoment(pending)).toMatchObject({ points: 1500, pending: true });
		expect(badgeToast({ ...pending, provisional: false }).description).toBe(
			'A big sale · +1,500 pts'
		);
		expect(podiumToast({ ...entry(4, 2, 1234), provisionalPoints: 125 }).description).toBe(
			'Now #2 with 1,234 pts (+125 pending)'
		);
		expect(podiumToast(entry(4, 2, 1234)).description).toBe('Now #2 with 1,234 pts');
	});
	it('turns a burst of one badge into a single toast', () => {
		const burst = [
			award(1),
			award(2),
			award(3),
			award(4),
			award(5, { badge: { id: 8, name: 'Hat-trick', emoji: '🎩', description: '', points: 0 } })
		];
		expect(burstToasts(burst)).toEqual([
			{ title: '🎉 First sale for 4 people', description: 'Person 1, Person 2 and 2 more' },
			{ title: '🎩 Person 5 earned Hat-trick', description: undefined }
		]);
		expect(burstToasts(burst.slice(0, 2)).map((t) => t.title)).toEqual([
			'🎉 Person 1 earned First sale',
			'🎉 Person 2 earned First sale'
		]);
	});
	it('celebrates on the screen of the person or their team', () => {
		expect(isViewers(award(1), { userId: 1 })).toBe(true);
		expect(isViewers(award(2), { userId: 1, teamId: 2 })).toBe(false);
		expect(
			isViewers(award(9, { subjectType: 'team', userId: undefined }), { userId: 1, teamId: 9 })
		).toBe(true);
		expect(
			momentsTitle([
				badgeMoment(award(1)),
				badgeMoment(
					award(1, { badge: { id: 8, name: 'X', emoji: 'x', description: '', points: 0 } })
				)
			])
		).toBe('You earned 2 badges!');
	});
});

describe('in the viewer’s language', () => {
	/** Runs `fn` as if the page spoke `locale` (Paraglide reads the request's store first). */
	function speaking<T>(locale: string, fn: () => T): T {
		const store = { getStore: () => ({ locale }), run: <R>(_: unknown, f: () => R) => f() };
		overwriteServerAsyncLocalStorage(store as never);
		try {
			return fn();
		} finally {
			overwriteServerAsyncLocalStorage(undefined as never);
		}
	}

	it('picks the Russian and Polish plural forms for points and badges', () => {
		const leader = { ...entry(4, 1, 21), provisionalPoints: 3 };
		expect(speaking('ru', () => podiumToast(leader).description)).toBe(
			'Теперь 1-е место: 21 балл (+3 на проверке)'
		);
		expect(speaking('ru', () => podiumToast(entry(4, 2, 1234)).description)).toBe(
			'Теперь 2-е место: 1\u00a0234 балла'
		);
		expect(speaking('pl', () => momentsTitle([badgeMoment(award(1)), badgeMoment(award(2))]))).toBe(
			'Masz 2 nowe odznaki!'
		);
		expect(
			speaking('pl', () => momentsTitle(Array.from({ length: 5 }, (_, i) => badgeMoment(award(i)))))
		).toBe('Masz 5 nowych odznak!');
	});
});
