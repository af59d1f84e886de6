import { and, eq } from 'drizzle-orm';
import type { Season, SeasonTheme } from '../db/schema';
import { write, type Store } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { systemClock, type Clock } from '../shared/clock';
import { conflict, notFound } from '../shared/errors';
import type { Recurrence } from '../../contest/calendar';
import type { TieRule } from '../../contest/types';
import type { MultiplierMode } from '../../contest/rules';
import { cloneSeasonInWrite } from './clone';
import type { NewSeason } from './fields';
import { runScheduler } from './scheduler';
import { log } from '../shared/log';
import { m } from '../../paraglide/messages.js';

// What changes a season: create (by the API, or in the console from scratch, a built-in theme
// or a copy), edit, publish a draft. One write (db/store.ts) and one audit event per command:
// a season created or published on one node is what every node reads.

export interface SeasonInput {
	name: string;
	theme: Omit<SeasonTheme, 'banner'>;
	timeZone: string;
	/** Local dates; `startsAt`/`endsAt` are their bounds in `timeZone` (end date inclusive). */
	startDate: string;
	endDate: string;
	startsAt: number;
	endsAt: number;
	recurrence: Recurrence | null;
	target: number | null;
	prizes: { place: number; title: string }[];
	tieRule: TieRule;
	requireConfirmation: boolean;
	multiplierMode: MultiplierMode;
	graceDays: number;
	maxSalePoints: number;
}

/**
 * A season was scheduled or its start moved: the scheduler opens at once what is due. Its
 * failure does not fail the command, which is committed: the loop runs again (and logs it).
 */
export async function runSchedulerOn(store: Store, clock: Clock): Promise<void> {
	await runScheduler(store, { clock }).catch((error) =>
		log.error({ err: error }, 'season scheduler failed')
	);
}

/**
 * Creates a season: a draft to prepare in the console, or scheduled, in which case the
 * scheduler opens it at its start (at once when the start has passed).
 */
export async function createSeason(
	store: Store,
	input: NewSeason,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Season> {
	const now = clock();
	const { season } = store.tables;
	const created = await write(store, async (tx) => {
		const [row] = await tx
			.insert(season)
			.values({
				name: input.name,
				theme: input.theme,
				timeZone: input.timeZone,
				startsAt: Date.parse(input.startsAt),
				endsAt: Date.parse(input.endsAt),
				status: input.draft ? 'draft' : 'scheduled',
				recurrence: input.recurrence ?? null,
				requireConfirmation: input.requireConfirmation,
				multiplierMode: input.multiplierMode,
				target: input.target ?? null,
				tieRule: input.tieRule,
				graceDays: input.graceDays,
				maxSalePoints: input.maxSalePoints,
				createdAt: now
			})
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'season.create',
			`season:${row.id}`,
			{ name: row.name, status: row.status },
			now
		);
		return row;
	});
	if (created.status === 'scheduled') await runSchedulerOn(store, clock);
	const [after] = await store.db.select().from(season).where(eq(season.id, created.id));
	return after;
}

/** A draft becomes scheduled (and live at its start); logged like every transition. */
export async function publishDraft(
	store: Store,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Season> {
	const now = clock();
	const { season, seasonTransition } = store.tables;
	await write(store, async (tx) => {
		// Only a draft: a publish sent twice (or to two nodes at once) moves it once.
		const moved = await tx
			.update(season)
			.set({ status: 'scheduled' })
			.where(and(eq(season.id, seasonId), eq(season.status, 'draft')))
			.returning({ id: season.id });
		if (moved.length !== 1) {
			const [there] = await tx
				.select({ status: season.status })
				.from(season)
				.where(eq(season.id, seasonId));
			if (!there) throw notFound('not_found', m.seasons_error_no_season({ id: seasonId }));
			throw conflict('not_draft', m.seasons_only_draft());
		}
		await tx
			.insert(seasonTransition)
			.values({ seasonId, toStatus: 'scheduled', at: now, by: String(actor.userId ?? 'api') })
			.onConflictDoNothing();
		await auditInWrite(tx, store, actor, 'season.publish', `season:${seasonId}`, {}, now);
	});
	await runSchedulerOn(store, clock);
	const [after] = await store.db.select().from(season).where(eq(season.id, seasonId));
	return after;
}

interface CreateOptions {
	status: 'draft' | 'scheduled';
	/** A data URL; null for none; left out, a copy keeps the original's banner. */
	banner?: string | null;
	/** Copy this season's catalogue, rules, badges, teams and members. */
	cloneOf?: number;
	/** The built-in theme it started from, for the audit trail. */
	themeKey?: string;
}

export async function createConsoleSeason(
	store: Store,
	input: SeasonInput,
	options: CreateOptions,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Season> {
	const now = clock();
	const withBanner = (banner: string | null | undefined): SeasonTheme => ({
		...input.theme,
		...(banner ? { banner } : {})
	});
	const settings = {
		name: input.name,
		theme: withBanner(options.banner),
		timeZone: input.timeZone,
		startsAt: input.startsAt,
		endsAt: input.endsAt,
		status: options.status,
		recurrence: input.recurrence,
		target: input.target,
		prizes: input.prizes.length > 0 ? input.prizes : null,
		tieRule: input.tieRule,
		requireConfirmation: input.requireConfirmation,
		multiplierMode: input.multiplierMode,
		graceDays: input.graceDays,
		maxSalePoints: input.maxSalePoints
	};
	const { season, seasonTransition } = store.tables;
	const created = await write(store, async (tx) => {
		let row: Season;
		if (options.cloneOf != null) {
			const [source] = await tx.select().from(season).where(eq(season.id, options.cloneOf));
			if (!source)
				throw notFound('not_found', m.seasons_error_clone_gone(), {
					field: 'cloneFrom'
				});
			const copy = await cloneSeasonInWrite(tx, store, source, {
				startsAt: input.startsAt,
				endsAt: input.endsAt,
				name: input.name,
				status: options.status,
				recurrence: input.recurrence,
				now
			});
			// The form shows the source's settings, as the manager may have changed them.
			const theme = withBanner(options.banner === undefined ? source.theme.banner : options.banner);
			[row] = await tx
				.update(season)
				.set({ ...settings, theme })
				.where(eq(season.id, copy.id))
				.returning();
		} else {
			[row] = await tx
				.insert(season)
				.values({ ...settings, createdAt: now })
				.returning();
		}
		await tx.insert(seasonTransition).values({
			seasonId: row.id,
			toStatus: options.status,
			at: now,
			by: String(actor.userId ?? 'api')
		});
		const from =
			options.cloneOf != null
				? `clone:${options.cloneOf}`
				: options.themeKey
					? `theme:${options.themeKey}`
					: 'scratch';
		await auditInWrite(
			tx,
			store,
			actor,
			'season.create',
			`season:${row.id}`,
			{ name: row.name, status: row.status, from },
			now
		);
		return row;
	});
	// A season scheduled to start today (or earlier) opens at once.
	if (created.status === 'scheduled') await runSchedulerOn(store, clock);
	const [after] = await store.db.select().from(season).where(eq(season.id, created.id));
	return after;
}
