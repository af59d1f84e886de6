import { and, eq } from 'drizzle-orm';
import type { Store } from '../db/store';
import type { Locale } from '../../i18n/locales';
import { elapsedShare } from '../../contest/quota';
import { m } from '../../paraglide/messages.js';
import { SYSTEM } from '../audit/record';
import { placeAutomatically, saveDivision } from './commands';
import { readDivisions } from './standings';
import { importQuotas } from '../quotas/commands';

// The demo's divisions and quotas (#17): last quarter's season, archived with its results (so
// that placement by last place and "most improved" have something to read), three divisions
// placed by last quarter's final place (Gold, Silver, Bronze dealers, as in the distributor
// programme), and a target for every rep and team — some ahead of plan, some behind.
// Idempotent: a season that has divisions is left as it is.

const DAY = 24 * 60 * 60 * 1000;
/** Last quarter's points against this quarter's projection: who improves, who slips. */
const LAST_PACE = [1.3, 0.8, 1.1, 0.6, 1.5, 0.9, 1.0, 0.7, 1.2, 1.4];
/** Target against this quarter's projection: below 1 is ahead of plan, above 1 behind. */
const TARGET_PACE = [0.8, 1.25, 0.95, 1.5, 1.1, 0.7, 1.35, 0.9, 1.05, 1.2, 0.85];

export async function seedDemoDivisions(
	store: Store,
	options: { seasonId: number; locale: Locale; now: number }
): Promise<void> {
	const { seasonId, locale, now } = options;
	const { quota, season, seasonMember, seasonResult, standing, team, user } = store.tables;
	if ((await readDivisions(store, seasonId)).length > 0) return;
	const [s] = await store.db.select().from(season).where(eq(season.id, seasonId));
	if (!s) return;
	const share = Math.max(0.1, elapsedShare(s.startsAt, s.endsAt, now));
	const reps = (
		await store.db
			.select({ id: user.id, name: user.displayName, points: standing.confirmedPoints })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.leftJoin(
				standing,
				and(
					eq(standing.seasonId, seasonId),
					eq(standing.subjectType, 'user'),
					eq(standing.subjectId, seasonMember.userId)
				)
			)
			.where(eq(seasonMember.seasonId, seasonId))
			.orderBy(user.id)
	).map((r) => ({ ...r, projected: Math.max(100, Math.round((r.points ?? 0) / share)) }));

	// Last quarter, archived with its results; rep20 joined this quarter (no result).
	const length = s.endsAt - s.startsAt;
	const [last] = await store.db
		.insert(season)
		.values({
			key: 'demo-last',
			name: m.divisions_demo_last_season({}, { locale }),
			theme: s.theme,
			timeZone: s.timeZone,
			startsAt: s.startsAt - length,
			endsAt: s.startsAt,
			status: 'archived',
			finalizedAt: s.startsAt + 7 * DAY,
			createdAt: s.startsAt - length
		})
		.onConflictDoNothing()
		.returning();
	if (last) {
		const results = reps
			.slice(0, -1)
			.map((r, i) => ({ ...r, last: Math.round(r.projected * LAST_PACE[i % LAST_PACE.length]) }))
			.sort((a, b) => b.last - a.last);
		if (results.length > 0)
			await store.db.insert(seasonResult).values(
				results.map((r, i) => ({
					seasonId: last.id,
					subjectType: 'user' as const,
					subjectId: r.id,
					name: r.name,
					rank: i + 1,
					points: r.last,
					provisionalPoints: 0,
					salesCount: Math.max(1, Math.round(r.last / 120)),
					frozenAt: s.startsAt
				}))
			);
	}

	const o = { locale };
	const divisions = [
		[m.divisions_demo_gold({}, o), m.divisions_demo_gold_prize({}, o)],
		[m.divisions_demo_silver({}, o), m.divisions_demo_silver_prize({}, o)],
		[m.divisions_demo_bronze({}, o), m.divisions_demo_bronze_prize({}, o)]
	];
	for (const [name, prize] of divisions)
		await saveDivision(
			store,
			{ id: null, seasonId, name, promote: 2, relegate: 2, prizes: [{ title: prize, place: 1 }] },
			SYSTEM,
			now
		);
	await placeAutomatically(store, seasonId, 'last_place', SYSTEM, now);

	const [hasQuota] = await store.db
		.select({ id: quota.id })
		.from(quota)
		.where(eq(quota.seasonId, seasonId))
		.limit(1);
	if (hasQuota) return;
	const round = (n: number) => Math.max(50, Math.round(n / 50) * 50);
	const people = reps.map((r, i) => ({
		subjectType: 'user' as const,
		subjectId: r.id,
		targetPoints: round(r.projected * TARGET_PACE[i % TARGET_PACE.length])
	}));
	const teams = await store.db
		.select({ id: team.id, members: seasonMember.userId })
		.from(team)
		.innerJoin(seasonMember, eq(seasonMember.teamId, team.id))
		.where(eq(team.seasonId, seasonId));
	const teamTargets = new Map<number, number>();
	for (const t of teams) {
		const target = people.find((p) => p.subjectId === t.members)?.targetPoints ?? 0;
		teamTargets.set(t.id, (teamTargets.get(t.id) ?? 0) + target);
	}
	await importQuotas(
		store,
		seasonId,
		[
			...people,
			...[...teamTargets].map(([id, target]) => ({
				subjectType: 'team' as const,
				subjectId: id,
				targetPoints: round(target)
			}))
		],
		SYSTEM,
		now
	);
}
