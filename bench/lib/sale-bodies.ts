// The API sales that bench:ingest and bench:restart post: sale i is the same text for every
// stack, run and replay (deterministic in i), sellers and products of the demo season.
import type Database from 'better-sqlite3';

export function hash(i: number, salt: number) {
	let t = (i * 2654435761 + salt * 40503) | 0;
	t = Math.imul(t ^ (t >>> 15), 1 | t);
	t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
	return (t ^ (t >>> 14)) >>> 0;
}

export interface World {
	emails: string[];
	skus: { sku: string; price: number }[];
	from: number;
	span: number;
}

export function saleBody(world: World, prefix: string, i: number): string {
	const lines = Array.from({ length: 1 + (hash(i, 3) % 2) }, (_, k) => {
		const product = world.skus[hash(i, 4 + k) % world.skus.length];
		return { sku: product.sku, quantity: 1 + (hash(i, 7 + k) % 3), unitPrice: product.price / 100 };
	});
	return JSON.stringify({
		externalId: `${prefix}-${i}`,
		seller: { email: world.emails[hash(i, 1) % world.emails.length] },
		// Spread over the last days: sellers have many sales a day, and days change.
		occurredAt: new Date(world.from + (hash(i, 2) % world.span)).toISOString(),
		lines
	});
}

/** The live season of a seeded demo database, and the sellers and products its sales use. */
export function demoWorld(direct: Database.Database): { seasonId: number; world: World } {
	const live = direct
		.prepare(
			`select id, starts_at as startsAt from season where status = 'live' order by starts_at desc limit 1`
		)
		.get() as { id: number; startsAt: number };
	const world: World = {
		emails: (
			direct
				.prepare(
					`select u.email from season_member m join user u on u.id = m.user_id where m.season_id = ?`
				)
				.all(live.id) as { email: string }[]
		).map((r) => r.email),
		skus: direct
			.prepare(`select sku, price from product where season_id = ? and active = 1`)
			.all(live.id) as { sku: string; price: number }[],
		from: 0,
		span: 0
	};
	const now = Date.now();
	world.from = Math.max(live.startsAt, now - 7 * 86_400_000);
	world.span = now - 60_000 - world.from;
	return { seasonId: live.id, world };
}
