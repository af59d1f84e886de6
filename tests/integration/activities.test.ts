// Activities beyond sales (#17) against the production build: POST /api/v1/activities as
// DESIGN.md writes it (201, 200 on a replay counted once, 409 for another activity under the same
// externalId, 422 for an unknown type, 400, 401), the board's standing moving, the /sell Activity
// tab logging once per requestId, the CSV import sharing the API's id space and importing nothing
// from a file with a bad row, and /manage/activities closed to participants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import { readDb, seedServerDb, signIn, withDb, PASSWORD, type SeededDb } from '../helpers/seeded';
import { makeUser, standingsVsLedger } from '../helpers/factories';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { sqliteStore } from '../../src/lib/server/db/store';
import { openDatabase } from '../../src/lib/server/db';
import { createActivityType } from '../../src/lib/server/activities/types';

let seeded: SeededDb;
let server: RunningServer;
let token = '';
const sessions = { rep: '', manager: '' };

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 2, people: 3 });
	const db = openDatabase(seeded.path);
	try {
		await makeUser(db, { email: 'boss@test.test', role: 'manager', password: PASSWORD });
		token = (await createApiToken(sqliteStore(db), { name: 'crm', role: 'integration' })).token;
		const type = { name: 'Customer call', points: 2, emoji: '📞' };
		await createActivityType(sqliteStore(db), seeded.seasonId, { key: 'call', ...type }, {});
		await createActivityType(
			sqliteStore(db),
			seeded.seasonId,
			{ key: 'visit', name: 'Visit', points: 10, emoji: '🤝' },
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

const post = (body: unknown, auth = `Bearer ${token}`) =>
	fetch(`${server.url}/api/v1/activities`, {
		method: 'POST',
		headers: { authorization: auth, 'content-type': 'application/json' },
		body: JSON.stringify(body)
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

const counts = () =>
	readDb(seeded.path, (db) => ({
		activities: db.prepare('select count(*) from activity').pluck().get() as number,
		entries: db
			.prepare("select count(*) from ledger_entry where kind = 'activity'")
			.pluck()
			.get() as number
	}));

async function boardPoints(userId: number): Promise<number> {
	const response = await fetch(
		`${server.url}/api/v1/seasons/${seeded.seasonId}/leaderboard?limit=100`,
		{ headers: { authorization: `Bearer ${token}` } }
	);
	const body = (await response.json()) as { entries: { id: number; points: number }[] };
	return body.entries.find((e) => e.id === userId)?.points ?? 0;
}

describe('POST /api/v1/activities', () => {
	it('logs an activity once, refuses another under its id, an unknown type and bad input', async () => {
		const person = seeded.people[1];
		const before = await boardPoints(person.id);
		const call = {
			externalId: 'crm-call-1',
			person: { email: person.email },
			type: 'call',
			occurredAt: new Date(Date.now() - 60_000).toISOString(),
			quantity: 3
		};
		const first = await post(call);
		expect(first.status).toBe(201);
		const created = (await first.json()) as { activity: { id: number; points: number } };
		expect(created.activity.points).toBe(6);
		expect(await boardPoints(person.id)).toBe(before + 6);

		// The same again (a retry): the first answer, counted once.
		const again = await post(call);
		expect(again.status).toBe(200);
		expect(((await again.json()) as typeof created).activity).toEqual(created.activity);
		expect(counts()).toEqual({ activities: 1, entries: 1 });

		const conflict = await post({ ...call, quantity: 4 });
		expect(conflict.status).toBe(409);
		expect(await conflict.json()).toMatchObject({
			error: { code: 'idempotency_conflict', details: { differs: ['quantity'] } }
		});

		const unknown = await post({ ...call, externalId: 'crm-x', type: 'lunch' });
		expect(unknown.status).toBe(422);
		expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
			'unknown_activity_type'
		);
		expect((await post({ ...call, externalId: 'crm-y', quantity: 0 })).status).toBe(400);
		expect((await post({ ...call, externalId: 'crm-z' }, 'Bearer nope')).status).toBe(401);

		// quantity may be left out: one.
		const visit = await post({
			...call,
			externalId: 'crm-visit-1',
			type: 'visit',
			quantity: undefined
		});
		expect(visit.status).toBe(201);
		expect(((await visit.json()) as typeof created).activity.points).toBe(10);
		expect(await boardPoints(person.id)).toBe(before + 16);
		expect(counts()).toEqual({ activities: 2, entries: 2 });
	});
});

describe('the /sell Activity tab', () => {
	it('logs the chosen activity once per requestId, for the signed-in person', async () => {
		const rep = seeded.people[0];
		const before = await boardPoints(rep.id);
		const fields = { requestId: 'tab-request-1', type: 'visit', quantity: '2', when: '' };
		const first = await action('/sell/activity', sessions.rep, fields);
		expect(first.type).toBe('success');
		expect(first.data).toMatchObject({ points: 20, duplicate: false });
		const second = await action('/sell/activity', sessions.rep, fields);
		expect(second.data).toMatchObject({ points: 20, duplicate: true });
		expect(await boardPoints(rep.id)).toBe(before + 20);

		const bad = await action('/sell/activity', sessions.rep, {
			...fields,
			requestId: 'tab-request-2',
			quantity: '0'
		});
		expect(bad.status).toBe(400);
		expect(Object.keys((bad.data as { errors: object }).errors)).toEqual(['quantity']);
	});
});

describe('/manage/activities', () => {
	it('is closed to participants', async () => {
		const page = await fetch(`${server.url}/manage/activities`, {
			headers: { cookie: `session=${sessions.rep}` },
			redirect: 'manual'
		});
		expect(page.status).toBe(403);
		const create = await action('/manage/activities?/create', sessions.rep, {
			key: 'sneaky',
			name: 'Sneaky',
			points: '1000',
			emoji: '🥷'
		});
		expect(create.status).toBe(403);
		const types = readDb(seeded.path, (db) =>
			db.prepare("select count(*) from activity_type where key = 'sneaky'").pluck().get()
		);
		expect(types).toBe(0);
	});

	it('lets a manager add a type, audited', async () => {
		const done = await action('/manage/activities?/create', sessions.manager, {
			key: 'Demo',
			name: 'Product demo',
			points: '15',
			emoji: '🎯'
		});
		expect(done.type).toBe('success');
		const again = await action('/manage/activities?/create', sessions.manager, {
			key: 'demo',
			name: 'Other',
			points: '1',
			emoji: '🎯'
		});
		expect(again.status).toBe(409);
		const audited = readDb(seeded.path, (db) =>
			db
				.prepare("select count(*) from audit_event where action = 'activity_type.create'")
				.pluck()
				.get()
		);
		expect(audited).toBe(3);
	});

	it('imports nothing from a file with a bad row, then all of a good one; ids shared with the API', async () => {
		const [a, b] = [seeded.people[1].email, seeded.people[2].email];
		const at = new Date(Date.now() - 3_600_000).toISOString();
		const bad = [
			'externalId,email,type,occurredAt,quantity',
			`imp-1,${a},call,${at},2`,
			`imp-2,nobody@test.test,call,${at},1`,
			`imp-3,${b},lunch,${at},1`,
			`crm-call-1,${seeded.people[1].email},call,${at},9`
		].join('\n');
		const before = counts();
		const refused = await action('/manage/activities?/import', sessions.manager, {
			csv: bad,
			dryRun: '0'
		});
		expect(refused.status).toBe(400);
		const problems = (refused.data as { problems: { row: number; column: string }[] }).problems;
		expect(problems.map((p) => [p.row, p.column])).toEqual([
			[3, 'email'],
			[4, 'type'],
			[5, 'externalId']
		]);
		expect(counts()).toEqual(before);

		// crm-call-1 came from the API with the same content: counted once, not again.
		const good = [
			'externalId,email,type,occurredAt,quantity',
			`imp-1,${a},call,${at},2`,
			`imp-4,${b},visit,${at},`,
			`crm-call-1,${seeded.people[1].email},call,${new Date(readCallTime()).toISOString()},3`
		].join('\n');
		const dry = await action('/manage/activities?/import', sessions.manager, {
			csv: good,
			dryRun: '1'
		});
		expect(dry.data).toMatchObject({
			dryRun: true,
			report: { rows: 3, accepted: 3, already: 1, points: 14 }
		});
		expect(counts()).toEqual(before);
		const real = await action('/manage/activities?/import', sessions.manager, {
			csv: good,
			dryRun: '0'
		});
		expect(real.data).toMatchObject({ report: { imported: true, points: 14 } });
		expect(counts()).toEqual({ activities: before.activities + 2, entries: before.entries + 2 });
		withDb(seeded.path, (db) => {
			const { stored, fromLedger } = standingsVsLedger(db, seeded.seasonId);
			expect(stored).toEqual(fromLedger);
		});
	});
});

function readCallTime(): number {
	return readDb(seeded.path, (db) =>
		db.prepare("select occurred_at from activity where external_id = 'crm-call-1'").pluck().get()
	) as number;
}
