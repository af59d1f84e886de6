// The exports in the customer's spreadsheet conventions (`?format=`), against the production
// build: today's format by default, `excel-eu` with a byte-order mark, ";", decimal commas and
// the season's local times, formula-like text still text; an unknown format is a 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { startServer, type RunningServer } from '../helpers/server';
import { readDb, seedServerDb, signIn, PASSWORD, type SeededDb } from '../helpers/seeded';
import { openDatabase } from '../../src/lib/server/db';
import { makeMember, makeUser } from '../helpers/factories';
import { recordOn } from '../helpers/record-sale';
import { readCsv } from '../../src/lib/csv';
import { season } from '../../src/lib/server/db/schema';

const EVIL = '=HYPERLINK("http://evil.test","x")';
const ZONE = 'Europe/Warsaw';
// A time of day whose UTC and Warsaw dates differ: 23:30 UTC is 00:30 or 01:30 the next day.
const occurredAt = (() => {
	const d = new Date(Date.now() - 2 * 86_400_000);
	d.setUTCHours(23, 30, 0, 0);
	return d.getTime();
})();

let seeded: SeededDb;
let server: RunningServer;
let manager = '';

beforeAll(async () => {
	seeded = await seedServerDb();
	const db = openDatabase(seeded.path);
	try {
		db.update(season).set({ timeZone: ZONE }).where(eq(season.id, seeded.seasonId)).run();
		await makeUser(db, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
		const evil = await makeMember(db, seeded.seasonId, seeded.teams[1].id, {
			email: 'evil@test.test',
			name: EVIL
		});
		await recordOn(
			db,
			{
				source: 'api',
				externalId: 'eu-1',
				seller: { email: evil.email },
				occurredAt,
				lines: [{ sku: 'PHONE', quantity: 2 }]
			},
			undefined,
			{ awards: false }
		);
	} finally {
		db.$client.close();
	}
	server = await startServer({ dbPath: seeded.path });
	manager = await signIn(server.url, 'manager@test.test');
});
afterAll(async () => {
	await server?.stop();
	seeded?.cleanup();
});

const get = (path: string) =>
	fetch(`${server.url}${path}`, { headers: { cookie: `session=${manager}` } });

/** The body's bytes as text, the byte-order mark kept (fetch's text() drops it). */
async function bytes(path: string) {
	const response = await get(path);
	expect(response.status).toBe(200);
	return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
}

function rows(text: string) {
	const { records, delimiter } = readCsv(text);
	const [header, ...body] = records.filter((r) => r.some((c) => c !== ''));
	return {
		delimiter,
		rows: body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])))
	};
}

describe('exports in spreadsheet conventions', () => {
	it('writes sales in excel-eu: BOM, ";", decimal commas, local times, formulas as text', async () => {
		const standard = await bytes(`/exports/sales.csv?season=${seeded.seasonId}`);
		const eu = await bytes(`/exports/sales.csv?season=${seeded.seasonId}&format=excel-eu`);
		expect(standard.startsWith('\uFEFF')).toBe(false);
		expect(eu.startsWith('\uFEFF')).toBe(true);

		const before = rows(standard);
		const after = rows(eu);
		expect(before.delimiter).toBe(',');
		expect(after.delimiter).toBe(';');
		const a = before.rows.find((r) => r.externalId === 'eu-1')!;
		const b = after.rows.find((r) => r.externalId === 'eu-1')!;
		expect(a.occurredAt).toBe(new Date(occurredAt).toISOString());
		expect(b.occurredAt).toBe(format(new TZDate(occurredAt, ZONE), 'yyyy-MM-dd HH:mm:ss'));
		expect(b.occurredAt.slice(0, 10)).not.toBe(a.occurredAt.slice(0, 10));
		expect(a.unitPrice).toBe('999.00');
		expect(b.unitPrice).toBe('999,00');
		expect(b.seller).toBe(`'${EVIL}`);
		// Same rows and columns otherwise.
		expect(after.rows.length).toBe(before.rows.length);
		expect({ ...b, occurredAt: '', unitPrice: '' }).toEqual({
			...a,
			occurredAt: '',
			unitPrice: ''
		});
	});

	it('writes the ledger and the ranking in excel-eu too, with the same numbers', async () => {
		for (const name of ['ledger', 'ranking']) {
			const standard = rows(await bytes(`/exports/${name}.csv?season=${seeded.seasonId}`));
			const eu = rows(
				await bytes(`/exports/${name}.csv?season=${seeded.seasonId}&format=excel-eu`)
			);
			expect(eu.delimiter).toBe(';');
			expect(eu.rows.length).toBe(standard.rows.length);
			const numbers = (r: Record<string, string>) =>
				Object.entries(r).filter(([k]) => k.toLowerCase().includes('points'));
			expect(eu.rows.map(numbers)).toEqual(standard.rows.map(numbers));
		}
		const ledger = rows(
			await bytes(`/exports/ledger.csv?season=${seeded.seasonId}&format=excel-eu`)
		).rows;
		const times = readDb(seeded.path, (db) =>
			db
				.prepare('select created_at from ledger_entry where season_id = ? order by id')
				.pluck()
				.all(seeded.seasonId)
		) as number[];
		expect(ledger.map((r) => r.createdAt)).toEqual(
			times.map((t) => format(new TZDate(t, ZONE), 'yyyy-MM-dd HH:mm:ss'))
		);
	});

	it('writes the dashboard CSV in excel-eu (byte-order mark, ";")', async () => {
		const text = await bytes(`/dashboard/data.csv?season=${seeded.seasonId}&format=excel-eu`);
		expect(text.startsWith('\uFEFFsection;date;team;metric;value')).toBe(true);
	});

	it('refuses an unknown format with a 400 and sends no file', async () => {
		const response = await get(`/exports/sales.csv?season=${seeded.seasonId}&format=xlsx`);
		expect(response.status).toBe(400);
		expect(response.headers.get('content-disposition')).toBeNull();
		expect(await response.text()).toContain('standard, excel-eu');
	});
});
