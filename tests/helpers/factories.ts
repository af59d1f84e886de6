import { sqliteStore } from '../../src/lib/server/db/store';
import type { Db } from '../../src/lib/server/db';
import {
	product,
	season,
	seasonMember,
	team,
	user,
	type SeasonTheme
} from '../../src/lib/server/db/schema';
import { hashPassword } from '../../src/lib/server/auth/password';
import type { Role } from '../../src/lib/contest/types';
import { createKnockout } from '../../src/lib/server/knockouts/commands';
import type { KnockoutInput } from '../../src/lib/server/knockouts/knockout-form';

const DAY = 24 * 60 * 60 * 1000;
let counter = 0;
const next = () => ++counter;

export const theme: SeasonTheme = {
	primary: '#2563eb',
	accent: '#f59e0b',
	emoji: '🏆',
	tagline: 'Test season'
};

/** A live season around `now` with the given overrides. */
export function makeSeason(
	db: Db,
	overrides: Partial<typeof season.$inferInsert> = {},
	now = Date.now()
) {
	return db
		.insert(season)
		.values({
			name: `Season ${next()}`,
			theme,
			timeZone: 'UTC',
			startsAt: now - 30 * DAY,
			endsAt: now + 60 * DAY,
			status: 'live',
			...overrides
		})
		.returning()
		.get();
}

export function makeTeam(db: Db, seasonId: number, name = `Team ${next()}`) {
	return db.insert(team).values({ seasonId, name }).returning().get();
}

export function makeProduct(
	db: Db,
	seasonId: number,
	overrides: Partial<typeof product.$inferInsert> = {}
) {
	const n = next();
	return db
		.insert(product)
		.values({
			seasonId,
			sku: `SKU-${n}`,
			name: `Product ${n}`,
			category: 'Phones',
			points: 10,
			price: 10000,
			...overrides
		})
		.returning()
		.get();
}

/** A user; with `password` the hash is real (slow: argon2), otherwise a placeholder. */
export async function makeUser(
	db: Db,
	overrides: { email?: string; name?: string; role?: Role; password?: string } = {}
) {
	const n = next();
	return db
		.insert(user)
		.values({
			email: overrides.email ?? `user${n}@test.test`,
			displayName: overrides.name ?? `User ${n}`,
			role: overrides.role ?? 'participant',
			passwordHash: overrides.password ? await hashPassword(overrides.password) : 'no-password'
		})
		.returning()
		.get();
}

export async function makeMember(
	db: Db,
	seasonId: number,
	teamId: number,
	overrides: Parameters<typeof makeUser>[1] = {}
) {
	const member = await makeUser(db, overrides);
	db.insert(seasonMember).values({ seasonId, userId: member.id, teamId }).run();
	return member;
}

/** A live season with `teams` teams, `people` members spread over them and a few products. */
export async function makeContest(
	db: Db,
	options: { teams?: number; people?: number; requireConfirmation?: boolean } = {}
) {
	const s = makeSeason(db, { requireConfirmation: options.requireConfirmation ?? false });
	const teams = Array.from({ length: options.teams ?? 2 }, () => makeTeam(db, s.id));
	const people = [];
	for (let i = 0; i < (options.people ?? 4); i++)
		people.push(await makeMember(db, s.id, teams[i % teams.length].id));
	const products = [
		makeProduct(db, s.id, {
			sku: 'PHONE',
			name: 'Phone',
			category: 'Phones',
			points: 50,
			price: 99900
		}),
		makeProduct(db, s.id, {
			sku: 'CASE',
			name: 'Case',
			category: 'Accessories',
			points: 5,
			price: 2900
		}),
		makeProduct(db, s.id, {
			sku: 'OLD',
			name: 'Old model',
			category: 'Phones',
			points: 20,
			active: false
		})
	];
	return { season: s, teams, people, products };
}

/** Standings as stored vs the same totals summed from the ledger: they must always agree. */
/** A season's standings (its one parameter: the season), as standingsVsLedger compares them. */
export const STANDINGS_SQL = `
	select subject_type as type, subject_id as id, confirmed_points as confirmed, provisional_points as provisional
	from standing where season_id = ? order by 1, 2`;
/** The same from the ledger (its two parameters: the season, twice). */
export const STANDINGS_FROM_LEDGER_SQL = `
	select 'team' as type, team_id as id,
		sum(case when status = 'confirmed' then points else 0 end) as confirmed,
		sum(case when status = 'provisional' then points else 0 end) as provisional
	from ledger_entry where season_id = ? group by team_id
	union all
	select 'user', user_id,
		sum(case when status = 'confirmed' then points else 0 end),
		sum(case when status = 'provisional' then points else 0 end)
	from ledger_entry where season_id = ? group by user_id
	order by 1, 2`;

type StandingRow = { type: string; id: number; confirmed: number; provisional: number };

export function standingsVsLedger(db: Db, seasonId: number) {
	const stored = db.$client.prepare(STANDINGS_SQL).all(seasonId) as StandingRow[];
	const fromLedger = db.$client
		.prepare(STANDINGS_FROM_LEDGER_SQL)
		.all(seasonId, seasonId) as StandingRow[];
	return { stored, fromLedger };
}

/**
 * A knockout of four people on points, one-day rounds from `startsAt` with a 2-hour grace,
 * created the day before it starts by the system; `input` changes any of its settings.
 */
export async function makeCup(
	db: Db,
	seasonId: number,
	startsAt: number,
	input: Partial<KnockoutInput> = {}
) {
	return await createKnockout(
		sqliteStore(db),
		seasonId,
		{
			name: 'Cup',
			subject: 'user',
			measure: 'points',
			size: 4,
			roundLength: 1,
			roundUnit: 'day',
			graceHours: 2,
			startsAt,
			prize: null,
			requestId: `cup-${next()}`,
			...input
		},
		{ userId: null },
		() => startsAt - DAY
	);
}
