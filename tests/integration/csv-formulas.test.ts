// Every CSV file the app writes, downloaded from the production build with hostile names in
// every text column it has: no cell may start with a character that makes a spreadsheet run it
// as a formula (=, +, -, @, tab, carriage return) unless it is a plain number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import { seedServerDb, signIn, PASSWORD, type SeededDb } from '../helpers/seeded';
import { openDatabase } from '../../src/lib/server/db';
import { makeMember, makeProduct, makeUser } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { createApiToken } from '../../src/lib/server/auth/api-token';
import { sqliteStore } from '../../src/lib/server/db/store';
import { rule, season, team, user } from '../../src/lib/server/db/schema';
import { eq } from 'drizzle-orm';

const HOSTILE = [
	'=HYPERLINK("http://evil.test","x")',
	'+SUM(1,2)',
	"-2+3+cmd|' /C calc'!A0",
	'@SUM(A1:A9)',
	'\t=1+1',
	'\r=1+1'
];
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

let seeded: SeededDb;
let server: RunningServer;
let session: string;
let apiToken: string;

beforeAll(async () => {
	seeded = await seedServerDb({ teams: 3, people: 3 });
	const db = openDatabase(seeded.path);
	try {
		const admin = await makeUser(db, {
			email: 'admin@test.test',
			role: 'admin',
			password: PASSWORD
		});
		apiToken = (await createApiToken(sqliteStore(db), { name: 'crm', role: 'integration' })).token;
		seeded.teams.forEach((t, i) =>
			db.update(team).set({ name: HOSTILE[i] }).where(eq(team.id, t.id)).run()
		);
		db.update(season).set({ name: HOSTILE[3] }).where(eq(season.id, seeded.seasonId)).run();
		const product = makeProduct(db, seeded.seasonId, {
			sku: HOSTILE[4],
			name: HOSTILE[5],
			category: HOSTILE[1],
			points: 7,
			price: 1000
		});
		const now = Date.now();
		db.insert(rule)
			.values({
				seasonId: seeded.seasonId,
				name: HOSTILE[0],
				startsAt: now - 86_400_000,
				endsAt: now + 86_400_000,
				target: { kind: 'category', category: 'Phones' },
				effect: { kind: 'multiplier', factor: 2 }
			})
			.run();
		const people = [];
		for (const [i, name] of HOSTILE.entries())
			people.push(
				await makeMember(db, seeded.seasonId, seeded.teams[i % seeded.teams.length].id, {
					email: `hostile${i}@test.test`,
					name
				})
			);
		for (const [i, p] of people.entries())
			await recordOn(
				db,
				{
					source: 'api',
					externalId: HOSTILE[i],
					seller: { email: p.email },
					occurredAt: now - 3_600_000,
					lines: [
						{ sku: 'PHONE', quantity: 1 },
						{ sku: product.sku, quantity: 2 }
					]
				},
				undefined,
				{ awards: false }
			);
		for (const [i, reason] of HOSTILE.entries())
			await adjustPoints(sqliteStore(db), {
				seasonId: seeded.seasonId,
				userId: people[i].id,
				points: -3,
				reason,
				actor: { userId: admin.id }
			});
		// The ended season: its results are frozen (by the server's scheduler) under these names.
		db.update(team).set({ name: HOSTILE[2] }).where(eq(team.seasonId, seeded.endedSeasonId)).run();
		db.update(user).set({ displayName: HOSTILE[0] }).where(eq(user.id, seeded.pastMember.id)).run();
	} finally {
		db.$client.close();
	}
	server = await startServer({ dbPath: seeded.path });
	session = await signIn(server.url, 'admin@test.test');
}, 120_000);

afterAll(async () => {
	await server?.dispose();
	seeded?.cleanup();
});

