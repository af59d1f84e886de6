import { and, desc, eq, gte, isNull, ne, or } from 'drizzle-orm';
import type { Queryable } from '../db';
import { knockout, type Knockout, type KnockoutStatus, type SubjectType } from '../db/schema';
import type { FormatView } from '../formats/views';
import { subjectNames } from '../sprints/names';
import { bracketOf, seasonOf } from './bracket';

// What boards, the TV and /knockouts show of a season's knockouts: the bracket as it stands,
// live values for the rounds under way. Registered as the format view 'knockouts'.

const SHOWN_AFTER_END_MS = 3 * 24 * 3_600_000;

export interface MatchCard {
	slot: number;
	a: { id: number; name: string; seed: number | null } | null;
	b: { id: number; name: string; seed: number | null } | null;
	aValue: number | null;
	bValue: number | null;
	winnerId: number | null;
	/** Final (a frozen round, or a bye). */
	decided: boolean;
	bye: boolean;
}

export interface RoundCard {
	round: number;
	startsAt: number;
	endsAt: number;
	started: boolean;
	matches: MatchCard[];
}

export interface KnockoutCard {
	id: number;
	name: string;
	subject: SubjectType;
	measure: string;
	size: number;
	startsAt: number;
	prize: string | null;
	status: KnockoutStatus;
	graceHours: number;
	winner: { id: number; name: string } | null;
	/** The round under way (or the last one), for "Round 2 of 3". */
	current: number;
	rounds: RoundCard[];
}

export function knockoutCard(db: Queryable, k: Knockout, now: number): KnockoutCard {
	const s = seasonOf(db, k.seasonId);
	const bracket = s ? bracketOf(db, k, s, now) : null;
	const ids = new Set<number>();
	for (const round of bracket?.rounds ?? [])
		for (const m of round) for (const id of [m.aId, m.bId]) if (id !== null) ids.add(id);
	if (k.winnerId !== null) ids.add(k.winnerId);
	const names = subjectNames(db, k.subject, [...ids]);
	const side = (id: number | null, seed: number | null) =>
		id === null ? null : { id, name: names.get(id) ?? '?', seed };
	const rounds: RoundCard[] = (bracket?.rounds ?? []).map((matches, r) => ({
		round: r,
		startsAt: bracket!.windows[r][0],
		endsAt: bracket!.windows[r][1],
		started: r < bracket!.roundsStarted,
		matches: matches.map((m) => ({
			slot: m.slot,
			a: side(m.aId, m.aSeed),
			b: side(m.bId, m.bSeed),
			aValue: m.aValue,
			bValue: m.bValue,
			winnerId: m.winnerId,
			decided: m.decided,
			bye: r === 0 && m.aId !== null && m.bId === null
		}))
	}));
	return {
		id: k.id,
		name: k.name,
		subject: k.subject,
		measure: k.measure,
		size: k.size,
		startsAt: k.startsAt,
		prize: k.prize,
		status: k.status,
		graceHours: k.graceHours,
		winner: k.winnerId !== null ? { id: k.winnerId, name: names.get(k.winnerId) ?? '?' } : null,
		current: Math.max(0, (bracket?.roundsStarted ?? 1) - 1),
		rounds
	};
}

export function knockoutsOf(
	db: Queryable,
	seasonId: number,
	now: number,
	options: { all?: boolean } = {}
): Knockout[] {
	return db
		.select()
		.from(knockout)
		.where(
			and(
				eq(knockout.seasonId, seasonId),
				// A cancelled knockout shows nowhere (the console lists it).
				ne(knockout.status, 'cancelled'),
				options.all
					? undefined
					: or(isNull(knockout.finalizedAt), gte(knockout.finalizedAt, now - SHOWN_AFTER_END_MS))
			)
		)
		.orderBy(desc(knockout.startsAt), desc(knockout.id))
		.all();
}

export interface KnockoutsState {
	knockouts: KnockoutCard[];
}

export const knockoutsView: FormatView = {
	name: 'knockouts',
	build(db, seasonId, now): KnockoutsState | null {
		const knockouts = knockoutsOf(db, seasonId, now).map((k) => knockoutCard(db, k, now));
		return knockouts.length > 0 ? { knockouts } : null;
	}
};
