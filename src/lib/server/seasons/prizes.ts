import { createHash } from 'node:crypto';
import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import type { SeasonPrize } from '../db/schema';
import { write, type Store, type StoreDb } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { AppError, badRequest } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

// A season's prizes: one per final place and one per badge ("everyone who earns Hat-trick gets
// a voucher"), each with a title, an optional description and an optional picture. They live
// in the season row (a short list), and pictures are served by URL so pages stay light.
// Through the store (db/store.ts): a prize saved on one node is what every node shows.

export const MAX_PLACE = 10;

/** Identifies a prize within its season: there is at most one per place and one per badge. */
type PrizeKey = `place-${number}` | `badge-${number}`;

function prizeKey(prize: Pick<SeasonPrize, 'place' | 'badgeId'>): PrizeKey {
	return prize.badgeId != null ? `badge-${prize.badgeId}` : `place-${prize.place ?? 0}`;
}

/** A prize as pages show it: the picture as a URL (changes when the picture does). */
export interface PrizeView {
	key: PrizeKey;
	title: string;
	description: string | null;
	place: number | null;
	badge: { id: number; name: string; emoji: string } | null;
	imageUrl: string | null;
}

const imageVersion = (dataUrl: string) =>
	createHash('sha1').update(dataUrl).digest('hex').slice(0, 10);

type PrizeBadge = { id: number; name: string; emoji: string };

/** A season's prizes, places first (1st, 2nd, …), then badge prizes by badge name. */
export async function readPrizes(store: Store, seasonId: number): Promise<PrizeView[]> {
	const { season, badge } = store.tables;
	const [row] = await store.db
		.select({ prizes: season.prizes })
		.from(season)
		.where(eq(season.id, seasonId));
	const prizes = row?.prizes ?? [];
	const badgeIds = prizes.flatMap((p) => (p.badgeId != null ? [p.badgeId] : []));
	const badges =
		badgeIds.length === 0
			? []
			: await store.db
					.select({ id: badge.id, name: badge.name, emoji: badge.emoji })
					.from(badge)
					.where(inArray(badge.id, badgeIds));
	return prizeViews(seasonId, prizes, badges);
}

export function prizeViews(
	seasonId: number,
	prizes: SeasonPrize[],
	found: PrizeBadge[]
): PrizeView[] {
	const badges = new Map(found.map((b) => [b.id, b]));
	return prizes
		.filter((p) => p.badgeId == null || badges.has(p.badgeId))
		.map((p) => {
			const key = prizeKey(p);
			return {
				key,
				title: p.title,
				description: p.description || null,
				place: p.badgeId == null ? (p.place ?? null) : null,
				badge: p.badgeId != null ? badges.get(p.badgeId)! : null,
				imageUrl: p.image ? `/prizes/${seasonId}/${key}?v=${imageVersion(p.image)}` : null
			};
		})
		.sort((a, b) =>
			a.place != null && b.place != null
				? a.place - b.place
				: a.place != null
					? -1
					: b.place != null
						? 1
						: a.badge!.name.localeCompare(b.badge!.name)
		);
}

/** The badges a prize can be attached to: the season's own and the all-time ones. */
export async function prizeBadgeChoices(
	store: Store,
	seasonId: number,
	db: StoreDb = store.db
): Promise<PrizeBadge[]> {
	const { badge } = store.tables;
	return db
		.select({ id: badge.id, name: badge.name, emoji: badge.emoji })
		.from(badge)
		.where(and(eq(badge.active, true), or(eq(badge.seasonId, seasonId), isNull(badge.seasonId))))
		.orderBy(badge.name);
}

/** The picture of a prize, decoded from its data URL; null when there is none. */
export async function prizeImage(
	store: Store,
	seasonId: number,
	key: string
): Promise<{ type: string; bytes: Buffer } | null> {
	const { season } = store.tables;
	const [row] = await store.db
		.select({ prizes: season.prizes })
		.from(season)
		.where(eq(season.id, seasonId));
	const image = row?.prizes?.find((p) => prizeKey(p) === key)?.image;
	const match = image?.match(/^data:(image\/[a-z+]+);base64,(.+)$/);
	return match ? { type: match[1], bytes: Buffer.from(match[2], 'base64') } : null;
}

