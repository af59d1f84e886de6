// A team's frozen win of a sprint, a knockout or a duel counts toward its members' "sprints won",
// "knockouts won" and "duels won" badges (#17), through the real services on a temp SQLite file and a fake
// clock: the members of the winning team when the result froze get the badge, once however
// often the scheduler runs; the losing team and a person who left the winning team before the
// freeze get nothing, nor does anyone for a draw; a badge created later (the re-evaluation) finds the same people even after
// someone joined the team since.
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest, standingsVsLedger, makeCup } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { award, challenge, ledgerEntry, type Badge } from '../../src/lib/server/db/schema';
import { createBadge } from '../../src/lib/server/badges/commands';
import { recordOn } from '../helpers/record-sale';
import { moveMember } from '../../src/lib/server/teams/members';
import { createSprint } from '../../src/lib/server/sprints/commands';
import { runBracketJobs } from '../../src/lib/server/knockouts/job';
import { createDuel } from '../../src/lib/server/challenges/commands';
import { advanceChallenges } from '../../src/lib/server/challenges/advance';
import { dayKeyOf } from '../../src/lib/contest/zone-calendar';
import { setPublisher, type LivePublisher } from '../../src/lib/server/realtime/publish';
import type { BadgeCriterion } from '../../src/lib/contest/badges';
import type { BadgeEvent } from '../../src/lib/realtime/events';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const SYSTEM = { userId: null };

let ctx: ReturnType<typeof tempDb>;
let db: Db;
let pushed: BadgeEvent[];

beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
	pushed = [];
	setPublisher({
		badge: (event: BadgeEvent) => pushed.push(event),
		activity: () => {},
		leaderboardChanged: () => {},
		season: () => {}
	} as unknown as LivePublisher);
});
afterEach(() => {
	setPublisher(undefined);
	ctx.cleanup();
});

const draft = (name: string, criterion: BadgeCriterion, points = 0) => ({
	name,
	emoji: '🏅',
	description: '',
	points,
	criterion,
	active: true
});

const holders = (b: Badge) =>
	db
		.select({ subjectType: award.subjectType, subjectId: award.subjectId, at: award.earnedAt })
		.from(award)
		.where(eq(award.badgeId, b.id))
		.orderBy(award.subjectId)
		.all();

const bonusOf = (b: Badge) =>
	db
		.select({ userId: ledgerEntry.userId, teamId: ledgerEntry.teamId, points: ledgerEntry.points })
		.from(ledgerEntry)
		.innerJoin(award, eq(award.id, ledgerEntry.awardId))
		.where(and(eq(ledgerEntry.kind, 'badge'), eq(award.badgeId, b.id)))
		.orderBy(ledgerEntry.userId)
		.all();

let n = 0;
const sell = (sellerId: number, at: number, phones = 1) =>
	recordOn(
		db,
		{
			source: 'api',
			externalId: `t${++n}`,
			seller: { userId: sellerId },
			occurredAt: at,
			lines: [{ sku: 'PHONE', quantity: phones }]
		},
		() => at,
		{ awards: false }
	);

/** Two teams of three: team 0 = people 0, 2, 4; team 1 = people 1, 3, 5. */
async function contest() {
	const made = await makeContest(db, { teams: 2, people: 6 });
	const base = Date.now() - 20 * DAY;
	return { ...made, base };
}

