import { eq, sql } from 'drizzle-orm';
import type { NotificationKind } from '../../db/schema';
import { write, type Store } from '../../db/store';
import type { Role } from '../../../contest/types';
import { optOutsOf, setWantedInWrite, SWITCHABLE, type PersonalChannel } from '../preferences';

// The profile's "What I receive": one checkbox per switchable kind and channel. A checkbox that
// is not ticked is not sent, so the form also names every pair it shows (`shown`) and the
// ticked ones come as `on`; pairs not shown (the managers' summary, for a participant) stay as
// they are. Anything that is not a pair of SWITCHABLE refuses the whole form, nothing changed.

export interface ReceiveChoice {
	channel: PersonalChannel;
	kind: NotificationKind;
	on: boolean;
}

export const CHANNELS: PersonalChannel[] = ['email', 'push'];

/** Kinds only some roles ever get: nobody else is offered a switch for them. */
const ONLY_FOR: Partial<Record<NotificationKind, readonly Role[]>> = {
	daily_summary: ['manager', 'admin']
};

/** What the profile lists for a person, per channel, ticked unless switched off. */
export async function receiveChoices(
	store: Store,
	userId: number,
	role: Role
): Promise<ReceiveChoice[]> {
	const off = await optOutsOf(store, userId);
	return CHANNELS.flatMap((channel) =>
		SWITCHABLE[channel]
			.filter((kind) => ONLY_FOR[kind]?.includes(role) ?? true)
			.map((kind) => ({ channel, kind, on: !off.has(`${channel}:${kind}`) }))
	);
}

function pair(
	value: FormDataEntryValue
): { channel: PersonalChannel; kind: NotificationKind } | null {
	if (typeof value !== 'string') return null;
	const [channel, kind, ...rest] = value.split(':');
	if (rest.length > 0 || !CHANNELS.includes(channel as PersonalChannel)) return null;
	const c = channel as PersonalChannel;
	return (SWITCHABLE[c] as string[]).includes(kind)
		? { channel: c, kind: kind as NotificationKind }
		: null;
}

/** The choices a form sends, or null when anything in it is not a switchable pair. */
export function readReceiveForm(form: FormData): ReceiveChoice[] | null {
	const shown = form.getAll('shown').map(pair);
	const on = form.getAll('on');
	if (shown.length === 0 || shown.some((p) => p === null)) return null;
	const ticked = new Set<string>();
	for (const value of on) {
		if (!pair(value)) return null;
		ticked.add(value as string);
	}
	const names = new Set(shown.map((p) => `${p!.channel}:${p!.kind}`));
	if ([...ticked].some((t) => !names.has(t))) return null;
	return shown.map((p) => ({ ...p!, on: ticked.has(`${p!.channel}:${p!.kind}`) }));
}

/**
 * Saves a person's choices in one write: all of them or, if it fails, none. Two saves for one
 * person are put in turn on their account's row: on PostgreSQL the second waits for the first and
 * runs again on what it wrote (without it, one save's switches on and another's switches off
 * sent to two nodes at once were sometimes both kept, a mix of the two forms; the test).
 */
export function saveReceiveChoices(
	store: Store,
	userId: number,
	choices: readonly ReceiveChoice[]
): Promise<void> {
	return write(store, async (tx) => {
		const { user: people } = store.tables;
		const [person] = await tx
			.update(people)
			.set({ locale: sql`${people.locale}` })
			.where(eq(people.id, userId))
			.returning({ id: people.id });
		if (!person) throw new Error(`No person ${userId} to save the choices of`);
		for (const c of choices) await setWantedInWrite(tx, store, userId, c.channel, c.kind, c.on);
	});
}