interface PrizeInput {
	/** Exactly one of place and badgeId. */
	place?: number;
	badgeId?: number;
	title: string;
	description: string;
	/** keep: leave the picture as it is; null: remove it; a string: the new picture. */
	image: 'keep' | null | string;
}

/** Adds a prize, or replaces the one for the same place or badge. */
export async function savePrize(
	store: Store,
	seasonId: number,
	input: PrizeInput,
	actor: Actor,
	clock: Clock = systemClock
): Promise<PrizeKey> {
	const { season } = store.tables;
	return write(store, async (tx) => {
		const [row] = await tx
			.select({ prizes: season.prizes })
			.from(season)
			.where(eq(season.id, seasonId));
		if (!row) throw new AppError(400, 'not_found', m.seasons_error_gone(), { field: 'season' });
		if (
			input.badgeId != null &&
			!(await prizeBadgeChoices(store, seasonId, tx)).some((b) => b.id === input.badgeId)
		) {
			throw badRequest('unknown_badge', m.seasons_error_badge_not_season(), {
				field: 'badgeId'
			});
		}
		if (
			input.badgeId == null &&
			!(Number.isInteger(input.place) && input.place! >= 1 && input.place! <= MAX_PLACE)
		) {
			throw badRequest('invalid_place', m.seasons_error_place_range({ max: MAX_PLACE }), {
				field: 'place'
			});
		}
		const key = prizeKey(input);
		const prizes = row.prizes ?? [];
		const before = prizes.find((p) => prizeKey(p) === key);
		const image = input.image === 'keep' ? before?.image : (input.image ?? undefined);
		const prize: SeasonPrize = {
			title: input.title,
			...(input.description ? { description: input.description } : {}),
			...(image ? { image } : {}),
			...(input.badgeId != null ? { badgeId: input.badgeId } : { place: input.place })
		};
		const next = before ? prizes.map((p) => (p === before ? prize : p)) : [...prizes, prize];
		await tx.update(season).set({ prizes: next }).where(eq(season.id, seasonId));
		await auditInWrite(
			tx,
			store,
			actor,
			before ? 'season.prize.update' : 'season.prize.create',
			`season:${seasonId}`,
			{ key, title: input.title, image: image ? 'set' : 'none' },
			clock()
		);
		return key;
	});
}

export async function removePrize(
	store: Store,
	seasonId: number,
	key: string,
	actor: Actor,
	clock: Clock = systemClock
): Promise<void> {
	const { season } = store.tables;
	await write(store, async (tx) => {
		const [row] = await tx
			.select({ prizes: season.prizes })
			.from(season)
			.where(eq(season.id, seasonId));
		const prizes = row?.prizes ?? [];
		const gone = prizes.find((p) => prizeKey(p) === key);
		if (!gone) throw badRequest('prize_gone', m.seasons_error_prize_gone(), { field: 'key' });
		const next = prizes.filter((p) => p !== gone);
		await tx
			.update(season)
			.set({ prizes: next.length > 0 ? next : null })
			.where(eq(season.id, seasonId));
		await auditInWrite(
			tx,
			store,
			actor,
			'season.prize.remove',
			`season:${seasonId}`,
			{ key, title: gone.title },
			clock()
		);
	});
}

/**
 * The season form edits the titles of places 1–3 only: keep what it does not show (pictures,
 * descriptions, further places and badge prizes) when it is saved.
 */
export function mergeFormPrizes(
	existing: SeasonPrize[] | null,
	fromForm: { place: number; title: string }[]
): SeasonPrize[] | null {
	const kept = (existing ?? []).filter((p) => p.badgeId != null || (p.place ?? 0) > 3);
	const places = fromForm.map((f) => {
		const before = existing?.find((p) => p.badgeId == null && p.place === f.place);
		return { ...before, title: f.title, place: f.place };
	});
	const merged = [...places, ...kept];
	return merged.length > 0 ? merged : null;
}

/** After a season is cloned, its badge prizes point at the copies of the badges. */
export function remapBadgePrizes(
	prizes: SeasonPrize[] | null,
	badgeIds: Map<number, number>
): SeasonPrize[] | null {
	if (!prizes) return null;
	return prizes.map((p) =>
		p.badgeId != null && badgeIds.has(p.badgeId) ? { ...p, badgeId: badgeIds.get(p.badgeId) } : p
	);
}
