// Voiding an activity (#17) against the production build: POST /api/v1/activities/:externalId/void
// moves the standing and the board's version, a replay changes nothing, and each refusal (400,
// 401, 403 for an integration token, 404, 409 once the season is final) changes nothing; the
// console's Void action on /manage/activities for managers (not participants, not on one's own
// activity); a voided activity no longer counts in a duel's or a sprint's measure; the
// "activities logged" badge it completed is withdrawn; /me tells the person.
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import {
	readDb,
	seedServerDb,
	signIn,
	withDb,
	PASSWORD,
	type SeededDb,
	withStore
} from '../helpers/seeded';
import { makeMember, makeTeam, standingsVsLedger } from '../helpers/factories';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { createActivityType } from '../../src/lib/server/activities/types';
import { logActivity } from '../../src/lib/server/activities/record';
import { readDuelValues } from '../../src/lib/server/challenges/standings';
import { decideSprint } from '../../src/lib/server/sprints/decide';
import { openDatabase } from '../../src/lib/server/db';
import { badge, season } from '../../src/lib/server/db/schema';
import { eq } from 'drizzle-orm';

const DAY = 24 * 60 * 60 * 1000;
const START = Date.now();

let seeded: SeededDb;
let server: RunningServer;
const tokens = { manager: '', admin: '', integration: '' };
const sessions = { rep: '', manager: '' };
let finalExternalId = '';

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 3 });
	await withStore(seeded.path, async (store, db) => {
		tokens.manager = (await createApiToken(store, { name: 'ops', role: 'manager' })).token;
		tokens.admin = (await createApiToken(store, { name: 'root', role: 'admin' })).token;
		tokens.integration = (await createApiToken(store, { name: 'crm', role: 'integration' })).token;
		for (const [key, points] of [
			['call', 2],
			['visit', 10]
		] as const)
			await createActivityType(
				sqliteStore(db),
				seeded.seasonId,
				{ key, name: key, points, emoji: '📞' },
				{}
			);
		db.insert(badge)
			.values({
				seasonId: seeded.seasonId,
				name: 'Three visits',
				criterion: { kind: 'activities_logged', count: 3, type: 'visit' },
				points: 7
			})
			.run();

		// An activity of a season whose grace period is over: logged while it was live.
		const past = seeded.endedSeasonId;
		const clock = () => START - 65 * DAY;
		db.update(season).set({ status: 'live' }).where(eq(season.id, past)).run();
		await createActivityType(
			sqliteStore(db),
			past,
			{ key: 'call', name: 'call', points: 2, emoji: '📞' },
			{}
		);
		finalExternalId = 'past-call';
		await logActivity(
			sqliteStore(db),
			{
				source: 'api',
				externalId: finalExternalId,
				person: { userId: seeded.pastMember.id },
				type: 'call',
				quantity: 1,
				occurredAt: START - 66 * DAY,
				seasonId: past
			},
			clock
		);
		db.update(season).set({ status: 'ended' }).where(eq(season.id, past)).run();
	});
	// A manager who also takes part: their own activities are not theirs to void.
	const db = openDatabase(seeded.path);
	try {
		await makeMember(db, seeded.seasonId, makeTeam(db, seeded.seasonId, 'Office').id, {
			email: 'boss@test.test',
			role: 'manager',
			password: PASSWORD
		});
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

const api = (path: string, token: string, body?: string) =>
	fetch(`${server.url}/api/v1${path}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body
	});

let n = 0;
/** Logs an activity through the API, `hoursAgo` hours ago; returns its externalId and id. */
async function logged(email: string, type: string, quantity = 1, hoursAgo = 1) {
	const externalId = `void-${++n}`;
	const response = await api(
		'/activities',
		tokens.integration,
		JSON.stringify({
			externalId,
			person: { email },
			type,
			quantity,
			occurredAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString()
		})
	);
	expect(response.status).toBe(201);
	const body = (await response.json()) as { activity: { id: number } };
	return { externalId, id: body.activity.id };
}

/** `reason: null` sends no body at all. */
const voidIt = (externalId: string, token = tokens.manager, reason: unknown = 'logged twice') =>
	api(
		`/activities/${encodeURIComponent(externalId)}/void`,
		token,
		reason === null ? undefined : JSON.stringify({ reason })
	);

async function board(userId: number) {
	const response = await fetch(
		`${server.url}/api/v1/seasons/${seeded.seasonId}/leaderboard?limit=100`,
		{ headers: { authorization: `Bearer ${tokens.integration}` } }
	);
	const body = (await response.json()) as {
		version: number;
		entries: { id: number; points: number }[];
	};
	return { version: body.version, points: body.entries.find((e) => e.id === userId)?.points ?? 0 };
}

/** Everything a void may change, to check that a refused or repeated one changed nothing. */
const state = () =>
	readDb(seeded.path, (db) => {
		const one = (sql: string) => db.prepare(sql).pluck().get() as number;
		return {
			entries: one('select count(*) from ledger_entry'),
			voided: one("select count(*) from activity where status = 'void'"),
			audits: one("select count(*) from audit_event where action = 'activity.void'"),
			points: one('select coalesce(sum(confirmed_points), 0) from standing'),
			version: one(`select version from season where id = ${seeded.seasonId}`)
		};
	});

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

describe('POST /api/v1/activities/:externalId/void', () => {
	it('takes the points back, moves the board, and answers "unchanged" when replayed', async () => {
		const person = seeded.people[1];
		const call = await logged(person.email, 'call', 3);
		const before = await board(person.id);

		const first = await voidIt(call.externalId);
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({
			activity: { id: call.id, status: 'void', points: 6 },
			seasonId: seeded.seasonId,
			changed: true
		});
		const after = await board(person.id);
		expect(after.points).toBe(before.points - 6);
		expect(after.version).toBeGreaterThan(before.version);

		const settled = state();
		const again = await voidIt(call.externalId, tokens.admin, 'again');
		expect(again.status).toBe(200);
		expect(await again.json()).toMatchObject({ activity: { status: 'void' }, changed: false });
		expect(state()).toEqual(settled);
		withDb(seeded.path, (db) => {
			const { stored, fromLedger } = standingsVsLedger(db, seeded.seasonId);
			expect(stored).toEqual(fromLedger);
		});
	});

	it('refuses a missing reason, bad JSON, no token, an integration token, an unknown id and a final season, changing nothing', async () => {
		const call = await logged(seeded.people[2].email, 'call');
		const before = state();
		const refusals: [Response, number, string][] = [
			[await voidIt(call.externalId, tokens.manager, null), 400, 'reason_required'],
			[await voidIt(call.externalId, tokens.manager, '   '), 400, 'reason_required'],
			[await voidIt(call.externalId, tokens.manager, 42), 400, 'invalid_input'],
			[
				await api(`/activities/${call.externalId}/void`, tokens.manager, '{"reason":'),
				400,
				'invalid_json'
			],
			[await voidIt(call.externalId, 'nope'), 401, 'unauthorized'],
			[await voidIt(call.externalId, tokens.integration), 403, 'forbidden'],
			[await voidIt('no-such-activity'), 404, 'not_found'],
			[await voidIt(finalExternalId), 409, 'season_final']
		];
		for (const [response, status, code] of refusals) {
			expect(response.status, code).toBe(status);
			expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
		}
		expect(state()).toEqual(before);
		const final = readDb(seeded.path, (db) =>
			db.prepare('select status from activity where external_id = ?').pluck().get(finalExternalId)
		);
		expect(final).toBe('counted');
	});

	it('is in the OpenAPI document', async () => {
		const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
			paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
		};
		expect(Object.keys(doc.paths['/activities/{externalId}/void'].post!.responses)).toEqual(
			expect.arrayContaining(['200', '400', '401', '403', '404', '409'])
		);
	});
});

describe('what a void changes beyond the standing', () => {
	it('no longer counts in a duel or a sprint on activity:<key>', async () => {
		const [a, b] = [seeded.people[1], seeded.people[2]];
		const from = Date.now() - 10 * 3_600_000;
		const calls = await logged(a.email, 'call', 6, 2);
		await logged(b.email, 'call', 4, 2);
		const duel = () =>
			withDb(seeded.path, (db) => {
				const store = sqliteStore(db);
				return readDuelValues(
					store.db,
					store,
					{
						seasonId: seeded.seasonId,
						subjectType: 'user',
						challengerId: a.id,
						opponentId: b.id,
						measure: 'activity:call',
						periodFrom: from,
						periodTo: Date.now() + 3_600_000
					},
					'total'
				);
			});
		const sprint = () =>
			withDb(seeded.path, (db) =>
				decideSprint(
					db,
					{
						seasonId: seeded.seasonId,
						subject: 'user',
						measure: 'activity:call',
						target: 12,
						startsAt: from,
						endsAt: Date.now() + DAY,
						status: 'live'
					},
					{ rankBy: 'total', graceDays: 7 },
					Date.now()
				)
			);
		const [aBefore, bBefore] = await duel();
		expect(aBefore).toBeGreaterThan(bBefore);
		expect(sprint().winner?.id).toBe(a.id);

		expect((await voidIt(calls.externalId)).status).toBe(200);
		expect(await duel()).toEqual([aBefore - 12, bBefore]);
		const after = sprint();
		expect(after.winner).toBeNull();
		expect(after.values.get(a.id)).toBe(aBefore - 12);
	});

	it('withdraws the "activities logged" badge the voided activity completed, with its points', async () => {
		const rep = seeded.people[0];
		await logged(rep.email, 'visit', 2, 3);
		const third = await logged(rep.email, 'visit', 1, 2);
		const awards = () =>
			readDb(seeded.path, (db) =>
				db
					.prepare(
						"select a.status from award a join badge b on b.id = a.badge_id where b.name = 'Three visits' and a.subject_id = ?"
					)
					.pluck()
					.all(rep.id)
			);
		expect(awards()).toEqual(['confirmed']);
		const before = await board(rep.id);

		expect((await voidIt(third.externalId, tokens.manager, 'not a customer visit')).status).toBe(
			200
		);
		expect(awards()).toEqual(['void']);
		expect((await board(rep.id)).points).toBe(before.points - 10 - 7);

		// The person sees it, worded, in their own history.
		const me = await fetch(`${server.url}/me`, { headers: { cookie: `session=${sessions.rep}` } });
		const html = await me.text();
		expect(html).toContain('Activity voided');
		expect(html).toContain('later voided');
		expect(html).toContain('not a customer visit');
	});
});

describe('the Void action on /manage/activities', () => {
	it('voids for a manager with a reason, once; shows it struck through with the reason', async () => {
		const person = seeded.people[2];
		const visit = await logged(person.email, 'visit');
		const before = await board(person.id);
		const missing = await action('/manage/activities?/void', sessions.manager, {
			activityId: String(visit.id),
			reason: ''
		});
		expect(missing.status).toBe(400);
		expect(Object.keys((missing.data as { errors: object }).errors)).toEqual(['reason']);

		const done = await action('/manage/activities?/void', sessions.manager, {
			activityId: String(visit.id),
			reason: 'wrong person'
		});
		expect(done.type).toBe('success');
		expect(done.data?.message).toBe(`Voided activity #${visit.id} of ${person.displayName}`);
		expect((await board(person.id)).points).toBe(before.points - 10);
		const again = await action('/manage/activities?/void', sessions.manager, {
			activityId: String(visit.id),
			reason: 'wrong person'
		});
		expect(again.data?.message).toBe(`Activity #${visit.id} was already void`);

		const list = await fetch(
			`${server.url}/manage/activities?person=${person.id}&type=${visitTypeId()}`,
			{ headers: { cookie: `session=${sessions.manager}` } }
		);
		expect(list.status).toBe(200);
		const html = await list.text();
		expect(html).toContain('wrong person');
		expect(html).toMatch(/<li class="[^"]*\bvoided\b[^>]*>[\s\S]*?1 × visit/);
	});

	it('refuses a participant, a manager’s own activity and an activity of another season', async () => {
		const mine = await logged('boss@test.test', 'call');
		const theirs = await logged(seeded.people[1].email, 'call');
		const before = state();
		const byRep = await action('/manage/activities?/void', sessions.rep, {
			activityId: String(theirs.id),
			reason: 'sneaky'
		});
		expect(byRep.status).toBe(403);
		const own = await action('/manage/activities?/void', sessions.manager, {
			activityId: String(mine.id),
			reason: 'mine'
		});
		expect(own.status).toBe(403);
		const pastId = readDb(seeded.path, (db) =>
			db.prepare('select id from activity where external_id = ?').pluck().get(finalExternalId)
		) as number;
		const elsewhere = await action('/manage/activities?/void', sessions.manager, {
			activityId: String(pastId),
			reason: 'old'
		});
		expect(elsewhere.status).toBe(404);
		expect(state()).toEqual(before);
	});
});

function visitTypeId(): number {
	return readDb(seeded.path, (db) =>
		db
			.prepare("select id from activity_type where season_id = ? and key = 'visit'")
			.pluck()
			.get(seeded.seasonId)
	) as number;
}