describe('a team sprint won', () => {
	it('gives each member of the winning team at the freeze the badge, once', async () => {
		const { season, teams, people, base } = await contest();
		const [ann, bob, cat, , eve, fay] = people;
		const { badge: sprinter } = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Sprinter', { kind: 'sprints_won', count: 1 }, 10),
			{},
			() => base - DAY
		);
		await createSprint(
			sqliteStore(db),
			season.id,
			{
				name: 'Team race',
				subject: 'team',
				measure: 'points',
				target: 150,
				startsAt: base,
				endsAt: base + 2 * DAY,
				prize: null,
				requestId: 'team-race'
			},
			SYSTEM,
			() => base - DAY
		);
		await runBracketJobs(sqliteStore(db), () => base);
		await sell(bob.id, base + HOUR, 2);
		// Team 0 reaches 150 first: Ann's 100 and Cat's 50.
		await sell(ann.id, base + 2 * HOUR, 2);
		await sell(cat.id, base + 3 * HOUR);
		// Eve leaves the winning team before the result is frozen.
		await moveMember(sqliteStore(db), season.id, eve.id, teams[1].id, SYSTEM, () => base + DAY);
		await runBracketJobs(sqliteStore(db), () => base + 4 * HOUR);
		expect(holders(sprinter)).toEqual([]);

		const final = base + 3 * HOUR + 7 * DAY;
		await runBracketJobs(sqliteStore(db), () => final);
		const members = [
			{ subjectType: 'user', subjectId: ann.id, at: final },
			{ subjectType: 'user', subjectId: cat.id, at: final }
		];
		expect(holders(sprinter)).toEqual(members);
		// The badge's points are each member's, in the team they won with.
		expect(bonusOf(sprinter)).toEqual([
			{ userId: ann.id, teamId: teams[0].id, points: 10 },
			{ userId: cat.id, teamId: teams[0].id, points: 10 }
		]);
		expect(pushed.map((e) => e.subjectId).sort()).toEqual([ann.id, cat.id].sort());

		// Another run (a restart): nothing more.
		await runBracketJobs(sqliteStore(db), () => final + HOUR);
		await runBracketJobs(sqliteStore(db), () => final + DAY);
		expect(holders(sprinter)).toEqual(members);
		expect(pushed).toHaveLength(2);

		// Fay joins the winning team after the freeze: a badge created now counts the team as it
		// was when the sprint froze.
		await moveMember(sqliteStore(db), season.id, fay.id, teams[0].id, SYSTEM, () => final + HOUR);
		const later = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Sprinter (later)', { kind: 'sprints_won', count: 1 }),
			{},
			() => final + DAY
		);
		expect(holders(later.badge)).toEqual(members);
		const check = standingsVsLedger(db, season.id);
		expect(check.stored).toEqual(check.fromLedger);
	});
});

describe('a team knockout won', () => {
	it('gives each member of the winning team at the final the badge, once', async () => {
		const { season, teams, people, base } = await contest();
		const [ann, bob, cat, dan] = people;
		const { badge: champion } = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Champions', { kind: 'knockouts_won', count: 1 }, 25),
			{},
			() => base - DAY
		);
		// Team 1 leads at the start (seed 1), team 0 is seed 2; one round: the final.
		await sell(bob.id, base - DAY, 2);
		await sell(ann.id, base - DAY);
		await makeCup(db, season.id, base, { name: 'Team cup', subject: 'team' });
		await runBracketJobs(sqliteStore(db), () => base);
		// The final's day: team 0 (Ann, Cat) 200 points, team 1 (Dan) 50.
		await sell(ann.id, base + HOUR, 3);
		await sell(cat.id, base + 2 * HOUR);
		await sell(dan.id, base + 3 * HOUR);
		await runBracketJobs(sqliteStore(db), () => base + DAY);
		expect(holders(champion)).toEqual([]);

		const end = base + DAY + 2 * HOUR;
		await runBracketJobs(sqliteStore(db), () => end);
		await runBracketJobs(sqliteStore(db), () => end + HOUR);
		const team0 = people.filter((_, i) => i % 2 === 0).map((p) => p.id);
		expect(holders(champion).map((a) => a.subjectId)).toEqual(team0);
		expect(holders(champion).every((a) => a.at === end)).toBe(true);
		expect(holders(champion).map((a) => a.subjectId)).not.toContain(dan.id);
		expect(bonusOf(champion).every((e) => e.teamId === teams[0].id && e.points === 25)).toBe(true);
		expect(pushed.filter((e) => e.badge.id === champion.id)).toHaveLength(team0.length);

		const later = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Champions (later)', { kind: 'knockouts_won', count: 1 }),
			{},
			() => end + DAY
		);
		expect(holders(later.badge)).toEqual(holders(champion));
		const check = standingsVsLedger(db, season.id);
		expect(check.stored).toEqual(check.fromLedger);
	});
});

