// The season bench:import and bench/import-wal.ts import into, and the file's rows: people in
// ten teams, 40 products (10 accessories, 30 phones), a cross-sell and a first-sale rule, and
// sales of one to three lines out of order over 79 days, in a European export's columns.
import type { Db } from '../../src/lib/server/db';
import { rule } from '../../src/lib/server/db/schema';
import { makeMember, makeProduct, makeSeason, makeTeam } from '../../tests/helpers/factories';

const DAY = 24 * 60 * 60 * 1000;

export const IMPORT_HEADER = 'Ordernummer;E-mail;Datum;Artikelnummer;Aantal;Prijs';

export interface ImportSeason {
	now: number;
	people: { email: string }[];
	skus: string[];
}

export async function seedImportSeason(db: Db, peopleCount: number): Promise<ImportSeason> {
	const now = Date.now();
	const season = makeSeason(db, { startsAt: now - 80 * DAY, endsAt: now + 10 * DAY });
	const teams = Array.from({ length: 10 }, (_, i) => makeTeam(db, season.id, `Team ${i + 1}`));
	const people: { email: string }[] = [];
	for (let i = 0; i < peopleCount; i++)
		people.push(await makeMember(db, season.id, teams[i % teams.length].id));
	const skus = Array.from(
		{ length: 40 },
		(_, i) =>
			makeProduct(db, season.id, {
				sku: `SKU-${i}`,
				category: i < 10 ? 'Accessories' : 'Phones',
				points: 5 + i
			}).sku
	);
	db.insert(rule)
		.values([
			{
				seasonId: season.id,
				name: 'Cross-sell',
				target: { kind: 'category', category: 'Phones' },
				effect: { kind: 'cross_sell_multiplier', withCategory: 'Accessories', factor: 3 }
			},
			{
				seasonId: season.id,
				name: 'First sale',
				target: { kind: 'any' },
				effect: { kind: 'first_sale_bonus', points: 10 },
				dailyCap: 10
			}
		])
		.run();
	return { now, people, skus };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A zone-less local time as a European spreadsheet writes it (the season is UTC). */
export const euTime = (ms: number) => {
	const d = new Date(ms);
	return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};

/** One row of the file: externalId, seller's email, time (ms), SKU, quantity, unit price (cents). */
export type ImportRow = [string, string, number, string, number, number];

/** The file's first `rows` rows, the same each time (the CSV, then the bare inserts). */
export function* importRows(
	{ now, people, skus }: ImportSeason,
	rows: number
): Generator<ImportRow> {
	let written = 0;
	for (let sale = 1; written < rows; sale++) {
		const seller = people[(sale * 7919) % people.length].email;
		// Whole minutes: the file's times have no seconds.
		const atMs = Math.floor((now - ((sale * 104729) % (79 * DAY))) / 60_000) * 60_000;
		const count = 1 + (sale % 3);
		for (let l = 0; l < count && written < rows; l++, written++) {
			const price = 49 + (sale % 900) + 1000 * (sale % 3);
			const sku = skus[(sale + l * 13) % skus.length];
			yield [`bench-${sale}`, seller, atMs, sku, 1 + (sale % 2), price * 100];
		}
	}
}

const euro = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 2 });
/** A row as the file's line. */
export const importLine = ([id, seller, atMs, sku, quantity, cents]: ImportRow) =>
	`${id};${seller};${euTime(atMs)};${sku};${quantity};${euro.format(cents / 100)}`;
