// Referrals against the production build: a rep records one from the /referrals form (a double
// submit is one), a later API sale with the same customer reference confirms it and moves its
// points from provisional to confirmed, a second referral of the customer is flagged, managers
// decide by API or page (and no one else may), the settings apply, and the lapse job voids an
// old referral exactly once. On the seeded SQLite file and on its copy in a throwaway PostgreSQL
// database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import { signIn, PASSWORD, type SeededDb } from '../helpers/seeded';
import { makeUser } from '../helpers/factories';
import {
	DIALECTS,
	seedServerDbOn,
	serverEnvFor,
	standingsVsLedgerOn,
	type ServerDb
} from '../helpers/server-db';
import { eq } from 'drizzle-orm';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { sqliteStore } from '../../src/lib/server/db/store';
import { openDatabase } from '../../src/lib/server/db';
import { lapseReferrals } from '../../src/lib/server/referrals/decide';

const DAY = 24 * 60 * 60 * 1000;
let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
const tokens = { integration: '', manager: '' };
const sessions = { rep: '', manager: '' };

/** A manager and the tokens, made in the seeded file before it is copied or served. */
async function prepare(seeded: SeededDb) {
	const db = openDatabase(seeded.path);
	try {
		await makeUser(db, { email: 'boss@test.test', role: 'manager', password: PASSWORD });
		tokens.manager = (
			await createApiToken(sqliteStore(db), { name: 'boss', role: 'manager' })
		).token;
		tokens.integration = (
			await createApiToken(sqliteStore(db), { name: 'crm', role: 'integration' })
		).token;
	} finally {
		db.$client.close();
	}
}