/** Every cell that a spreadsheet would run as a formula: [row, column, value]. */
function formulaCells(csv: string) {
	const rows = Papa.parse<string[]>(csv, { header: false, skipEmptyLines: true }).data;
	const bad: [number, number, string][] = [];
	rows.forEach((row, r) =>
		row.forEach((cell, c) => {
			if (FORMULA_START.test(cell) && !NUMBER.test(cell)) bad.push([r + 1, c + 1, cell]);
		})
	);
	const escaped = rows.flat().filter((cell) => /^'[=+\-@\t\r]/.test(cell)).length;
	return { bad, escaped, rows: rows.length };
}

async function download(path: string, headers: Record<string, string>) {
	const response = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
	expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
	expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
	return response.text();
}

const cookie = () => ({ cookie: `session=${session}` });

describe('every CSV export escapes formula cells', () => {
	const exports: [string, () => string][] = [
		['dashboard data.csv', () => `/dashboard/data.csv?season=${seeded.seasonId}`],
		['ranking.csv', () => `/exports/ranking.csv?season=${seeded.seasonId}`],
		['sales.csv', () => `/exports/sales.csv?season=${seeded.seasonId}`],
		['ledger.csv', () => `/exports/ledger.csv?season=${seeded.seasonId}`],
		['hall-of-fame results.csv', () => `/hall-of-fame/${seeded.endedSeasonId}/results.csv`],
		['products export.csv', () => '/manage/products/export.csv']
	];
	it.each(exports)('%s', async (_name, pathOf) => {
		const path = pathOf();
		const csv = await download(path, cookie());
		const { bad, escaped, rows } = formulaCells(csv);
		expect(rows, path).toBeGreaterThan(1);
		// The hostile names are in the file, escaped.
		expect(escaped, `${path}:\n${csv}`).toBeGreaterThan(0);
		expect(bad, path).toEqual([]);
	});

	it("the API import's error list (errors.csv)", async () => {
		const header = 'externalId,sellerEmail,occurredAt,sku,quantity,unitPrice';
		const at = new Date(Date.now() - 3_600_000).toISOString();
		const body = [
			header,
			...HOSTILE.map((h) => `"${h.replace(/"/g, '""')}",${seeded.people[0].email},${at},NOPE,1,1`),
			`"${HOSTILE[0].replace(/"/g, '""')}",not-an-email,${at},PHONE,1,1`
		].join('\n');
		const response = await fetch(`${server.url}/api/v1/imports/sales?dryRun=1`, {
			method: 'POST',
			headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'text/csv' },
			body
		});
		expect(response.status).toBe(200);
		const report = await response.json();
		expect(report.errorsTotal).toBeGreaterThan(0);
		const csv = await download(report.errorsUrl, { authorization: `Bearer ${apiToken}` });
		expect(formulaCells(csv).bad).toEqual([]);
	});

	it("the console import's error list", async () => {
		// Hostile column names: the errors name the file's own columns.
		const header = ['=Order', '+Rep', '@When', '-Item', 'Qty', 'Price'];
		const at = new Date(Date.now() - 3_600_000).toISOString();
		const form = new FormData();
		form.set(
			'csv',
			[header.join(','), `x1,nobody,${at},PHONE,1,1`, `x2,nobody,${at},PHONE,0,1`].join('\n')
		);
		const fields = ['externalId', 'sellerEmail', 'occurredAt', 'sku', 'quantity', 'unitPrice'];
		fields.forEach((f, i) => form.set(`map.${f}`, header[i]));
		const response = await fetch(`${server.url}/manage/import?/check`, {
			method: 'POST',
			body: form,
			headers: {
				...cookie(),
				origin: server.url,
				accept: 'application/json',
				'x-sveltekit-action': 'true'
			}
		});
		const result = await response.json();
		const data = devalue.parse(result.data) as { report: { errorsCsv: string | null } };
		expect(data.report.errorsCsv).toBeTruthy();
		const { bad, escaped } = formulaCells(data.report.errorsCsv!);
		expect(escaped).toBeGreaterThan(0);
		expect(bad).toEqual([]);
	});
});
