// Scoring rules and campaigns on activities (#17) against the production build: an activity
// target's multiplier in the API's answer, the board and the ledger's breakdown; its window, its
// daily cap (per person and local day in the season's zone, not UTC); a replay counted once; the
// console's rule form (managers only, bonuses on activities refused); a season recalculation
// rescoring activities as it rescores sales.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { eq } from 'drizzle-orm';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import {
	readDb,
	seedServerDb,
	signIn,
	withDb,
	withStore,
	PASSWORD,
	type SeededDb
} from '../helpers/seeded';
import { makeUser, standingsVsLedger } from '../helpers/factories';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { sqliteStore } from '../../src/lib/server/db/store';
import { openDatabase } from '../../src/lib/server/db';
import { season } from '../../src/lib/server/db/schema';
import { createActivityType } from '../../src/lib/server/activities/types';
import { createRule } from '../../src/lib/server/rules/commands';
import { localDateKey, addDaysToKey } from '../../src/lib/contest/calendar';
import { localDateWindow } from '../../src/lib/contest/rules';
import { campaignEffectsReads } from '../../src/lib/server/dashboard/queries';
import { runRawSync } from '../../src/lib/server/db/raw-reads';

// UTC+1 in winter: 00:30 on a local day is still the previous day in UTC, which a cap counted
// by UTC day would get wrong.
const TZ = 'Europe/Stockholm';
const DAY = 24 * 60 * 60 * 1000;

let seeded: SeededDb;
let server: RunningServer;
let token = '';
const sessions = { rep: '', manager: '' };
const rules = { demoWeek: 0, friday: 0 };
// The campaign day D, ten local days ago, and its neighbours as YYYY-MM-DD.
const D = addDaysToKey(localDateKey(Date.now(), TZ), -10);
const dayOf = (offset: number) => addDaysToKey(D, offset);
/** An instant on the local day D + offset, at hh:mm in the season's zone. */
function at(offset: number, hour: number, minute = 0): string {
	const [y, m, d] = dayOf(offset).split('-').map(Number);
	return new Date(new TZDate(y, m - 1, d, hour, minute, TZ).getTime()).toISOString();
}

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 2 });
	const db = openDatabase(seeded.path);
	try {
		db.update(season).set({ timeZone: TZ }).where(eq(season.id, seeded.seasonId)).run();
		await makeUser(db, { email: 'boss@test.test', role: 'manager', password: PASSWORD });
		token = (await createApiToken(sqliteStore(db), { name: 'crm', role: 'integration' })).token;
		const id = seeded.seasonId;
		await createActivityType(
			sqliteStore(db),
			id,
			{ key: 'call', name: 'Customer call', points: 2, emoji: '📞' },
			{}
		);
		await createActivityType(
			sqliteStore(db),
			id,
			{ key: 'demo', name: 'Product demo', points: 15, emoji: '🎯' },
			{}
		);
		const draft = { active: true, highlight: true, dailyCap: null };
		rules.demoWeek = (
			await createRule(
				sqliteStore(db),
				id,
				{
					...draft,
					name: 'Demo week',
					...localDateWindow(dayOf(-1), dayOf(1), TZ),
					target: { kind: 'activity', type: 'demo' },
					effect: { kind: 'multiplier', factor: 2 }
				},
				{}
			)
		).id;
		rules.friday = (
			await createRule(
				sqliteStore(db),
				id,
				{
					...draft,
					name: 'Activity days',
					...localDateWindow(dayOf(0), dayOf(1), TZ),
					target: { kind: 'activity' },
					effect: { kind: 'multiplier', factor: 3 },
					dailyCap: 30
				},
				{}
			)
		).id;
		// A sale-line rule over the same days: it must never touch an activity.
		await createRule(
			sqliteStore(db),
			id,
			{
				...draft,
				name: 'Everything ×5',
				...localDateWindow(dayOf(-5), dayOf(5), TZ),
				target: { kind: 'any' },
				effect: { kind: 'multiplier', factor: 5 }
			},
			{}
		);
	} finally {
		db.$client.close();
	}
	server = await startServer({ dbPath: seeded.path });
	sessions.rep = await signIn(server.url, seeded.people[0].email);
	sessions.manager = await signIn(server.url, 'boss@test.test');
}, 120_000);

afterAll(async () => {
	await server?.dispose();
	seeded?.cleanup();
});

const person = () => seeded.people[0];

