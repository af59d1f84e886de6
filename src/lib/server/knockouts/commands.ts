import { and, eq } from 'drizzle-orm';
import { write, type Store, type StoreDb, type Tables } from '../db/store';
import { auditInWrite, type Actor } from '../audit/record';
import { notifyLeaderboard } from '../realtime/publish';
import { systemClock, type Clock } from '../shared/clock';
import { badRequest, conflict, notFound } from '../shared/errors';
import { knockoutEdit, removal, type EditRefusal } from '../../contest/format-edit';
import { m } from '../../paraglide/messages.js';
import type { KnockoutEdit, KnockoutInput } from './knockout-form';

// A manager's knockout commands: create, edit, remove. On the store (db/store.ts): one write
// each, with its audit entry; the boards are told once it is committed.

type Knockout = Tables['knockout']['$inferSelect'];

/**
 * Creates a knockout in a season; it is seeded by the scheduler when it starts. The form's
 * requestId makes a double submit return the knockout it created the first time.
 */
export async function createKnockout(
	store: Store,
	seasonId: number,
	input: KnockoutInput,
	actor: Actor,
	clock: Clock = systemClock
): Promise<{ knockout: Knockout; created: boolean }> {
	const now = clock();
	const requestId = `${actor.userId ?? 0}:${input.requestId}`;
	const { knockout } = store.tables;
	const result = await write(store, async (tx) => {
		const [existing] = await tx.select().from(knockout).where(eq(knockout.requestId, requestId));
		if (existing) return { knockout: existing, created: false };
		const [row] = await tx
			.insert(knockout)
			.values({
				seasonId,
				...input,
				requestId,
				createdById: actor.userId ?? null,
				createdAt: now
			})
			.returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'knockout.create',
			`knockout:${row.id}`,
			{ seasonId, name: row.name },
			now
		);
		return { knockout: row, created: true };
	});
	if (result.created) notifyLeaderboard(seasonId);
	return result;
}

async function knockoutOf(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	id: number
): Promise<Knockout> {
	const { knockout } = store.tables;
	const [row] = await tx
		.select()
		.from(knockout)
		.where(and(eq(knockout.id, id), eq(knockout.seasonId, seasonId)));
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
export async function updateKnockout(
	store: Store,
	seasonId: number,
	id: number,
	input: KnockoutEdit,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Knockout> {
	const now = clock();
	const { knockout } = store.tables;
	const { row, changed } = await write(store, async (tx) => {
		const before = await knockoutOf(tx, store, seasonId, id);
		const edit = knockoutEdit(before, input, now);
		if (!edit.ok) refused(edit.refusal);
		const changes = Object.fromEntries(
			Object.entries(edit.set)
				.filter(([key, value]) => before[key as keyof Knockout] !== value)
				.map(([key, value]) => [key, { from: before[key as keyof Knockout], to: value }])
		);
		if (Object.keys(changes).length === 0) return { row: before, changed: false };
		// Read and written in one write: the scheduler cannot seed it in between.
		const [row] = await tx.update(knockout).set(edit.set).where(eq(knockout.id, id)).returning();
		await auditInWrite(
			tx,
			store,
			actor,
			'knockout.update',
			`knockout:${id}`,
			{ seasonId, name: row.name, changes },
			now
		);
		return { row, changed: true };
	});
	if (changed) notifyLeaderboard(seasonId);
	return row;
}

/**
 * Removes a knockout: deleted before its start, cancelled once started (its bracket stops and
 * leaves the boards, /sprints and the TV; nobody wins it), refused once final.
 */
export async function removeKnockout(
	store: Store,
	seasonId: number,
	id: number,
	actor: Actor,
	clock: Clock = systemClock
): Promise<'deleted' | 'cancelled'> {
	const now = clock();
	const { knockout } = store.tables;
	const done = await write(store, async (tx) => {
		const row = await knockoutOf(tx, store, seasonId, id);
		const decided = removal(row, now);
		if (!decided.ok) refused(decided.refusal);
		const data = { seasonId, name: row.name };
		if (decided.action === 'delete') {
			await tx.delete(knockout).where(eq(knockout.id, id));
			await auditInWrite(tx, store, actor, 'knockout.delete', `knockout:${id}`, data, now);
			return 'deleted' as const;
		}
		await tx.update(knockout).set({ status: 'cancelled' }).where(eq(knockout.id, id));
		await auditInWrite(tx, store, actor, 'knockout.cancel', `knockout:${id}`, data, now);
		return 'cancelled' as const;
	});
	notifyLeaderboard(seasonId);
	return done;
}