describe('a team duel won', () => {
	it('gives each member of the winning team at the freeze the badge, once; a draw gives none', async () => {
		const { season, teams, people, base } = await contest();
		const [ann, bob, cat, dan, eve, fay] = people;
		const { badge: duellist } = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Duellist', { kind: 'duels_won', count: 1 }, 5),
			{},
			() => base - DAY
		);
		// Two team duels (the season is in UTC): team 0 against team 1 on day one, a draw on day two.
		const day1 = Math.floor(base / DAY) * DAY + DAY;
		const day2 = day1 + DAY;
		const duel = (day: number, requestId: string) =>
			createDuel(
				sqliteStore(db),
				{
					seasonId: season.id,
					actor: SYSTEM,
					subject: 'team',
					challengerId: teams[0].id,
					opponentId: teams[1].id,
					measure: 'points',
					preset: 'custom',
					fromDate: dayKeyOf(day, 'UTC'),
					toDate: dayKeyOf(day, 'UTC'),
					stake: 0,
					requestId
				},
				() => base
			);
		await duel(day1, 'won');
		await duel(day2, 'draw');
		await advanceChallenges(sqliteStore(db), () => day1);
		// Day one: team 0 (Ann, Cat) 150 points, team 1 (Bob) 50. Day two: 50 each.
		await sell(ann.id, day1 + HOUR, 2);
		await sell(cat.id, day1 + 2 * HOUR);
		await sell(bob.id, day1 + 3 * HOUR);
		await sell(cat.id, day2 + HOUR);
		await sell(dan.id, day2 + 2 * HOUR);
		await advanceChallenges(sqliteStore(db), () => day2 + DAY);
		// Eve leaves the winning team after the day, before the result is frozen.
		await moveMember(
			sqliteStore(db),
			season.id,
			eve.id,
			teams[1].id,
			SYSTEM,
			() => day2 + DAY + HOUR
		);
		expect(holders(duellist)).toEqual([]);

		const final = day1 + DAY + 7 * DAY;
		await advanceChallenges(sqliteStore(db), () => final);
		const members = [
			{ subjectType: 'user', subjectId: ann.id, at: final },
			{ subjectType: 'user', subjectId: cat.id, at: final }
		];
		expect(holders(duellist)).toEqual(members);
		expect(bonusOf(duellist)).toEqual([
			{ userId: ann.id, teamId: teams[0].id, points: 5 },
			{ userId: cat.id, teamId: teams[0].id, points: 5 }
		]);
		expect(pushed.map((e) => e.subjectId).sort()).toEqual([ann.id, cat.id].sort());

		// The draw freezes a day later and gives nobody anything; further runs (a restart) neither.
		await advanceChallenges(sqliteStore(db), () => final + DAY);
		await advanceChallenges(sqliteStore(db), () => final + 2 * DAY);
		expect(
			db
				.select({ status: challenge.status, winnerId: challenge.winnerId })
				.from(challenge)
				.orderBy(challenge.id)
				.all()
		).toEqual([
			{ status: 'final', winnerId: teams[0].id },
			{ status: 'final', winnerId: null }
		]);
		expect(holders(duellist)).toEqual(members);
		expect(pushed).toHaveLength(2);

		// Fay joins the winning team after the freeze: a badge created now counts the team as it
		// was when the duel froze.
		await moveMember(sqliteStore(db), season.id, fay.id, teams[0].id, SYSTEM, () => final + HOUR);
		const later = await createBadge(
			sqliteStore(db),
			season.id,
			draft('Duellist (later)', { kind: 'duels_won', count: 1 }),
			{},
			() => final + 3 * DAY
		);
		expect(holders(later.badge)).toEqual(members);
		const check = standingsVsLedger(db, season.id);
		expect(check.stored).toEqual(check.fromLedger);
	});
});