const api = (path: string, token: string, body?: unknown) =>
	fetch(`${server.url}/api/v1${path}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: {
			authorization: `Bearer ${token}`,
			...(body !== undefined && { 'content-type': 'application/json' })
		},
		body: body === undefined ? undefined : JSON.stringify(body)
	});

/** A form action posted the way `use:enhance` does. */
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
	// A failed action answers 200 with the failure's own status inside.
	return {
		status: (result.status as number | undefined) ?? response.status,
		type: result.type as string,
		data: (typeof result.data === 'string' ? devalue.parse(result.data) : result.data) as
			Record<string, unknown> | undefined
	};
}

const refer = (requestId: string, customerName: string, customerRef: string) =>
	action('/referrals', sessions.rep, {
		requestId,
		customerName,
		customerRef,
		contact: '',
		note: ''
	});

type Row = {
	id: number;
	status: string;
	points: number;
	entry: string;
	duplicate_of_id: number | null;
};
const referrals = async () =>
	(await db.rows(
		`select r.id, r.status, r.points, r.duplicate_of_id, r.matched_sale_id, l.status as entry
		 from referral r join ledger_entry l on l.id = r.ledger_entry_id order by r.id`
	)) as Row[];
const standing = async (userId: number) =>
	(
		await db.rows(
			`select confirmed_points as confirmed, provisional_points as provisional from standing
			 where season_id = ? and subject_type = 'user' and subject_id = ?`,
			seeded.seasonId,
			userId
		)
	)[0] as { confirmed: number; provisional: number } | undefined;
const consistent = async () => {
	const { stored, fromLedger } = await standingsVsLedgerOn(db, seeded.seasonId);
	expect(stored).toEqual(fromLedger);
};

function sale(externalId: string, customerRef?: string) {
	const seller = seeded.people[1].email;
	return postSale(server.url, tokens.integration, {
		externalId,
		seller,
		unitPrice: 100,
		customerRef
	});
}

describe.each(DIALECTS)('referrals on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 2, people: 3 }, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
		sessions.rep = await signIn(server.url, seeded.people[0].email);
		sessions.manager = await signIn(server.url, 'boss@test.test');
	}, 120_000);

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('referrals', () => {
		const rep = () => seeded.people[0];

		it('records a referral once however often the form is sent, with provisional points on the board', async () => {
			const first = await refer('req-acme-0001', 'Acme Ltd', 'AC-100');
			const again = await refer('req-acme-0001', 'Acme Ltd', 'AC-100');
			expect([first.type, again.type]).toEqual(['success', 'success']);
			expect(first.data).toMatchObject({ points: 50, duplicate: false, repeated: false });
			expect(again.data).toMatchObject({ repeated: true });
			expect(await referrals()).toEqual([
				expect.objectContaining({ status: 'open', points: 50, entry: 'provisional' })
			]);
			expect(await standing(rep().id)).toEqual({ confirmed: 0, provisional: 50 });
			const board = await (
				await api(`/seasons/${seeded.seasonId}/leaderboard`, tokens.manager)
			).json();
			expect(board.entries.find((e: { id: number }) => e.id === rep().id)).toMatchObject({
				points: 0,
				provisionalPoints: 50
			});
			// Bad input: a clear message, nothing recorded.
			const bad = await refer('req-empty-0001', '  ', 'X');
			expect(bad.type).toBe('failure');
			expect(bad.status).toBe(400);
			expect(await referrals()).toHaveLength(1);
			await consistent();
		});

		it('is confirmed by the customer’s first confirmed sale, however the reference is typed', async () => {
			const answer = await sale('crm-1', ' ac 100 ');
			expect(answer.status).toBe(201);
			const recorded = answer.body.sale!;
			expect(recorded.status).toBe('approved');
			const [row] = await referrals();
			expect(row).toMatchObject({ status: 'confirmed', entry: 'confirmed' });
			expect((row as unknown as { matched_sale_id: number }).matched_sale_id).toBe(recorded.id);
			expect(await standing(rep().id)).toEqual({ confirmed: 50, provisional: 0 });
			await consistent();
		});

		it('flags a second referral of the same customer, which a later sale does not confirm', async () => {
			const dup = await refer('req-acme-0002', 'ACME Limited', 'ac.100');
			expect(dup.data).toMatchObject({ duplicate: true });
			const listed = await (await api('/referrals?status=open', tokens.manager)).json();
			expect(listed.entries).toHaveLength(1);
			expect(listed.entries[0]).toMatchObject({
				customerName: 'ACME Limited',
				duplicateOfId: (await referrals())[0].id,
				referrer: { email: rep().email }
			});
			expect((await sale('crm-2', 'AC100')).status).toBe(201);
			expect((await referrals())[1]).toMatchObject({ status: 'open', entry: 'provisional' });
		});

		it('is decided by manager tokens only; rejecting voids the points once', async () => {
			const id = (await referrals())[1].id;
			expect((await api('/referrals', tokens.integration)).status).toBe(403);
			expect(
				(await api(`/referrals/${id}/reject`, tokens.integration, { reason: 'dup' })).status
			).toBe(403);
			expect((await api(`/referrals/${id}/reject`, tokens.manager, { reason: '' })).status).toBe(
				400
			);
			const rejected = await api(`/referrals/${id}/reject`, tokens.manager, {
				reason: 'Same customer as before'
			});
			expect(rejected.status).toBe(200);
			expect(await rejected.json()).toEqual({
				referral: { id, status: 'rejected', matchedSaleId: null },
				changed: true
			});
			const repeated = await api(`/referrals/${id}/reject`, tokens.manager, {
				reason: 'Same customer as before'
			});
			expect((await repeated.json()).changed).toBe(false);
			expect((await referrals())[1]).toMatchObject({ status: 'rejected', entry: 'void' });
			expect(await standing(rep().id)).toEqual({ confirmed: 50, provisional: 0 });
			// A final state is final: confirming it now is refused.
			expect(
				(await api(`/referrals/${id}/confirm`, tokens.manager, { saleExternalId: 'crm-2' })).status
			).toBe(409);
			const audited = (
				await db.rows(
					`select action from audit_event where subject = ? order by id`,
					`referral:${id}`
				)
			).map((row) => row.action);
			expect(audited).toEqual(['referral.reject']);
		});

		it('is confirmed by hand through the API by a confirmed sale’s externalId', async () => {
			await refer('req-zeta-0001', 'Zeta BV', '');
			const id = (await referrals())[2].id;
			expect(
				(await api(`/referrals/${id}/confirm`, tokens.manager, { saleExternalId: 'nope' })).status
			).toBe(404);
			expect((await sale('crm-3')).status).toBe(201);
			const confirmed = await api(`/referrals/${id}/confirm`, tokens.manager, {
				saleExternalId: 'crm-3'
			});
			expect(confirmed.status).toBe(200);
			expect((await confirmed.json()).referral.status).toBe('confirmed');
			expect(await standing(rep().id)).toEqual({ confirmed: 100, provisional: 0 });
			await consistent();
		});

		it('keeps the manager page from participants, and applies the season’s settings', async () => {
			const page = (session: string) =>
				fetch(`${server.url}/manage/referrals`, {
					headers: { cookie: `session=${session}` },
					redirect: 'manual'
				});
			expect((await page(sessions.rep)).status).toBe(403);
			expect((await page(sessions.manager)).status).toBe(200);
			const sneaky = await action('/manage/referrals?/settings', sessions.rep, {
				seasonId: String(seeded.seasonId),
				referralPoints: '999',
				referralLapseDays: '1'
			});
			expect(sneaky.status).toBe(403);
			const bad = await action('/manage/referrals?/settings', sessions.manager, {
				seasonId: String(seeded.seasonId),
				referralPoints: '-5',
				referralLapseDays: '10'
			});
			expect(bad.status).toBe(400);
			const saved = await action('/manage/referrals?/settings', sessions.manager, {
				seasonId: String(seeded.seasonId),
				referralPoints: '30',
				referralLapseDays: '10'
			});
			expect(saved.type).toBe('success');
			const next = await refer('req-omega-001', 'Omega AB', 'OM-1');
			expect(next.data).toMatchObject({ points: 30 });
		});

		it('lapses an open referral past its date exactly once, voiding its points', async () => {
			const before = (await standing(rep().id))!;
			const later = () => Date.now() + 11 * DAY;
			expect(await db.withStore((store) => lapseReferrals(store, later))).toBe(1);
			expect(await db.withStore((store) => lapseReferrals(store, later))).toBe(0);
			expect((await referrals())[3]).toMatchObject({ status: 'lapsed', points: 30, entry: 'void' });
			expect(await standing(rep().id)).toEqual({ ...before, provisional: before.provisional - 30 });
			await consistent();
			// What the rep sees: each referral with its state.
			const mine = await fetch(`${server.url}/referrals`, {
				headers: { cookie: `session=${sessions.rep}` }
			});
			const html = await mine.text();
			for (const name of ['Acme Ltd', 'ACME Limited', 'Zeta BV', 'Omega AB'])
				expect(html).toContain(name);
		});
	});

	describe('a season that needs confirmation', () => {
		it('shows the match in the review queue and confirms the referral with the sale', async () => {
			const setConfirmation = (on: boolean) =>
				db.withStore(({ db, tables: { season } }) =>
					db.update(season).set({ requireConfirmation: on }).where(eq(season.id, seeded.seasonId))
				);
			await setConfirmation(true);
			try {
				await refer('req-review-001', 'Review Oy', 'RV-1');
				const id = (await referrals()).at(-1)!.id;
				const answer = await sale('crm-review', 'rv 1');
				expect(answer.body.sale?.status).toBe('pending');
				expect((await referrals()).at(-1)).toMatchObject({ status: 'open', entry: 'provisional' });
				const queue = await fetch(`${server.url}/manage/review`, {
					headers: { cookie: `session=${sessions.manager}` }
				});
				expect(await queue.text()).toContain(
					`confirms the referral of ${seeded.people[0].displayName}`
				);
				const confirmed = await api('/sales/crm-review/confirm', tokens.manager, {});
				expect(confirmed.status).toBe(200);
				expect((await referrals()).at(-1)).toMatchObject({
					id,
					status: 'confirmed',
					entry: 'confirmed'
				});
				await consistent();
			} finally {
				await setConfirmation(false);
			}
		});
	});
});
