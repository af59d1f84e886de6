import { and, eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import { knockout, type Knockout } from '../db/schema';
import { audit, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { badRequest, conflict, notFound } from '../shared/errors';
import { knockoutEdit, removal, type EditRefusal } from '../../contest/format-edit';
import { m } from '../../paraglide/messages.js';
import type { KnockoutEdit, KnockoutInput } from './knockout-form';

/**
 * Creates a knockout in a season; it is seeded by the scheduler when it starts. The form's
 * requestId makes a double submit return the knockout it created the first time.
 */
export function createKnockout(
	db: Db,
	seasonId: number,
	input: KnockoutInput,
	actor: Actor,
	clock: Clock = systemClock
): { knockout: Knockout; created: boolean } {
	const now = clock();
	const requestId = `${actor.userId ?? 0}:${input.requestId}`;
	const result = db.transaction(
		(tx) => {
			const existing = tx.select().from(knockout).where(eq(knockout.requestId, requestId)).get();
			if (existing) return { knockout: existing, created: false };
			const row = tx
				.insert(knockout)
				.values({
					seasonId,
					...input,
					requestId,
					createdById: actor.userId ?? null,
					createdAt: now
				})
				.returning()
				.get();
			audit(tx, actor, 'knockout.create', `knockout:${row.id}`, { seasonId, name: row.name }, now);
			return { knockout: row, created: true };
		},
		{ behavior: 'immediate' }
	);
	if (result.created) notifyLeaderboard(seasonId);
	return result;
}

function knockoutOf(tx: Queryable, seasonId: number, id: number): Knockout {
	const row = tx
		.select()
		.from(knockout)
		.where(and(eq(knockout.id, id), eq(knockout.seasonId, seasonId)))
		.get();
	if (!row) throw notFound('not_found', m.knockouts_error_not_found());
	return row;
}

function refused(refusal: EditRefusal): never {
	if (refusal.reason === 'final') throw conflict('final', m.knockouts_error_final());
	if (refusal.reason === 'cancelled') throw conflict('cancelled', m.knockouts_error_cancelled());
	throw badRequest('locked', m.knockouts_error_locked(), {
		field: 'field' in refusal ? refusal.field : undefined
	});
}

/**
 * Changes a knockout of the season: every field before it starts (it is seeded at its start),
 * only its name and prize once started (contest/format-edit.ts). Anything else is refused and
 * nothing is written. Boards show the change at once.
 */
export function updateKnockout(
	db: Db,
	seasonId: number,
	id: number,
	input: KnockoutEdit,
	actor: Actor,
	clock: Clock = systemClock
): Knockout {
	const now = clock();
	const { row, changed } = db.transaction(
		(tx) => {
			const before = knockoutOf(tx, seasonId, id);
			const edit = knockoutEdit(before, input, now);
			if (!edit.ok) refused(edit.refusal);
			const changes = Object.fromEntries(
				Object.entries(edit.set)
					.filter(([key, value]) => before[key as keyof Knockout] !== value)
					.map(([key, value]) => [key, { from: before[key as keyof Knockout], to: value }])
			);
			if (Object.keys(changes).length === 0) return { row: before, changed: false };
			// Read and written under the write lock: the scheduler cannot seed it in between.
			const row = tx.update(knockout).set(edit.set).where(eq(knockout.id, id)).returning().get()!;
			audit(
				tx,
				actor,
				'knockout.update',
				`knockout:${id}`,
				{ seasonId, name: row.name, changes },
				now
			);
			return { row, changed: true };
		},
		{ behavior: 'immediate' }
	);
	if (changed) notifyLeaderboard(seasonId);
	return row;
}

/**
 * Removes a knockout: deleted before its start, cancelled once started (its bracket stops and
 * leaves the boards, /sprints and the TV; nobody wins it), refused once final.
 */
export function removeKnockout(
	db: Db,
	seasonId: number,
	id: number,
	actor: Actor,
	clock: Clock = systemClock
): 'deleted' | 'cancelled' {
	const now = clock();
	const done = db.transaction(
		(tx) => {
			const row = knockoutOf(tx, seasonId, id);
			const decided = removal(row, now);
			if (!decided.ok) refused(decided.refusal);
			const data = { seasonId, name: row.name };
			if (decided.action === 'delete') {
				tx.delete(knockout).where(eq(knockout.id, id)).run();
				audit(tx, actor, 'knockout.delete', `knockout:${id}`, data, now);
				return 'deleted' as const;
			}
			tx.update(knockout).set({ status: 'cancelled' }).where(eq(knockout.id, id)).run();
			audit(tx, actor, 'knockout.cancel', `knockout:${id}`, data, now);
			return 'cancelled' as const;
		},
		{ behavior: 'immediate' }
	);
	notifyLeaderboard(seasonId);
	return done;
}
