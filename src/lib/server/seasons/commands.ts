import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { season, seasonTransition, type Season } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { runScheduler } from './scheduler';
import { systemClock, type Clock } from '../shared/clock';

function isTimeZone(value: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: value });
		return true;
	} catch {
		return false;
	}
}

const hex = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #2563eb');

export const themeSchema = z.object({
	primary: hex.default('#2563eb'),
	accent: hex.default('#f59e0b'),
	emoji: z.string().trim().min(1).max(16).default('🏆'),
	tagline: z.string().trim().max(140).default(''),
	banner: z.string().max(500).optional()
});

export const newSeasonSchema = z
	.object({
		name: z.string().trim().min(1).max(100),
		theme: themeSchema.default({ primary: '#2563eb', accent: '#f59e0b', emoji: '🏆', tagline: '' }),
		timeZone: z
			.string()
			.refine(isTimeZone, 'Unknown time zone (use an IANA name like Europe/Warsaw)'),
		startsAt: z.iso.datetime({ offset: true }),
		endsAt: z.iso.datetime({ offset: true }),
		recurrence: z
			.object({ every: z.number().int().min(1).max(52), unit: z.enum(['week', 'month']) })
			.nullable()
			.optional(),
		requireConfirmation: z.boolean().default(false),
		target: z.number().int().min(1).nullable().optional(),
		tieRule: z.enum(['competition', 'dense']).default('competition'),
		graceDays: z.number().int().min(0).max(90).default(7),
		draft: z.boolean().default(false)
	})
	.refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), {
		message: 'endsAt must be after startsAt',
		path: ['endsAt']
	});

export type NewSeason = z.infer<typeof newSeasonSchema>;

/**
 * Creates a season: a draft to prepare in the console, or scheduled, in which case the
 * scheduler opens it at its start (at once when the start has passed).
 */
export function createSeason(
	db: Db,
	input: NewSeason,
	actor: Actor,
	clock: Clock = systemClock
): Season {
	const now = clock();
	const created = db.transaction((tx) => {
		const row = tx
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
				target: input.target ?? null,
				tieRule: input.tieRule,
				graceDays: input.graceDays,
				createdAt: now
			})
			.returning()
			.get();
		audit(
			tx,
			actor,
			'season.create',
			`season:${row.id}`,
			{ name: row.name, status: row.status },
			now
		);
		return row;
	});
	if (created.status === 'scheduled') runScheduler(db, { clock });
	return db.select().from(season).where(eq(season.id, created.id)).get()!;
}

/** A draft becomes scheduled (and live at its start); logged like every transition. */
export function publishDraft(
	db: Db,
	seasonId: number,
	actor: Actor,
	clock: Clock = systemClock
): Season {
	const now = clock();
	db.transaction((tx) => {
		const moved = tx
			.update(season)
			.set({ status: 'scheduled' })
			.where(eq(season.id, seasonId))
			.run();
		if (moved.changes !== 1) throw new Error(`No season ${seasonId}`);
		tx.insert(seasonTransition)
			.values({ seasonId, toStatus: 'scheduled', at: now, by: String(actor.userId ?? 'api') })
			.onConflictDoNothing()
			.run();
		audit(tx, actor, 'season.publish', `season:${seasonId}`, {}, now);
	});
	runScheduler(db, { clock });
	return db.select().from(season).where(eq(season.id, seasonId)).get()!;
}
