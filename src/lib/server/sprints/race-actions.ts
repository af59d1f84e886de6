import { redirect, type RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { getStore, type Store } from '../db/store';
import type { Actor } from '../audit/record';
import { MANAGERS, requireRole } from '../auth/guards';
import { consoleSeason } from '../seasons/choice';
import { parseForm, refuse, refuseError } from '../shared/form';
import { m } from '../../paraglide/messages.js';

// The form actions of the two race consoles, /manage/sprints and /manage/knockouts: create, edit
// and remove a race of the console's season. They differ only in their form and their commands,
// which each page passes in (on the store, db/store.ts); what a manager may do and how a refusal reads is the same on both.

export interface RaceConsole<
	Stored extends { id: number },
	Values,
	Create extends z.ZodType,
	Edit extends z.ZodType
> {
	/** Where a saved form lands: `?created=<id>` or `?saved=<id>` is added. */
	path: string;
	notFound: () => string;
	removed: (done: 'deleted' | 'cancelled') => string;
	formValues: (form: FormData) => Values;
	formSchema: (timeZone: string) => Create;
	/** The edit form's values: what was sent, over what is stored (a locked field is not sent). */
	editValues: (form: FormData, stored: Values) => Values;
	editSchema: (timeZone: string) => Edit;
	valuesOf: (stored: Stored, timeZone: string) => Values;
	find: (store: Store, seasonId: number, id: number) => Promise<Stored | undefined>;
	create: (
		store: Store,
		seasonId: number,
		input: z.infer<Create>,
		actor: Actor
	) => Promise<{ id: number }>;
	update: (
		store: Store,
		seasonId: number,
		id: number,
		input: z.infer<Edit>,
		actor: Actor
	) => Promise<unknown>;
	remove: (
		store: Store,
		seasonId: number,
		id: number,
		actor: Actor
	) => Promise<'deleted' | 'cancelled'>;
}

export function raceActions<
	Stored extends { id: number },
	Values,
	Create extends z.ZodType,
	Edit extends z.ZodType
>(race: RaceConsole<Stored, Values, Create, Edit>) {
	return {
		create: async (event: RequestEvent) => {
			const user = requireRole(event, MANAGERS);
			const season = await consoleSeason();
			if (!season) return refuse(404, 'create', m.sprints_error_no_season());
			const values = race.formValues(await event.request.formData());
			const parsed = parseForm(race.formSchema(season.timeZone), values, 'create', values);
			if (!parsed.ok) return parsed.failure;
			let id: number;
			try {
				id = (await race.create(getStore(), season.id, parsed.data, { userId: user.id })).id;
			} catch (e) {
				return refuseError(e, 'create', values);
			}
			redirect(303, `${race.path}?created=${id}`);
		},
		update: async (event: RequestEvent) => {
			const user = requireRole(event, MANAGERS);
			const season = await consoleSeason();
			if (!season) return refuse(404, 'update', m.sprints_error_no_season());
			const form = await event.request.formData();
			const store = getStore();
			const stored = await race.find(store, season.id, Number(form.get('id')));
			if (!stored) return refuse(404, 'update', race.notFound());
			const values = race.editValues(form, race.valuesOf(stored, season.timeZone));
			const parsed = parseForm(race.editSchema(season.timeZone), values, 'update', values);
			if (!parsed.ok) return parsed.failure;
			try {
				await race.update(store, season.id, stored.id, parsed.data, { userId: user.id });
			} catch (e) {
				return refuseError(e, 'update', values);
			}
			redirect(303, `${race.path}?saved=${stored.id}`);
		},
		remove: async (event: RequestEvent) => {
			const user = requireRole(event, MANAGERS);
			const season = await consoleSeason();
			if (!season) return refuse(404, 'remove', m.sprints_error_no_season());
			const id = Number((await event.request.formData()).get('id'));
			try {
				const done = await race.remove(getStore(), season.id, id, { userId: user.id });
				return { action: 'remove' as const, message: race.removed(done) };
			} catch (e) {
				return refuseError(e, 'remove');
			}
		}
	};
}
