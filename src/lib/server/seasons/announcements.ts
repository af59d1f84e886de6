import { eq } from 'drizzle-orm';
import * as z from 'zod';
import { write, type Store } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { publishSeason } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { conflict, notFound } from '../shared/errors';
import { m } from '../../paraglide/messages.js';

// A manager's one-line message on every board of a season, e.g. "Double points this Friday!".
// Saved on the season, audited, then pushed to open boards through the season event. Through
// the store (db/store.ts): posted on one node, it is what every node's boards read.

export const ANNOUNCEMENT_MAX = 280;

/** The console's announcement form. */
export const announcementForm = z.object({
	announcement: z
		.string()
		.trim()
		.min(1, { error: () => m.seasons_error_announce_empty() })
		.max(ANNOUNCEMENT_MAX, {
			error: () => m.seasons_error_announce_long({ max: ANNOUNCEMENT_MAX })
		})
});

/** The announcement boards show now, if any. */
export async function currentAnnouncement(store: Store, seasonId: number): Promise<string | null> {
	const { season } = store.tables;
	const [row] = await store.db
		.select({ text: season.announcement })
		.from(season)
		.where(eq(season.id, seasonId));
	return row?.text ?? null;
}

/** Posts (text) or clears (null) the announcement; boards that are open show it at once. */
export async function setAnnouncement(
	store: Store,
	seasonId: number,
	text: string | null,
	actor: Actor,
	clock: Clock = systemClock
) {
	const now = clock();
	const { season } = store.tables;
	const saved = await write(store, async (tx) => {
		const [before] = await tx
			.select({ status: season.status, announcement: season.announcement })
			.from(season)
			.where(eq(season.id, seasonId));
		if (!before) throw notFound('not_found', m.seasons_error_gone());
		if (before.status === 'ended' || before.status === 'archived') {
			throw conflict('locked', m.seasons_error_announce_over());
		}
		if (before.announcement === text) return { status: before.status, changed: false };
		await tx.update(season).set({ announcement: text }).where(eq(season.id, seasonId));
		await auditInWrite(
			tx,
			store,
			actor,
			text == null ? 'season.announcement_clear' : 'season.announce',
			`season:${seasonId}`,
			{ from: before.announcement, to: text },
			now
		);
		return { status: before.status, changed: true };
	});
	if (saved.changed) publishSeason({ seasonId, status: saved.status, announcement: text });
	return saved;
}
