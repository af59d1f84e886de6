import * as z from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getStore } from '$lib/server/db/store';
import { ADMINS, requireRole } from '$lib/server/auth/guards';
import { refuse, refuseError } from '$lib/server/shared/form';
import { WEBHOOK_EVENTS } from '$lib/server/webhooks/events';
import { refusedTarget } from '$lib/server/webhooks/target';
import {
	createWebhook,
	deleteWebhook,
	listAttempts,
	listDeliveries,
	listWebhooks,
	queueTestEvent,
	redeliver,
	setWebhookActive,
	webhookInput
} from '$lib/server/webhooks/admin';
import { m } from '$lib/paraglide/messages.js';

const admin = (event: RequestEvent) => requireRole(event, ADMINS, m.webhooks_admin_only());
const idSchema = z.coerce.number().int().positive();

export const load: PageServerLoad = async (event) => {
	admin(event);
	const store = getStore();
	const [webhooks, deliveries] = await Promise.all([
		listWebhooks(store),
		listDeliveries(store, 50)
	]);
	const attempts = await listAttempts(
		store,
		deliveries.map((d) => d.id)
	);
	return {
		webhooks,
		deliveries: deliveries.map((d) => ({ ...d, log: attempts.get(d.id) ?? [] })),
		events: [...WEBHOOK_EVENTS],
		now: Date.now()
	};
};

/** Runs one change to an existing webhook; a vanished or disabled one is refused with why. */
async function change(
	event: RequestEvent,
	action: 'toggle' | 'delete' | 'test' | 'redeliver',
	run: (id: number, form: FormData) => Promise<string>
) {
	admin(event);
	const form = await event.request.formData();
	const id = idSchema.safeParse(form.get('id'));
	if (!id.success)
		return refuse(
			400,
			action,
			action === 'redeliver' ? m.webhooks_choose_delivery() : m.webhooks_choose_webhook()
		);
	try {
		return { action, success: true as const, message: await run(id.data, form) };
	} catch (e) {
		return refuseError(e, action);
	}
}

export const actions = {
	create: async (event) => {
		const user = admin(event);
		const form = await event.request.formData();
		const values = {
			url: String(form.get('url') ?? ''),
			events: form.getAll('events').map(String)
		};
		const parsed = webhookInput.safeParse(values);
		if (!parsed.success) {
			// One message per field: an unknown event is the events field's error, whichever box.
			const errors: Record<string, string> = {};
			for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
			return refuse(400, 'create', m.webhooks_check_form(), { errors, values });
		}
		// Private, loopback and cloud-metadata targets are refused here and again at each delivery.
		const refused = await refusedTarget(parsed.data.url);
		if (refused)
			return refuse(400, 'create', m.webhooks_check_form(), {
				errors: { url: refused },
				values
			});
		const created = await createWebhook(getStore(), parsed.data, { userId: user.id }, Date.now());
		return {
			action: 'create' as const,
			success: true as const,
			message: m.webhooks_added(),
			created
		};
	},
	toggle: (event) =>
		change(event, 'toggle', async (id, form) => {
			const active = form.get('active') === 'true';
			const row = await setWebhookActive(
				getStore(),
				id,
				active,
				{ userId: event.locals.user!.id },
				Date.now()
			);
			return active
				? m.webhooks_enabled_notice({ url: row.url })
				: m.webhooks_disabled_notice({ url: row.url });
		}),
	delete: (event) =>
		change(event, 'delete', async (id) => {
			const row = await deleteWebhook(
				getStore(),
				id,
				{ userId: event.locals.user!.id },
				Date.now()
			);
			return m.webhooks_deleted_notice({ url: row.url });
		}),
	test: (event) =>
		change(event, 'test', async (id) => {
			const row = await queueTestEvent(
				getStore(),
				id,
				{ userId: event.locals.user!.id },
				Date.now()
			);
			return m.webhooks_test_notice({ url: row.url });
		}),
	redeliver: (event) =>
		change(event, 'redeliver', async (id) => {
			const row = await redeliver(getStore(), id, { userId: event.locals.user!.id }, Date.now());
			return m.webhooks_redeliver_notice({ event: row.event, url: row.url });
		})
} satisfies Actions;
