import { and, eq } from 'drizzle-orm';
import type { SubjectType } from '../db/schema';
import { unportedSqlite, type Store, type StoreDb } from '../db/store';
import { awardFrozenWin } from '../badges/counted';
import type { AwardChanges } from '../badges/awards';

// The badges of a frozen sprint or knockout win, inside the write that freezes it. The badges'
// engine is not ported: on SQLite `awardFrozenWin` runs on the write's own connection, inside its
// transaction (its statements are synchronous, so they land between the write's), so the win and
// its badges commit together as before; on PostgreSQL, where the server cannot run yet, a team's
// winners are recorded (what a badge created later counts) and no badge is given, as the duels'
// `giveWinBadges` (challenges/advance.ts) does.

export async function frozenWinBadgesInWrite(
	tx: StoreDb,
	store: Store,
	kind: 'sprints_won' | 'knockouts_won',
	win: { id: number; seasonId: number; subject: SubjectType },
	winnerId: number,
	now: number
): Promise<AwardChanges> {
	const sqlite = unportedSqlite(store);
	if (sqlite) return awardFrozenWin(sqlite, kind, win, winnerId, now);
	if (win.subject === 'team') {
		const { knockoutWinMember, seasonMember, sprintWinMember } = store.tables;
		const members = (
			await tx
				.select({ userId: seasonMember.userId })
				.from(seasonMember)
				.where(and(eq(seasonMember.seasonId, win.seasonId), eq(seasonMember.teamId, winnerId)))
				.orderBy(seasonMember.userId)
		).map((r) => r.userId);
		const rows = members.map((userId) => ({ userId, teamId: winnerId }));
		if (rows.length > 0 && kind === 'sprints_won')
			await tx
				.insert(sprintWinMember)
				.values(rows.map((row) => ({ ...row, sprintId: win.id })))
				.onConflictDoNothing();
		else if (rows.length > 0)
			await tx
				.insert(knockoutWinMember)
				.values(rows.map((row) => ({ ...row, knockoutId: win.id })))
				.onConflictDoNothing();
	}
	return { awarded: [], withdrawn: [] };
}
