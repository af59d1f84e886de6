// The rule console's apply on a season too big to recalculate while the request waits
// (routes/(app)/manage/rules, scoring/recalculate-run-store.ts): the built server answers at once that
// the recalculation goes on in the background (RECALC_WAIT_MS=0 here; 5 s by default), the page
// says so on every visit while it runs, the server keeps answering meanwhile, and when it ends
// every sale has its new points, the standings match the ledger and the run is audited once. On the
// seeded SQLite file and on its copy in a throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import { signIn, waitFor, PASSWORD, type SeededDb } from '../helpers/seeded';
import { makeUser } from '../helpers/factories';
import {
	DIALECTS,
	seedServerDbOn,
	serverEnvFor,
	standingsVsLedgerOn,
	type ServerDb
} from '../helpers/server-db';
import { openDatabase } from '../../src/lib/server/db';
import { recordOn } from '../helpers/record-sale';
import { sqliteStore } from '../../src/lib/server/db/store';
import { createRule } from '../../src/lib/server/rules/commands';

const PEOPLE = 60;
const SALES_EACH = 70;
const HOUR = 60 * 60 * 1000;
/** The English text of rules_recalc_running, as the page shows it. */
const RUNNING = 'Recalculating… The season is large';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
const sessions = { rep: '', manager: '' };
let pointsBefore = 0;

const countedPoints = async () =>
	Number(
		await db.value(
			`select coalesce(sum(points), 0) from sale
			 where season_id = ? and status in ('approved', 'pending')`,
			seeded.seasonId
		)
	);

/** A manager, 60 people's 70 sales each and a rule that doubles them, in the seeded file. */
async function prepare(seeded: SeededDb) {
	const db = openDatabase(seeded.path);
	try {
		await makeUser(db, { email: 'boss@test.test', role: 'manager', password: PASSWORD });
		const now = Date.now();
		for (const [p, person] of seeded.people.entries()) {
			for (let i = 0; i < SALES_EACH; i++) {
				await recordOn(db, {
					source: 'api',
					externalId: `console-${p}-${i}`,
					seller: { userId: person.id },
					occurredAt: now - (i + 1) * 3 * HOUR,
					lines: [{ sku: i % 3 === 0 ? 'CASE' : 'PHONE', quantity: 1 + (i % 2) }]
				});
			}
		}
		// The rules change after the sales: everything counts double from now on.
		await createRule(
			sqliteStore(db),
			seeded.seasonId,
			{
				name: 'Everything ×2',
				active: true,
				highlight: false,
				startsAt: null,
				endsAt: null,
				target: { kind: 'any' },
				effect: { kind: 'multiplier', factor: 2 },
				dailyCap: null
			},
			{}
		);
	} finally {
		db.$client.close();
	}
}

async function action(path: string, session: string) {
	const response = await fetch(`${server.url}${path}`, {
		method: 'POST',
		body: new URLSearchParams({}),
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
		data: (typeof result.data === 'string' ? devalue.parse(result.data) : result.data) as
			Record<string, unknown> | undefined
	};
}

const consolePage = async () => {
	const response = await fetch(`${server.url}/manage/rules`, {
		headers: { cookie: `session=${sessions.manager}` }
	});
	expect(response.status).toBe(200);
	return response.text();
};

describe.each(DIALECTS)('the rule console on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 4, people: PEOPLE }, prepare);
		seeded = db.seeded;
		pointsBefore = await countedPoints();
		server = await startServer({
			dbPath: seeded.path,
			env: { RECALC_WAIT_MS: '0', ...serverEnvFor(db) }
		});
		sessions.rep = await signIn(server.url, seeded.people[0].email);
		sessions.manager = await signIn(server.url, 'boss@test.test');
	}, 180_000);

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('recalculating a big season from the rule console', () => {
		it('is refused to a sales person', async () => {
			expect((await action('/manage/rules?/recalculate', sessions.rep)).status).toBe(403);
			expect(await countedPoints()).toBe(pointsBefore);
		});

		it('answers at once that it goes on in the background, and says so until it ends', async () => {
			expect(pointsBefore).toBeGreaterThan(0);
			const applied = await action('/manage/rules?/recalculate', sessions.manager);
			expect(applied.status).toBe(200);
			expect(applied.data).toMatchObject({ action: 'recalculate', plan: null, running: true });

			// While it runs the server answers, and the console says it is recalculating.
			expect(await consolePage()).toContain(RUNNING);
			const board = await fetch(`${server.url}/healthz`);
			expect(board.status).toBe(200);

			await waitFor(
				async () => !(await consolePage()).includes(RUNNING),
				60_000,
				'the recalculation to end'
			);
			expect(await countedPoints()).toBe(2 * pointsBefore);
			expect(
				await db.value("select count(*) from audit_event where action = 'season.recalculate'")
			).toBe(1);
			expect(await db.value("select count(*) from sale where external_id like 'console-%'")).toBe(
				seeded.people.length * SALES_EACH
			);
			const { stored, fromLedger } = await standingsVsLedgerOn(db, seeded.seasonId);
			expect(stored).toEqual(fromLedger);
		}, 120_000);
	});
});
