import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMember, makeUser } from '../helpers/factories';
import { PASSWORD, signIn, type SeededDb } from '../helpers/seeded';
import {
	DIALECTS,
	scoreStateOn,
	seedServerDbOn,
	serverEnvFor,
	type ServerDb
} from '../helpers/server-db';
import { startServer, type RunningServer } from '../helpers/server';
import { openDatabase } from '../../src/lib/server/db';
import { sqliteStore } from '../../src/lib/server/db/store';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { saveProgramme, saveReward } from '../../src/lib/server/rewards/catalogue';
import type { RewardInput } from '../../src/lib/server/rewards/reward-form';

// The rewards store against the built server: concurrent redemptions of the last item, a
// double-click, an approval racing a rejection, the budget's block, the ranking left alone by
// spending, and who may use the console; on the seeded SQLite file and on its copy in a throwaway
// PostgreSQL database (tests/helpers/server-db.ts).

interface ActionResult {
	type: 'success' | 'failure' | 'redirect' | 'error';
	status?: number;
	data?: string;
}

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let manager: string;
let reps: string[];
const ids: Record<string, number> = {};

function reward(overrides: Partial<RewardInput>): RewardInput {
	return {
		id: null,
		name: 'Reward',
		description: '',
		pricePoints: 100,
		cost: 500,
		stock: null,
		perPersonLimit: null,
		active: true,
		removePicture: false,
		seasons: [],
		...overrides
	};
}

/** Posts a form action the way `use:enhance` does; resolves with SvelteKit's JSON answer. */
async function act(session: string, path: string, fields: Record<string, string | number>) {
	const response = await fetch(`${server.url}${path}`, {
		method: 'POST',
		body: new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])),
		headers: {
			origin: server.url,
			cookie: `session=${session}`,
			accept: 'application/json',
			'x-sveltekit-action': 'true',
			'content-type': 'application/x-www-form-urlencoded'
		}
	});
	const body = (await response.json()) as ActionResult;
	// A refusal (fail()) answers 200 with its status inside; an error() answers with its status.
	return { status: body.type === 'failure' ? body.status : response.status, body };
}

const redeem = (session: string, rewardId: number, requestId: string) =>
	act(session, '/rewards?/redeem', { rewardId, seasonId: seeded.seasonId, requestId });

async function one<T>(sql: string, ...params: unknown[]): Promise<T> {
	return (await db.value(sql, ...params)) as T;
}

const stockOf = (id: number) => one<number | null>('select stock from reward where id = ?', id);
const redemptions = async (rewardId: number) =>
	(await db.rows(
		'select id, user_id as "userId", status from reward_redemption where reward_id = ? order by id',
		rewardId
	)) as { id: number; userId: number; status: string }[];

/** A manager, three buyers with points, the rewards and the programme, made in the seeded file. */
async function prepare(seeded: SeededDb) {
	// withDb closes at once: seeding awaits password hashes, so it opens its own connection.
	const db = openDatabase(seeded.path);
	try {
		const boss = await makeUser(db, {
			email: 'boss@test.test',
			role: 'manager',
			password: PASSWORD
		});
		const others = [];
		for (let i = 0; i < 3; i++)
			others.push(
				await makeMember(db, seeded.seasonId, seeded.teams[0].id, {
					email: `buyer${i}@test.test`,
					password: PASSWORD
				})
			);
		for (const person of [seeded.people[0], ...others])
			await adjustPoints(sqliteStore(db), {
				seasonId: seeded.seasonId,
				userId: person.id,
				points: 1000,
				reason: 'Starting points',
				actor: { userId: boss.id }
			});
		const now = Date.now();
		const actor = { userId: boss.id };
		const store = sqliteStore(db);
		ids.last = await saveReward(
			store,
			reward({ name: 'Last one', stock: 1 }),
			undefined,
			actor,
			now
		);
		ids.mugs = await saveReward(store, reward({ name: 'Mug', stock: 5 }), undefined, actor, now);
		ids.pricey = await saveReward(
			store,
			reward({ name: 'Bike', cost: 2000, pricePoints: 10 }),
			undefined,
			actor,
			now
		);
		ids.yacht = await saveReward(
			store,
			reward({ name: 'Yacht', pricePoints: 501 }),
			undefined,
			actor,
			now
		);
		await saveProgramme(
			store,
			seeded.seasonId,
			{ budget: 1500, share: 50, pointValue: 2 },
			actor,
			now
		);
	} finally {
		db.$client.close();
	}
}

