// The season a page shows, on the store (#20, db/store.ts): seasons/queries.ts's reads and
// seasons/choice.ts's choice (`?season=`, the remembered cookie, a person's latest live season,
// the current one), the review queue's seasons and the seasons' console lists, with the same
// assertions on a temp SQLite file and a throwaway PostgreSQL (tests/helpers/postgres.ts). "Two
// nodes" are two stores on one database: what one wrote, the other reads.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { chosenSeason } from '../../src/lib/server/seasons/choice';
import {
	getCurrentSeason,
	getReviewSeason,
	listCast,
	listConsoleSeasons,
	listResults,
	listReviewableSeasons,
	listSeasons,
	readLiveSeasonFor,
	readMembership,
	readProducts,
	readSeason,
	seasonHistory
} from '../../src/lib/server/seasons/queries';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('season-choice-store');
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2027, 2, 15);

// Every season of the file starts later than the ones before it: the latest is "current".
let lastStart = NOW - 1000 * DAY;

async function seasonOn(
	store: Store,
	options: {
		size: number;
		status?: 'live' | 'draft' | 'ended';
		endsAt?: number;
		graceDays?: number;
	}
) {
	const s = await liveSeasonOn(store, {
		size: options.size,
		teams: ['North', 'South'],
		endsAt: options.endsAt ?? NOW + 30 * DAY,
		status: options.status === 'draft' ? 'draft' : 'live'
	});
	const { season } = store.tables;
	await store.db
		.update(season)
		.set({
			startsAt: (lastStart += DAY),
			...(options.status === 'ended' ? { status: 'ended' as const } : {}),
			...(options.graceDays !== undefined ? { graceDays: options.graceDays } : {})
		})
		.where(eq(season.id, s.seasonId));
	return s;
}

/** A request's cookies: what the choice reads and what it sets. */
function cookieJar(initial: Record<string, string> = {}) {
	const values = new Map(Object.entries(initial));
	const set: string[] = [];
	return {
		set,
		cookies: {
			get: (name: string) => values.get(name),
			set: (name: string, value: string) => {
				values.set(name, value);
				set.push(`${name}=${value}`);
			}
		}
	};
}