async function log(externalId: string, type: string, quantity: number, occurredAt: string) {
	const response = await fetch(`${server.url}/api/v1/activities`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify({
			externalId,
			person: { email: person().email },
			type,
			occurredAt,
			quantity
		})
	});
	const body = (await response.json()) as { activity: { id: number; points: number } };
	return { status: response.status, ...body.activity };
}

async function boardPoints(userId: number): Promise<number> {
	const response = await fetch(
		`${server.url}/api/v1/seasons/${seeded.seasonId}/leaderboard?limit=100`,
		{ headers: { authorization: `Bearer ${token}` } }
	);
	const body = (await response.json()) as { entries: { id: number; points: number }[] };
	return body.entries.find((e) => e.id === userId)?.points ?? 0;
}

interface Item {
	points: number;
	ruleId?: number;
	words?: { kind: string; rule: string; factor: number; product: string; cap?: string };
}
/** The ledger entry's breakdown items of an activity (and the activity's own, which must match). */
function breakdownOf(activityId: number): Item[] {
	return readDb(seeded.path, (db) => {
		const entry = db
			.prepare("select breakdown from ledger_entry where activity_id = ? and kind = 'activity'")
			.pluck()
			.get(activityId) as string;
		const own = db.prepare('select breakdown from activity where id = ?').pluck().get(activityId);
		expect(own).toBe(entry);
		return (JSON.parse(entry) as { items: Item[] }).items;
	});
}
const ruleItems = (items: Item[]) =>
	items.filter((i) => i.ruleId != null).map((i) => [i.ruleId, i.points, i.words?.cap ?? null]);

async function action(path: string, session: string, fields: Record<string, string>) {
	const response = await fetch(`${server.url}${path}`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: {
			cookie: `session=${session}`,
			origin: server.url,
			accept: 'application/json',
			'x-sveltekit-action': 'true'
		}
	});
	const result = await response.json();
	return {
		status: (result.status as number | undefined) ?? response.status,
		type: result.type as string,
		data: (typeof result.data === 'string' ? devalue.parse(result.data) : result.data) as
			Record<string, unknown> | undefined
	};
}

const ruleCount = () =>
	readDb(seeded.path, (db) => db.prepare('select count(*) from rule').pluck().get() as number);

