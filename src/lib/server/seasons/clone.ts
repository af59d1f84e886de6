import { eq } from 'drizzle-orm';
import type { Store, StoreDb } from '../db/store';
import { TZDate } from '@date-fns/tz';
import { remapBadgePrizes } from './prizes';
import type { Season } from '../db/schema';
import { nextSeason, type Recurrence } from '../../contest/calendar';

/** "Q4 Summit Challenge" repeats as "Q1 Summit Challenge"; other names get the start month. */
export function nextSeasonName(name: string, startsAt: number, timeZone: string): string {
	const start = new TZDate(startsAt, timeZone);
	const quarter = `Q${Math.floor(start.getMonth() / 3) + 1}`;
	if (/\bQ[1-4]\b/.test(name)) return name.replace(/\bQ[1-4]\b/, quarter);
	const month = start.toLocaleString('en', { month: 'short', year: 'numeric', timeZone });
	const base = name.replace(/ · [A-Z][a-z]{2} \d{4}$/, '');
	return `${base} · ${month}`;
}

interface CloneOptions {
	/** Dates of the copy; by default the next occurrence of `recurrence`. */
	startsAt?: number;
	endsAt?: number;
	recurrence?: Recurrence | null;
	name?: string;
	status?: 'draft' | 'scheduled';
	now: number;
}

/**
 * A fresh season with the same theme, settings, catalogue, rules, badges, activity types,
 * targets (quotas), teams and members, and no scores, inside a store's write (db/store.ts). Rule
 * windows move with the season. Used by the scheduler's recurrences (scheduler.ts, in the
 * season's end) and by the console's "copy a season" (commands.ts `createConsoleSeason`).
 * (Divisions are carried by the scheduler: divisions/carry.ts.)
 */
export async function cloneSeasonInWrite(
	tx: StoreDb,
	store: Store,
	source: Season,
	options: CloneOptions
): Promise<Season> {
	const { activityType, badge, product, quota, rule, season, seasonMember, team } = store.tables;
	const dates =
		options.startsAt != null && options.endsAt != null
			? { startsAt: options.startsAt, endsAt: options.endsAt }
			: nextSeason(source, options.recurrence ?? source.recurrence!);
	const shift = dates.startsAt - source.startsAt;
	const [copy] = await tx
		.insert(season)
		.values({
			name: options.name ?? nextSeasonName(source.name, dates.startsAt, source.timeZone),
			theme: source.theme,
			timeZone: source.timeZone,
			startsAt: dates.startsAt,
			endsAt: dates.endsAt,
			status: options.status ?? 'scheduled',
			tieRule: source.tieRule,
			rankBy: source.rankBy,
			requireConfirmation: source.requireConfirmation,
			multiplierMode: source.multiplierMode,
			autoConfirmDays: source.autoConfirmDays,
			tiers: source.tiers,
			holidays: source.holidays,
			target: source.target,
			recurrence: options.recurrence === undefined ? source.recurrence : options.recurrence,
			graceDays: source.graceDays,
			maxSalePoints: source.maxSalePoints,
			prizes: source.prizes,
			// Only a recurrence links seasons one to one; a manual clone stands alone.
			previousSeasonId: options.startsAt == null ? source.id : null,
			createdAt: options.now
		})
		.returning();
	const teamIds = new Map<number, number>();
	for (const t of await tx.select().from(team).where(eq(team.seasonId, source.id))) {
		const [created] = await tx
			.insert(team)
			.values({ seasonId: copy.id, name: t.name, color: t.color, emoji: t.emoji })
			.returning({ id: team.id });
		teamIds.set(t.id, created.id);
	}
	const members = (
		await tx.select().from(seasonMember).where(eq(seasonMember.seasonId, source.id))
	).map((m) => ({
		seasonId: copy.id,
		userId: m.userId,
		teamId: teamIds.get(m.teamId)!,
		joinedAt: options.now
	}));
	// 500 rows to a statement: PostgreSQL takes 65,535 parameters per statement.
	for (let i = 0; i < members.length; i += 500)
		await tx.insert(seasonMember).values(members.slice(i, i + 500));
	const products = (await tx.select().from(product).where(eq(product.seasonId, source.id))).map(
		(p) => ({ ...withoutId(p), seasonId: copy.id })
	);
	for (let i = 0; i < products.length; i += 500)
		await tx.insert(product).values(products.slice(i, i + 500));
	for (const r of (await tx.select().from(rule).where(eq(rule.seasonId, source.id))).map(
		withoutId
	)) {
		await tx.insert(rule).values({
			...r,
			seasonId: copy.id,
			startsAt: r.startsAt == null ? null : r.startsAt + shift,
			endsAt: r.endsAt == null ? null : r.endsAt + shift,
			createdAt: options.now,
			updatedAt: options.now
		});
	}
	const badgeIds = new Map<number, number>();
	for (const { id, ...b } of await tx.select().from(badge).where(eq(badge.seasonId, source.id))) {
		const [created] = await tx
			.insert(badge)
			.values({ ...b, seasonId: copy.id, createdAt: options.now })
			.returning({ id: badge.id });
		badgeIds.set(id, created.id);
	}
	const types = await tx.select().from(activityType).where(eq(activityType.seasonId, source.id));
	if (types.length > 0) {
		await tx.insert(activityType).values(
			types.map((t) => ({
				...withoutId(t),
				seasonId: copy.id,
				createdAt: options.now,
				updatedAt: options.now
			}))
		);
	}
	const quotas = (await tx.select().from(quota).where(eq(quota.seasonId, source.id)))
		.map((q) => ({
			...withoutId(q),
			seasonId: copy.id,
			subjectId: q.subjectType === 'team' ? teamIds.get(q.subjectId) : q.subjectId,
			updatedAt: options.now
		}))
		.filter((q): q is typeof q & { subjectId: number } => q.subjectId !== undefined);
	for (let i = 0; i < quotas.length; i += 500)
		await tx.insert(quota).values(quotas.slice(i, i + 500));
	if (copy.prizes?.some((p) => p.badgeId != null)) {
		copy.prizes = remapBadgePrizes(copy.prizes, badgeIds);
		await tx.update(season).set({ prizes: copy.prizes }).where(eq(season.id, copy.id));
	}
	return copy;
}

/** A row without its id, to insert as a new row. */
function withoutId<T extends { id: number }>(row: T): Omit<T, 'id'> {
	const copy: Partial<T> = { ...row };
	delete copy.id;
	return copy as Omit<T, 'id'>;
}
