import { rank } from '$lib/contest/ranking';
import type { TieRule } from '$lib/contest/types';
import type { ActivityItem, LeaderboardEntry, LeaderboardSnapshot } from '$lib/realtime/events';

// Made-up standings for a season's preview, built in memory and never written: the real teams
// and people when the season has them, sample ones otherwise.

const SAMPLE_TEAMS = [
	{ id: -1, name: 'Falcons', emoji: '🦅', color: '#ef4444' },
	{ id: -2, name: 'Wolves', emoji: '🐺', color: '#6366f1' },
	{ id: -3, name: 'Orcas', emoji: '🐋', color: '#0d9488' }
];
const SAMPLE_PEOPLE = [
	'Alex Morgan',
	'Bea Novak',
	'Carlos Diaz',
	'Dana Kim',
	'Emil Larsen',
	'Fatima Ali',
	'Gus Weber',
	'Hana Sato',
	'Ivo Petrov',
	'Julia Costa',
	'Kofi Mensah',
	'Lena Vogel'
];
const ITEMS = ['Phone Pro', 'Tablet 11"', 'Headset Pro', 'Earbuds', 'Care+ 2 years', '5G Plan'];

interface SampleTeam {
	id: number;
	name: string;
	emoji: string;
	color: string;
}

interface SamplePerson {
	id: number;
	name: string;
	teamId: number;
}

/** Same season, same numbers: a seeded generator keeps the preview stable between reloads. */
function seeded(seed: number) {
	let state = seed >>> 0 || 1;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

export function sampleBoard(options: {
	seasonId: number;
	tieRule: TieRule;
	teams: SampleTeam[];
	people: SamplePerson[];
	now: number;
}): {
	snapshot: LeaderboardSnapshot;
	activity: ActivityItem[];
	sample: { teams: boolean; people: boolean };
} {
	const random = seeded(options.seasonId * 7919);
	const teams = options.teams.length > 0 ? options.teams : SAMPLE_TEAMS;
	const people =
		options.people.length > 0
			? options.people.slice(0, 15)
			: SAMPLE_PEOPLE.map((name, i) => ({
					id: -(i + 1),
					name,
					teamId: teams[i % teams.length].id
				}));
	const teamOf = new Map(teams.map((t) => [t.id, t]));

	// Rounded to tens, so that a few people tie and the tie rule shows.
	const scored = people.map((p, i) => {
		const points = Math.round((200 + random() * 1400) / 50) * 50;
		return {
			...p,
			points,
			provisionalPoints: random() < 0.4 ? Math.round(random() * 8) * 10 : 0,
			salesCount: 3 + Math.floor(points / 90),
			reachedAt: i
		};
	});
	const individual: LeaderboardEntry[] = rank(scored, options.tieRule).map((p) => {
		const t = teamOf.get(p.teamId);
		return {
			rank: p.rank,
			id: p.id,
			name: p.name,
			points: p.points,
			provisionalPoints: p.provisionalPoints,
			salesCount: p.salesCount,
			teamId: t?.id,
			teamName: t?.name,
			emoji: t?.emoji,
			color: t?.color
		};
	});
	const totals = teams.map((t, i) => {
		const members = scored.filter((p) => p.teamId === t.id);
		const sum = (key: 'points' | 'provisionalPoints' | 'salesCount') =>
			members.reduce((n, p) => n + p[key], 0);
		return {
			...t,
			points: sum('points'),
			provisionalPoints: sum('provisionalPoints'),
			salesCount: sum('salesCount'),
			reachedAt: i
		};
	});
	const teamEntries: LeaderboardEntry[] = rank(totals, options.tieRule).map((t) => ({
		rank: t.rank,
		id: t.id,
		name: t.name,
		points: t.points,
		provisionalPoints: t.provisionalPoints,
		salesCount: t.salesCount,
		emoji: t.emoji,
		color: t.color
	}));

	const activity: ActivityItem[] = Array.from({ length: 6 }, (_, i) => {
		const p = scored[Math.floor(random() * scored.length)];
		const item = ITEMS[Math.floor(random() * ITEMS.length)];
		const quantity = 1 + Math.floor(random() * 2);
		return {
			id: `sample-${i}`,
			seasonId: options.seasonId,
			kind: 'sale',
			userId: p.id,
			userName: p.name,
			teamName: teamOf.get(p.teamId)?.name ?? '',
			summary: `${quantity} × ${item}`,
			points: 10 * (1 + Math.floor(random() * 8)),
			provisional: random() < 0.3,
			at: options.now - (i * 17 + Math.floor(random() * 10)) * 60_000
		};
	});
	return {
		snapshot: { seasonId: options.seasonId, version: 0, individual, teams: teamEntries },
		activity,
		sample: { teams: options.teams.length === 0, people: options.people.length === 0 }
	};
}