describe('activity campaigns through the API', () => {
	let total = 0;
	const check = async (
		id: string,
		type: string,
		quantity: number,
		when: string,
		points: number,
		items: unknown[]
	) => {
		const logged = await log(id, type, quantity, when);
		expect(logged.status).toBe(201);
		expect(logged.points).toBe(points);
		expect(ruleItems(breakdownOf(logged.id))).toEqual(items);
		total += points;
		expect(await boardPoints(person().id)).toBe(total);
		return logged;
	};

	it('multiplies in the window, caps per local day, and counts a replay once', async () => {
		// ×3 on every activity on D and D+1, at most 30 extra points a person a day.
		const first = await check('c1', 'call', 5, at(0, 10), 30, [[rules.friday, 20, null]]);
		await check('c2', 'call', 5, at(0, 11), 20, [[rules.friday, 10, 'partial']]);
		await check('c3', 'call', 1, at(0, 22), 2, [[rules.friday, 0, 'reached']]);
		// 00:30 on D+1 is still D in UTC: the cap starts again all the same.
		await check('c4', 'call', 5, at(1, 0, 30), 30, [[rules.friday, 20, null]]);
		// D+1: both match a demo; the capped ×3 gives 10 more, Demo week's ×2 gives 15: the best wins.
		await check('d1', 'demo', 1, at(1, 12), 30, [[rules.demoWeek, 15, null]]);
		// D-1: Demo week only; D-3: no campaign; the ×5 on sale lines never applies.
		await check('d2', 'demo', 1, at(-1, 12), 30, [[rules.demoWeek, 15, null]]);
		await check('d3', 'demo', 1, at(-3, 12), 15, []);
		expect(breakdownOf(first.id)[0]).toMatchObject({ points: 10 });
		expect(breakdownOf(first.id)[1].words).toEqual({
			kind: 'multiplier',
			rule: 'Activity days',
			factor: 3,
			product: 'Customer call'
		});

		// A replay answers the first result and counts nothing twice.
		const again = await log('c1', 'call', 5, at(0, 10));
		expect(again).toEqual({ status: 200, id: first.id, points: 30 });
		expect(await boardPoints(person().id)).toBe(total);
		withDb(seeded.path, (db) => {
			const stored = standingsVsLedger(db, seeded.seasonId);
			expect(stored.stored).toEqual(stored.fromLedger);
		});
	});

	it('the rule form: managers target activities, bonuses are refused, participants are not let in', async () => {
		const form = {
			name: 'Demo day',
			effect: 'multiplier',
			factor: '2',
			targetKind: 'activity',
			targetActivity: 'demo',
			from: dayOf(-3),
			to: dayOf(-3),
			dailyCap: '',
			highlight: 'on',
			active: 'on'
		};
		const before = ruleCount();
		const bonus = await action('/manage/rules/new?/save', sessions.manager, {
			...form,
			effect: 'first_sale_bonus',
			bonusPoints: '10'
		});
		expect(bonus.status).toBe(400);
		expect(bonus.data?.errors).toEqual({
			effect: 'Activities can only be multiplied: choose Multiplier, or target products'
		});
		const unknown = await action('/manage/rules/new?/save', sessions.manager, {
			...form,
			targetActivity: 'lunch'
		});
		expect(unknown.status).toBe(400);
		expect(unknown.data?.errors).toEqual({
			targetActivity: 'The season has no activity type “lunch”'
		});
		const participant = await action('/manage/rules/new?/save', sessions.rep, form);
		expect(participant.status).toBe(403);
		expect(ruleCount()).toBe(before);

		const saved = await action('/manage/rules/new?/save', sessions.manager, form);
		expect(saved.type).toBe('redirect');
		const stored = readDb(seeded.path, (db) =>
			db.prepare("select target, effect from rule where name = 'Demo day'").get()
		);
		expect(stored).toEqual({
			target: JSON.stringify({ kind: 'activity', type: 'demo' }),
			effect: JSON.stringify({ kind: 'multiplier', factor: 2 })
		});

		// Saving changes nothing already logged: the demo on D-3 keeps 15 until a recalculation.
		const plan = await action('/manage/rules?/plan', sessions.manager, {});
		expect(plan.data?.plan).toMatchObject({
			activitiesChecked: 7,
			activitiesChanged: 1,
			pointsBefore: 15,
			pointsAfter: 30
		});
		const boardBefore = await boardPoints(person().id);
		expect((await action('/manage/rules?/plan', sessions.rep, {})).status).toBe(403);
		expect((await action('/manage/rules?/recalculate', sessions.rep, {})).status).toBe(403);
		expect(await boardPoints(person().id)).toBe(boardBefore);

		const applied = await action('/manage/rules?/recalculate', sessions.manager, {});
		expect(applied.data?.plan).toMatchObject({ activitiesChanged: 1 });
		expect(await boardPoints(person().id)).toBe(boardBefore + 15);
		readDb(seeded.path, (db) => {
			const row = db
				.prepare("select id, points, breakdown from activity where external_id = 'd3'")
				.get() as { id: number; points: number; breakdown: string };
			expect(row.points).toBe(30);
			expect(JSON.parse(row.breakdown).items[1]).toMatchObject({ points: 15 });
			const adjustment = db
				.prepare(
					"select points, status from ledger_entry where activity_id = ? and kind = 'adjustment'"
				)
				.get(row.id);
			expect(adjustment).toEqual({ points: 15, status: 'confirmed' });
		});
		// A second recalculation finds nothing more: the caps replay as they were counted.
		const again = await action('/manage/rules?/plan', sessions.manager, {});
		expect(again.data?.plan).toMatchObject({ activitiesChecked: 7, activitiesChanged: 0 });
		withDb(seeded.path, (db) => {
			const stored = standingsVsLedger(db, seeded.seasonId);
			expect(stored.stored).toEqual(stored.fromLedger);
		});
	});

	it('the board announces an activity campaign in words', async () => {
		// D is in the past: a campaign open now, to see it on the board.
		await withStore(seeded.path, (store) =>
			createRule(
				store,
				seeded.seasonId,
				{
					name: 'Call blitz',
					active: true,
					highlight: true,
					startsAt: Date.now() - DAY,
					endsAt: Date.now() + DAY,
					target: { kind: 'activity', type: 'call' },
					effect: { kind: 'multiplier', factor: 3 },
					dailyCap: null
				},
				{}
			)
		);
		const page = await fetch(`${server.url}/`, { headers: { cookie: `session=${sessions.rep}` } });
		expect(await page.text()).toContain('Triple points on every “Customer call” logged');
	});

	it('the dashboard measures sale campaigns only: an activity campaign matches no sale line', () => {
		const names = withDb(seeded.path, (db) => {
			const row = db.select().from(season).where(eq(season.id, seeded.seasonId)).get()!;
			return runRawSync(db, campaignEffectsReads(row, null, Date.now())).map((c) => c.name);
		});
		expect(names).toEqual(['Everything ×5']);
	});
});