describe.each(DIALECTS)('rewards store on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { people: 2 }, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
		manager = await signIn(server.url, 'boss@test.test');
		reps = [await signIn(server.url, seeded.people[0].email)];
		for (let i = 0; i < 3; i++) reps.push(await signIn(server.url, `buyer${i}@test.test`));
	}, 60_000);

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('rewards store', () => {
		let ranking: Awaited<ReturnType<typeof scoreStateOn>>;

		it('keeps the console and the exports from participants', async () => {
			ranking = await scoreStateOn(db);
			const page = await fetch(`${server.url}/manage/rewards`, {
				headers: { cookie: `session=${reps[0]}` }
			});
			expect(page.status).toBe(403);
			const csv = await fetch(`${server.url}/exports/redemptions.csv?season=${seeded.seasonId}`, {
				headers: { cookie: `session=${reps[0]}` }
			});
			expect(csv.status).toBe(403);
			const store = await fetch(`${server.url}/rewards`, {
				headers: { cookie: `session=${reps[0]}` }
			});
			expect(store.status).toBe(200);
			// The share is 50 %: 1000 confirmed points make 500 to spend.
			expect(await store.text()).toContain('500');
		});

		it('sells the last item once to N people asking at the same time', async () => {
			const answers = await Promise.all(
				reps.map((session, i) => redeem(session, ids.last, `race-last-${i}-0001`))
			);
			const won = answers.filter((a) => a.body.type === 'success');
			expect(won).toHaveLength(1);
			expect(answers.filter((a) => a.body.type === 'failure')).toHaveLength(reps.length - 1);
			expect(await stockOf(ids.last)).toBe(0);
			expect(await redemptions(ids.last)).toHaveLength(1);
		});

		it('counts a double-click (the same request id twice at once) as one redemption', async () => {
			const answers = await Promise.all([
				redeem(reps[1], ids.mugs, 'double-click-0001'),
				redeem(reps[1], ids.mugs, 'double-click-0001')
			]);
			expect(answers.map((a) => a.body.type)).toEqual(['success', 'success']);
			expect(await redemptions(ids.mugs)).toHaveLength(1);
			expect(await stockOf(ids.mugs)).toBe(4);
			// The same id from another person is their own request, not this one.
			const other = await redeem(reps[2], ids.mugs, 'double-click-0001');
			expect(other.body.type).toBe('success');
			expect(await redemptions(ids.mugs)).toHaveLength(2);
			expect(await stockOf(ids.mugs)).toBe(3);
		});

		it('lets exactly one of an approval and a rejection racing each other win', async () => {
			const [first, second] = await redemptions(ids.mugs);
			const answers = await Promise.all([
				act(manager, '/manage/rewards?/approve', { id: first.id }),
				act(manager, '/manage/rewards?/reject', { id: first.id, reason: 'Out of mugs' })
			]);
			expect(answers.filter((a) => a.body.type === 'success')).toHaveLength(1);
			expect(answers.filter((a) => a.body.type === 'failure')[0]?.status).toBe(409);
			const status = await one<string>(
				'select status from reward_redemption where id = ?',
				first.id
			);
			expect(['approved', 'rejected']).toContain(status);
			// Stock and points follow the winner: a rejection gives both back.
			expect(await stockOf(ids.mugs)).toBe(status === 'rejected' ? 4 : 3);
			const audited = await one<number>(
				"select count(*) from audit_event where subject = ? and action in ('redemption.approve', 'redemption.reject')",
				`redemption:${first.id}`
			);
			expect(audited).toBe(1);
			const mails = await one<number>(
				"select count(*) from outgoing_message where kind = 'redemption' and dedupe_key like ?",
				`redemption:${first.id}:%`
			);
			expect(mails).toBe(1);
			// Only an approved one can be handed over; a second time is refused.
			const fulfil = await act(manager, '/manage/rewards?/fulfil', { id: second.id });
			expect(fulfil.body.type).toBe('failure');
			expect((await act(manager, '/manage/rewards?/approve', { id: second.id })).body.type).toBe(
				'success'
			);
			expect((await act(manager, '/manage/rewards?/fulfil', { id: second.id })).body.type).toBe(
				'success'
			);
			expect((await act(manager, '/manage/rewards?/fulfil', { id: second.id })).status).toBe(409);
		});

		it('blocks an approval over the budget and changes nothing', async () => {
			// Budget 15.00; approved + fulfilled so far: 5.00 or 10.00; the bike costs 20.00.
			const asked = await redeem(reps[3], ids.pricey, 'bike-0001');
			expect(asked.body.type).toBe('success');
			const [bike] = await redemptions(ids.pricey);
			const state = async () => ({
				status: await one('select status from reward_redemption where id = ?', bike.id),
				audit: await one('select count(*) from audit_event'),
				mail: await one('select count(*) from outgoing_message')
			});
			const was = await state();
			const answer = await act(manager, '/manage/rewards?/approve', { id: bike.id });
			expect(answer.status).toBe(409);
			expect(answer.body.data).toContain("over the season's reward budget");
			expect(await state()).toEqual(was);
			// A participant cannot decide at all.
			expect((await act(reps[0], '/manage/rewards?/approve', { id: bike.id })).status).toBe(403);
			expect(await state()).toEqual(was);
		});

		it('refuses to spend more than the balance, and never touches the ranking', async () => {
			const refused = await redeem(reps[3], ids.yacht, 'yacht-0001');
			expect(refused.status).toBe(409);
			expect(await redemptions(ids.yacht)).toHaveLength(0);
			// Everything spent above: not one ledger entry, standing or version changed.
			expect(await scoreStateOn(db)).toEqual(ranking);
		});

		it('exports the season for finance', async () => {
			const csv = await fetch(`${server.url}/exports/redemptions.csv?season=${seeded.seasonId}`, {
				headers: { cookie: `session=${manager}` }
			});
			expect(csv.status).toBe(200);
			const text = await csv.text();
			expect(text.split('\n')[0]).toContain('person,email,reward,points,cost,currency,status');
			expect(text).toContain('Bike');
			const balances = await fetch(`${server.url}/exports/balances.csv?season=${seeded.seasonId}`, {
				headers: { cookie: `session=${manager}` }
			});
			expect(await balances.text()).toContain('buyer2@test.test');
		});
	});
});