const url = (query = '') => new URL(`http://127.0.0.1/${query}`);

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('one node’s seasons are the other’s: a season, the current one, a person’s latest live season, membership, catalogue', async () => {
		const a = await seasonOn(node(0), { size: 2 });
		const b = await seasonOn(node(0), { size: 1 });
		const { seasonMember, product } = node(0).tables;
		// a's first person takes part in b too: b started later, so b is their live season.
		await node(0)
			.db.insert(seasonMember)
			.values({ seasonId: b.seasonId, userId: a.people[0].id, teamId: b.teamIds[0] });
		await node(0)
			.db.insert(product)
			.values([
				{ seasonId: a.seasonId, sku: 'TV', name: 'Television', category: 'Video', points: 5 },
				{ seasonId: a.seasonId, sku: 'CASE', name: 'Case', category: 'Accessories', points: 1 },
				{ seasonId: a.seasonId, sku: 'AMP', name: 'Amplifier', category: 'Audio', points: 3 }
			]);

		expect((await readSeason(node(1), a.seasonId))?.name).toBe(a.name);
		expect(await readSeason(node(1), 1e9)).toBeUndefined();
		expect((await getCurrentSeason(node(1)))?.id).toBe(b.seasonId);
		expect((await readLiveSeasonFor(node(1), a.people[0].id))?.id).toBe(b.seasonId);
		expect((await readLiveSeasonFor(node(1), a.people[1].id))?.id).toBe(a.seasonId);
		expect(await readMembership(node(1), a.seasonId, a.people[1].id)).toMatchObject({
			teamId: a.teamIds[1],
			teamName: 'South'
		});
		expect(await readMembership(node(1), a.seasonId, b.people[0].id)).toBeUndefined();
		expect((await readProducts(node(1), a.seasonId)).map((p) => p.sku)).toEqual([
			'CASE',
			'AMP',
			'TV'
		]);

		// A season that ends is nobody's live season any more.
		const { season } = node(0).tables;
		await node(0).db.update(season).set({ status: 'ended' }).where(eq(season.id, b.seasonId));
		expect((await readLiveSeasonFor(node(1), a.people[0].id))?.id).toBe(a.seasonId);
		expect(await readLiveSeasonFor(node(1), b.people[0].id)).toBeUndefined();
	});

	it('chooses the asked season and remembers it, else the remembered one, else the person’s latest; a stranger’s address changes nothing', async () => {
		const a = await seasonOn(node(0), { size: 2 });
		const b = await seasonOn(node(0), { size: 1 });
		const { seasonMember } = node(0).tables;
		await node(0)
			.db.insert(seasonMember)
			.values({ seasonId: b.seasonId, userId: a.people[0].id, teamId: b.teamIds[0] });
		const person = { id: a.people[0].id, role: 'participant' as const };

		// Nothing asked or remembered: the latest live season the person takes part in.
		let jar = cookieJar();
		let chosen = await chosenSeason(node(1), person, url(), jar.cookies);
		expect(chosen.season?.id).toBe(b.seasonId);
		// Their live seasons only, latest first: the other seasons of the file are not theirs.
		expect(chosen.options.map((o) => o.id)).toEqual([b.seasonId, a.seasonId]);
		expect(jar.set).toEqual([]);

		// Asked: chosen and remembered.
		chosen = await chosenSeason(node(1), person, url(`?season=${a.seasonId}`), jar.cookies);
		expect(chosen.season?.id).toBe(a.seasonId);
		expect(jar.set).toEqual([`hb_season=${a.seasonId}`]);
		// Remembered: chosen on the next page, on the other node too, and not set again.
		chosen = await chosenSeason(node(0), person, url(), jar.cookies);
		expect(chosen.season?.id).toBe(a.seasonId);
		expect(jar.set).toHaveLength(1);

		// A season the person is not in, or no number at all: ignored, nothing remembered.
		const other = await seasonOn(node(0), { size: 1 });
		for (const asked of [String(other.seasonId), 'abc', '-1', '1e9']) {
			jar = cookieJar();
			chosen = await chosenSeason(node(1), person, url(`?season=${asked}`), jar.cookies);
			expect(chosen.season?.id).toBe(b.seasonId);
			expect(jar.set).toEqual([]);
		}

		// Staff may look at every live season, the latest first.
		const staff = { id: a.people[1].id, role: 'manager' as const };
		jar = cookieJar();
		chosen = await chosenSeason(node(1), staff, url(`?season=${other.seasonId}`), jar.cookies);
		expect(chosen.season?.id).toBe(other.seasonId);
		expect(chosen.options.slice(0, 3).map((o) => o.id)).toEqual([
			other.seasonId,
			b.seasonId,
			a.seasonId
		]);
	});

	it('a participant with no live season of their own sees no board; staff see the current one', async () => {
		const a = await seasonOn(node(0), { size: 1, status: 'draft' });
		const current = await seasonOn(node(0), { size: 1 });
		const outsider = { id: a.people[0].id, role: 'participant' as const };
		const none = await chosenSeason(node(1), outsider, url(), cookieJar().cookies);
		expect(none).toEqual({ season: undefined, options: [] });
		const executive = { id: a.people[0].id, role: 'executive' as const };
		const seen = await chosenSeason(node(1), executive, url(), cookieJar().cookies);
		expect(seen.season?.id).toBe(current.seasonId);
		// A manager who takes part in an older live season sees theirs first.
		const older = await seasonOn(node(0), { size: 1 });
		const newest = await seasonOn(node(0), { size: 1 });
		const manager = { id: older.people[0].id, role: 'manager' as const };
		const theirs = await chosenSeason(node(1), manager, url(), cookieJar().cookies);
		expect(theirs.season?.id).toBe(older.seasonId);
		expect(theirs.options[0].id).toBe(newest.seasonId);
	});

	it('the review queue’s seasons: live first, then those ended still in their grace period; the asked one when it is open', async () => {
		const live = await seasonOn(node(0), { size: 1 });
		// Ended yesterday with three days of grace: open. Ended five days ago: final.
		const grace = await seasonOn(node(0), {
			size: 1,
			status: 'ended',
			endsAt: NOW - DAY,
			graceDays: 3
		});
		const final = await seasonOn(node(0), {
			size: 1,
			status: 'ended',
			endsAt: NOW - 5 * DAY,
			graceDays: 3
		});
		const ours = new Set([live.seasonId, grace.seasonId, final.seasonId]);
		const open = (await listReviewableSeasons(node(1), NOW)).filter((s) => ours.has(s.id));
		expect(open.map((s) => [s.id, s.status])).toEqual([
			[live.seasonId, 'live'],
			[grace.seasonId, 'ended']
		]);
		// Every live season comes before every ended one.
		const all = await listReviewableSeasons(node(1), NOW);
		const firstEnded = all.findIndex((s) => s.status === 'ended');
		expect(all.slice(firstEnded).every((s) => s.status === 'ended')).toBe(true);

		expect((await getReviewSeason(node(1), NOW)).season?.id).toBe(live.seasonId);
		expect((await getReviewSeason(node(1), NOW, grace.seasonId)).season?.id).toBe(grace.seasonId);
		// A final season is never chosen, whatever the address asks.
		expect((await getReviewSeason(node(1), NOW, final.seasonId)).season?.id).toBe(live.seasonId);
		// The last instant of the grace period still counts.
		const graceEnd = NOW - DAY + 3 * DAY;
		const ids = async (now: number) => (await listReviewableSeasons(node(1), now)).map((s) => s.id);
		expect(await ids(graceEnd - 1)).toContain(grace.seasonId);
		expect(await ids(graceEnd)).not.toContain(grace.seasonId);
	});

	it('the console’s lists: people and teams per season, the history with who moved it, results, the cast', async () => {
		const s = await seasonOn(node(0), { size: 3, status: 'ended' });
		const { seasonTransition, seasonResult, user } = node(0).tables;
		const [boss] = await node(0)
			.db.insert(user)
			.values({
				email: `${dialect}-boss@example.test`,
				displayName: 'Boss Person',
				role: 'manager',
				passwordHash: 'x'
			})
			.returning({ id: user.id });
		await node(0)
			.db.insert(seasonTransition)
			.values([
				{
					seasonId: s.seasonId,
					toStatus: 'scheduled',
					at: 1,
					by: String(boss.id)
				},
				{ seasonId: s.seasonId, toStatus: 'live', at: 2, by: 'scheduler' },
				{ seasonId: s.seasonId, toStatus: 'ended', at: 3, by: '999999999' }
			]);
		await node(0)
			.db.insert(seasonResult)
			.values(
				[2, 1, 3].map((rank, i) => ({
					seasonId: s.seasonId,
					subjectType: 'user' as const,
					subjectId: s.people[i].id,
					rank,
					name: s.people[i].name,
					points: 100 - rank,
					provisionalPoints: 0,
					salesCount: 1,
					frozenAt: 5
				}))
			);

		const listed = (await listConsoleSeasons(node(1))).find((row) => row.id === s.seasonId);
		expect(listed).toMatchObject({ members: 3, teams: 2, status: 'ended' });
		const history = await seasonHistory(node(1), s.seasonId);
		expect(history.map((h) => h.toStatus)).toEqual(['scheduled', 'live', 'ended']);
		expect(history[0].by).toBe('Boss Person');
		expect(history[1].by).not.toBe('scheduler'); // the scheduler's own words
		// A person no longer there: their id, as recorded.
		expect(history[2].by).toBe('999999999');

		const ended = await listSeasons(node(1), 'ended');
		expect(ended.map((row) => row.id)).toContain(s.seasonId);
		expect(ended.every((row) => row.status === 'ended')).toBe(true);
		const every = await listSeasons(node(1));
		expect(every.length).toBeGreaterThan(ended.length);
		expect(every[0].startsAt).toBeGreaterThanOrEqual(every[every.length - 1].startsAt);

		expect((await listResults(node(1), s.seasonId)).map((r) => r.rank)).toEqual([1, 2, 3]);
		const cast = await listCast(node(1), s.seasonId);
		expect(cast.teams.map((t) => t.name)).toEqual(['North', 'South']);
		expect(cast.people.map((p) => p.id).sort((x, y) => x - y)).toEqual(
			s.people.map((p) => p.id).sort((x, y) => x - y)
		);
	});
});
