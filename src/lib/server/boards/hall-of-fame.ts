import { and, asc, desc, eq, inArray, or } from 'drizzle-orm';
import type { Store } from '../db/store';
import { readPrizes } from '../seasons/prizes';
import { graceEndsAt } from '../../contest/calendar';

// Every ended season's frozen results, ranks as stored when it ended: provisional during the
// grace period (late confirmations may still move them), final once archived. Read through the
// store (db/store.ts): what any node froze. The results no longer change once frozen, so the
// reads need no snapshot of their own.

const over = ({ season }: Store['tables']) =>
	or(eq(season.status, 'ended'), eq(season.status, 'archived'));

export interface ResultEntry {
	rank: number;
	id: number;
	name: string;
	teamName: string | null;
	points: number;
	provisionalPoints: number;
	salesCount: number;
	/** The team's colour and emoji (for a person: their team's), when the team still exists. */
	color?: string;
	emoji?: string;
}

/** Final once archived; `finalAt` is when the grace period ends (or ended). */
function finality(s: { status: string; endsAt: number; graceDays: number }) {
	return { final: s.status === 'archived', finalAt: graceEndsAt(s) };
}

async function entries(store: Store, seasonIds: number[]) {
	const { seasonResult } = store.tables;
	if (seasonIds.length === 0) return [];
	return store.db
		.select()
		.from(seasonResult)
		.where(inArray(seasonResult.seasonId, seasonIds))
		.orderBy(asc(seasonResult.rank), asc(seasonResult.name));
}

/** The seasons that are over, newest first, each with its podium and winning team. */
export async function listHallOfFame(store: Store) {
	const { season } = store.tables;
	const seasons = await store.db
		.select()
		.from(season)
		.where(over(store.tables))
		.orderBy(desc(season.endsAt), desc(season.id));
	const results = await entries(
		store,
		seasons.map((s) => s.id)
	);
	return seasons.map((s) => {
		const mine = results.filter((r) => r.seasonId === s.id);
		const people = mine.filter((r) => r.subjectType === 'user');
		return {
			id: s.id,
			name: s.name,
			status: s.status,
			theme: { primary: s.theme.primary, accent: s.theme.accent, emoji: s.theme.emoji },
			timeZone: s.timeZone,
			startsAt: s.startsAt,
			endsAt: s.endsAt,
			...finality(s),
			participants: people.length,
			podium: people
				.filter((r) => r.rank <= 3 && r.points > 0)
				.map((r) => ({ rank: r.rank, name: r.name, points: r.points })),
			bestTeam:
				mine.find((r) => r.subjectType === 'team' && r.rank === 1 && r.points > 0)?.name ?? null
		};
	});
}

/** One season's results, or null when it is not over (or does not exist). */
export async function hallOfFameSeason(store: Store, seasonId: number) {
	const { season, team } = store.tables;
	const [s] = await store.db
		.select()
		.from(season)
		.where(and(eq(season.id, seasonId), over(store.tables)));
	if (!s) return null;
	const teams = await store.db.select().from(team).where(eq(team.seasonId, s.id));
	const byName = new Map(teams.map((t) => [t.name, t]));
	const byId = new Map(teams.map((t) => [t.id, t]));
	const rows = await entries(store, [s.id]);
	const prizes = await readPrizes(store, s.id);
	const entry = (r: (typeof rows)[number]): ResultEntry => {
		const t =
			r.subjectType === 'team'
				? byId.get(r.subjectId)
				: r.teamName
					? byName.get(r.teamName)
					: undefined;
		return {
			rank: r.rank,
			id: r.subjectId,
			name: r.name,
			teamName: r.teamName,
			points: r.points,
			provisionalPoints: r.provisionalPoints,
			salesCount: r.salesCount,
			color: t?.color,
			emoji: t?.emoji
		};
	};
	return {
		season: {
			id: s.id,
			name: s.name,
			status: s.status,
			theme: s.theme,
			timeZone: s.timeZone,
			startsAt: s.startsAt,
			endsAt: s.endsAt,
			target: s.target,
			...finality(s),
			prizes
		},
		frozenAt: rows[0]?.frozenAt ?? null,
		individual: rows.filter((r) => r.subjectType === 'user').map(entry),
		teams: rows.filter((r) => r.subjectType === 'team').map(entry)
	};
}
