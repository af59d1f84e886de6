import * as z from 'zod';
import type { ActionFailure } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getStore } from '$lib/server/db/store';
import { ADMINS, requireRole } from '$lib/server/auth/guards';
import { fieldErrors, refuse, refuseError, type FormFailure } from '$lib/server/shared/form';
import {
	CHAT_EVENTS,
	chatChannelInput,
	chatEventsInput,
	createChannel,
	DEFAULT_BIG_SALE_POINTS,
	deleteChannel,
	listChannels,
	listChatMessages,
	refusedChatUrl,
	setChannelActive,
	updateChannelEvents
} from '$lib/server/notify/chat/channels';
import { sendTestMessage } from '$lib/server/notify/chat/test-message';
import { m } from '$lib/paraglide/messages.js';

const admin = (event: RequestEvent) => requireRole(event, ADMINS, m.chat_admin_only());
const idSchema = z.coerce.number().int().positive();

export const load: PageServerLoad = async (event) => {
	admin(event);
	const store = getStore();
	const [channels, messages] = await Promise.all([
		listChannels(store),
		listChatMessages(store, 30)
	]);
	return {
		channels,
		messages,
		events: [...CHAT_EVENTS],
		defaultBigSale: DEFAULT_BIG_SALE_POINTS
	};
};

/** A notice for the page, or a refusal made by the action itself. */
type Outcome = string | ActionFailure<FormFailure>;

/** Runs one change to an existing channel; a vanished or paused one is refused with why. */
async function change(
	event: RequestEvent,
	action: 'update' | 'toggle' | 'delete' | 'test',
	run: (id: number, form: FormData) => Outcome | Promise<Outcome>
) {
	admin(event);
	const form = await event.request.formData();
	const id = idSchema.safeParse(form.get('id'));
	if (!id.success) return refuse(400, action, m.chat_choose_channel());
	try {
		const result = await run(id.data, form);
		if (typeof result !== 'string') return result;
		return { action, success: true as const, message: result, id: id.data };
	} catch (e) {
		return refuseError(e, action);
	}
}

const eventsOf = (form: FormData) => ({
	events: form.getAll('events').map(String),
	bigSalePoints: String(form.get('bigSalePoints') ?? '')
});

export const actions = {
	create: async (event) => {
		const user = admin(event);
		const form = await event.request.formData();
		const values = {
			platform: String(form.get('platform') ?? ''),
			name: String(form.get('name') ?? ''),
			url: String(form.get('url') ?? ''),
			...eventsOf(form)
		};
		const parsed = chatChannelInput.safeParse(values);
		if (!parsed.success)
			return refuse(400, 'create', m.chat_check_form(), {
				errors: fieldErrors(parsed.error),
				values
			});
		const refused = await refusedChatUrl(parsed.data.platform, parsed.data.url);
		if (refused)
			return refuse(400, 'create', m.chat_check_form(), { errors: { url: refused }, values });
		const created = await createChannel(getStore(), parsed.data, { userId: user.id }, Date.now());
		return {
			action: 'create' as const,
			success: true as const,
			message: m.chat_added({ name: created.name })
		};
	},
	update: (event) =>
		change(event, 'update', async (id, form) => {
			const parsed = chatEventsInput.safeParse(eventsOf(form));
			if (!parsed.success) {
				const errors = fieldErrors(parsed.error);
				return refuse(400, 'update', Object.values(errors)[0] ?? m.chat_check_form(), { errors });
			}
			const row = await updateChannelEvents(
				getStore(),
				id,
				parsed.data,
				{ userId: event.locals.user!.id },
				Date.now()
			);
			return m.chat_updated_notice({ name: row.name });
		}),
	toggle: (event) =>
		change(event, 'toggle', async (id, form) => {
			const active = form.get('active') === 'true';
			const row = await setChannelActive(
				getStore(),
				id,
				active,
				{ userId: event.locals.user!.id },
				Date.now()
			);
			return active
				? m.chat_resumed_notice({ name: row.name })
				: m.chat_paused_notice({ name: row.name });
		}),
	delete: (event) =>
		change(event, 'delete', async (id) => {
			const row = await deleteChannel(
				getStore(),
				id,
				{ userId: event.locals.user!.id },
				Date.now()
			);
			return m.chat_deleted_notice({ name: row.name });
		}),
	test: (event) =>
		change(event, 'test', async (id) => {
			const result = await sendTestMessage(
				getStore(),
				id,
				{ userId: event.locals.user!.id },
				Date.now
			);
			if (!result.ok)
				return refuse(
					502,
					'test',
					m.chat_test_failed({ name: result.name, error: result.error ?? '' })
				);
			return m.chat_test_sent({ name: result.name });
		})
} satisfies Actions;
