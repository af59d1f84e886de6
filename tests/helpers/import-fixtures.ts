// The sales-import fixtures in tests/fixtures/imports/ are laid out like real exports
// (Salesforce, HubSpot, Pipedrive, a European Excel, Windows-1250 and -1252 files) with
// placeholders for what depends on the database and the day: {{email:N}}, {{name:N}},
// {{number:N}} (employee number), {{sku:phone}}, {{sku:case}} and {{date:FORMAT|HOUR}} (the
// fixture day at that local hour, written with a date-fns format). Placeholders are ASCII and so
// are their values where the file is a code page, so the file keeps its encoding byte for byte.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'imports');

export const IMPORT_FIXTURES = [
	'salesforce-us.csv',
	'hubspot.csv',
	'pipedrive.csv',
	'excel-eu.csv',
	'windows-1250-pl.csv',
	'windows-1252-fr.csv'
] as const;
export type ImportFixture = (typeof IMPORT_FIXTURES)[number];

/** Products the code-page fixtures sell besides the placeholders' (non-ASCII SKUs). */
export const SPECIAL_SKUS = ['ŻÓŁW-1', 'CRÈME-1'];

export interface FixtureDay {
	year: number;
	month: number;
	day: number;
	timeZone: string;
}

export interface FixtureVars {
	emails: string[];
	names: string[];
	numbers?: string[];
	skus: { phone: string; case: string };
	day: FixtureDay;
}

/**
 * A past local day, after the season's start, whose day of the month is above 12 (so that a
 * file's day/month order shows), or null when the season has had none yet.
 */
export function fixtureDay(
	timeZone: string,
	startsAt: number,
	now = Date.now()
): FixtureDay | null {
	for (let back = 1; back <= 40; back++) {
		const local = new TZDate(now - back * 86_400_000, timeZone);
		const midnight = new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), timeZone);
		if (midnight.getTime() < startsAt) return null;
		if (local.getDate() > 12)
			return {
				year: local.getFullYear(),
				month: local.getMonth() + 1,
				day: local.getDate(),
				timeZone
			};
	}
	return null;
}

/** The instant of the fixture day at a local hour (what a zone-less time in the file means). */
export function atHour(day: FixtureDay, hour = 0): number {
	return new TZDate(day.year, day.month - 1, day.day, hour, 0, 0, day.timeZone).getTime();
}

/** The fixture's bytes with its placeholders filled in. */
export function fillFixture(name: ImportFixture, vars: FixtureVars): Buffer {
	const codePage = /windows-125/.test(name);
	const encoding = codePage ? 'latin1' : 'utf8';
	const text = readFileSync(join(FIXTURES, name)).toString(encoding);
	const filled = text.replace(/\{\{(\w+):([^}|]+)(?:\|(\d*))?\}\}/g, (_, kind, arg, hour) => {
		const index = Number(arg) - 1;
		switch (kind) {
			case 'email':
				return vars.emails[index];
			case 'name':
				return vars.names[index];
			case 'number':
				return vars.numbers![index];
			case 'sku':
				return vars.skus[arg as 'phone' | 'case'];
			case 'date':
				return format(
					new TZDate(atHour(vars.day, Number(hour || 0)), vars.day.timeZone),
					arg as string
				);
			default:
				throw new Error(`Unknown placeholder ${kind}`);
		}
	});
	// A value outside Latin-1 would not survive the byte-for-byte round trip.
	if (codePage && [...filled].some((char) => char.charCodeAt(0) > 0xff)) {
		throw new Error(`${name}: a value is not ASCII, so it cannot go into a code-page file`);
	}
	return Buffer.from(filled, encoding);
}

/** What each fixture holds once read: sales by external id, with their lines (cents). */
export const FIXTURE_SALES: Record<
	ImportFixture,
	{
		externalId: string;
		seller: number;
		hour: number;
		lines: { sku: 'phone' | 'case' | string; quantity: number; unitPrice: number }[];
	}[]
> = {
	'salesforce-us.csv': [
		{
			externalId: '0065g00000AbCdEAA1',
			seller: 1,
			hour: 0,
			lines: [
				{ sku: 'phone', quantity: 2, unitPrice: 109900 },
				{ sku: 'case', quantity: 1, unitPrice: 3900 }
			]
		},
		{
			externalId: '0065g00000FgHiJAA2',
			seller: 2,
			hour: 0,
			lines: [{ sku: 'phone', quantity: 1, unitPrice: 104950 }]
		}
	],
	'hubspot.csv': [
		{
			externalId: '9100000001',
			seller: 1,
			hour: 10,
			lines: [
				{ sku: 'phone', quantity: 1, unitPrice: 109900 },
				{ sku: 'case', quantity: 2, unitPrice: 3990 }
			]
		},
		{
			externalId: '9100000002',
			seller: 2,
			hour: 14,
			lines: [{ sku: 'phone', quantity: 1, unitPrice: 99999 }]
		}
	],
	'pipedrive.csv': [
		{
			externalId: '301',
			seller: 1,
			hour: 9,
			lines: [{ sku: 'phone', quantity: 2, unitPrice: 109875 }]
		},
		{
			externalId: '302',
			seller: 2,
			hour: 16,
			lines: [{ sku: 'case', quantity: 1, unitPrice: 3900 }]
		}
	],
	'excel-eu.csv': [
		{
			externalId: 'NL-1001',
			seller: 1,
			hour: 9,
			lines: [
				{ sku: 'phone', quantity: 1, unitPrice: 109900 },
				{ sku: 'case', quantity: 3, unitPrice: 3900 }
			]
		},
		{
			externalId: 'NL-1002',
			seller: 2,
			hour: 11,
			lines: [{ sku: 'phone', quantity: 1, unitPrice: 104950 }]
		},
		{
			externalId: 'NL-1003',
			seller: 2,
			hour: 12,
			lines: [{ sku: 'case', quantity: 2, unitPrice: 3890 }]
		}
	],
	'windows-1250-pl.csv': [
		{
			externalId: 'PL/2026/001',
			seller: 1,
			hour: 0,
			lines: [
				{ sku: 'phone', quantity: 1, unitPrice: 109900 },
				{ sku: 'ŻÓŁW-1', quantity: 2, unitPrice: 4999 }
			]
		},
		{
			externalId: 'PL/2026/002',
			seller: 2,
			hour: 0,
			lines: [{ sku: 'ŻÓŁW-1', quantity: 1, unitPrice: 4999 }]
		}
	],
	'windows-1252-fr.csv': [
		{
			externalId: 'FR-0001',
			seller: 1,
			hour: 15,
			lines: [
				{ sku: 'phone', quantity: 1, unitPrice: 109900 },
				{ sku: 'CRÈME-1', quantity: 2, unitPrice: 1250 }
			]
		},
		{
			externalId: 'FR-0002',
			seller: 2,
			hour: 17,
			lines: [{ sku: 'CRÈME-1', quantity: 4, unitPrice: 1250 }]
		}
	]
};
