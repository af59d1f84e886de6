import { and, eq } from 'drizzle-orm';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { badRequest, conflict, notFound } from '../shared/errors';
import { removal, sprintEdit, type EditRefusal } from '../../contest/format-edit';
import { m } from '../../paraglide/messages.js';
import type { SprintEdit, SprintInput } from './sprint-form';

// A manager's sprint commands: create, edit, remove. On the store (db/store.ts): one write
// each, with its audit entry; the boards are told once it is committed.

type Sprint = Tables['sprint']['$inferSelect'];

/**
 * Creates a sprint in a season. The form's requestId makes a double submit (or a resend after a
 * lost answer) return the sprint it created the first time.
 */
export async function createSprint(
	store: Store,
	seasonId: number,
	input: SprintInput,
	actor: Actor,
	clock: Clock = systemClock
): Promise<{ sprint: Sprint; created: boolean }> {
	const now = clock();
	const requestId = `${actor.userId ?? 0}:${input.requestId}`;
	const { sprint } = store.tables;
	const result = await write(store, async (tx) => {
		const [existing] = await tx.select().from(sprint).where(eq(sprint.requestId, requestId));
		if (existing) return { sprint: existing, created: false };
		const [row] = await tx
			.insert(sprint)
			.values({
				seasonId,
				name: input.name,
				subject: input.subject,
				measure: input.measure,
				target: input.target,
				startsAt: input.startsAt,
				endsAt: input.endsAt,
				prize: input.prize,
				status: input.startsAt <= now ? 'live' : 'scheduled',
				requestId,
				createdById: actor.userId ?? null,
				createdAt: now
			})
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'sprint.create',
			`sprint:${row.id}`,
			{ seasonId, name: row.name },
			now
		);
		return { sprint: row, created: true };
	});
	if (result.created) notifyLeaderboard(seasonId);
	return result;
}

async function sprintOf(tx: StoreDb, store: Store, seasonId: number, id: number): Promise<Sprint> {
	const { sprint } = store.tables;
	const [row] = await tx
		.select()
		.from(sprint)
		.where(and(eq(sprint.id, id), eq(sprint.seasonId, seasonId)));
	if (!row) throw notFound('not_found', m.sprints_error_not_found());
	return row;
}

function refused(refusal: EditRefusal): never {
	switch (refusal.reason) {
		case 'final':
			throw conflict('final', m.sprints_error_final());
		case 'cancelled':
			throw conflict('cancelled', m.sprints_error_cancelled());
		case 'locked':
			throw badRequest('locked', m.sprints_error_locked(), { field: refusal.field });
		case 'deadline_later':
			throw badRequest('deadline_later', m.sprints_error_deadline_later(), { field: 'endsAt' });
		case 'deadline_passed':
			throw badRequest('deadline_passed', m.sprints_error_deadline_passed(), { field: 'endsAt' });
	}
}

/**
 * Changes a sprint of the season: every field before it starts; once started only its name, its
 * prize and a later deadline (contest/format-edit.ts). Anything else is refused and nothing is
 * written. Boards show the change at once.
 */
export async function updateSprint(
	store: Store,
	seasonId: number,
	id: number,
	input: SprintEdit,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Sprint> {
	const now = clock();
	const { sprint } = store.tables;
	const { row, changed } = await write(store, async (tx) => {
		const before = await sprintOf(tx, store, seasonId, id);
		const edit = sprintEdit(before, input, now);
		if (!edit.ok) refused(edit.refusal);
		const changes = Object.fromEntries(
			Object.entries(edit.set)
				// The status follows a new start: not something the manager changed.
				.filter(([key, value]) => key !== 'status' && before[key as keyof Sprint] !== value)
				.map(([key, value]) => [key, { from: before[key as keyof Sprint], to: value }])
		);
		if (Object.keys(changes).length === 0) return { row: before, changed: false };
		// Read and written in one write: the scheduler cannot move it in between.
		const [row] = await tx.update(sprint).set(edit.set).where(eq(sprint.id, id)).returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'sprint.update',
			`sprint:${id}`,
			{ seasonId, name: row.name, changes },
			now
		);
		return { row, changed: true };
	});
	if (changed) notifyLeaderboard(seasonId);
	return row;
}

/**
 * Removes a sprint: deleted before its start, cancelled once started (it stops, leaves the
 * boards, /sprints and the TV, and gives no win), refused once final.
 */
export async function removeSprint(
	store: Store,
	seasonId: number,
	id: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<'deleted' | 'cancelled'> {
	const now = clock();
	const { sprint } = store.tables;
	const done = await write(store, async (tx) => {
		const row = await sprintOf(tx, store, seasonId, id);
		const decided = removal(row, now);
		if (!decided.ok) refused(decided.refusal);
		const data = { seasonId, name: row.name };
		if (decided.action === 'delete') {
			await tx.delete(sprint).where(eq(sprint.id, id));
			await auditInWrite(tx, store, actor, 'sprint.delete', `sprint:${id}`, data, now);
			return 'deleted' as const;
		}
		await tx.update(sprint).set({ status: 'cancelled' }).where(eq(sprint.id, id));
		await auditInWrite(tx, store, actor, 'sprint.cancel', `sprint:${id}`, data, now);
		return 'cancelled' as const;
	});
	notifyLeaderboard(seasonId);
	return done;
}
