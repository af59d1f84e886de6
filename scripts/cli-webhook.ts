// `npm run cli -- webhook create|list|delete`: the webhooks console's commands, for setups
// without the web UI. The same checks as the console (URL, events, private targets) apply.
import { getStore } from '../src/lib/server/db/store';
import { SYSTEM } from '../src/lib/server/audit/record';
import { AppError } from '../src/lib/server/shared/errors';
import { WEBHOOK_EVENTS } from '../src/lib/server/webhooks/events';
import { refusedTarget } from '../src/lib/server/webhooks/target';
import {
	createWebhook,
	deleteWebhook,
	listWebhooks,
	webhookInput
} from '../src/lib/server/webhooks/admin';

export const WEBHOOK_USAGE = `  webhook create --url U --events E1,E2      a webhook for these events; prints its secret (whsec_…)
                                             alone on its last line. Events: ${WEBHOOK_EVENTS.join(', ')}
  webhook list                               every webhook: id, state, events, URL, last delivery
  webhook delete --id N                      removes the webhook and its delivery log`;

type Values = Record<string, string | boolean | undefined>;

const refused = (message: string) => new AppError(400, 'invalid_input', message);
const text = (values: Values, name: string) =>
	typeof values[name] === 'string' ? (values[name] as string).trim() : '';
const iso = (at: number) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function create(values: Values) {
	const input = {
		url: text(values, 'url'),
		events: text(values, 'events')
			.split(',')
			.map((e) => e.trim())
			.filter(Boolean)
	};
	if (!input.url) throw refused('--url is required');
	if (input.events.length === 0) throw refused('--events is required (comma-separated)');
	const parsed = webhookInput.safeParse(input);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const which = issue.path[0] === 'events' ? `--events (${input.events.join(',')})` : '--url';
		throw refused(`${which}: ${issue.message} Events: ${WEBHOOK_EVENTS.join(', ')}.`);
	}
	const reason = await refusedTarget(parsed.data.url);
	if (reason) throw refused(`--url: ${reason}`);
	const created = await createWebhook(getStore(), parsed.data, SYSTEM, Date.now());
	console.log(
		`Webhook ${created.id} created for ${created.events.join(', ')} → ${created.url}. Its secret (shown once; receivers verify the webhook-signature header with it):`
	);
	console.log(created.secret);
}

async function list() {
	const rows = await listWebhooks(getStore());
	if (rows.length === 0) {
		console.log('No webhooks.');
		return;
	}
	for (const row of rows) {
		const last = row.lastAt ? `${row.lastStatus} ${iso(row.lastAt)}` : 'never sent';
		console.log(
			[
				row.id,
				row.active ? 'active' : 'disabled',
				row.events.join(','),
				row.url,
				`created ${iso(row.createdAt)}`,
				`last: ${last}`
			].join('  ')
		);
	}
}

async function remove(values: Values) {
	const id = Number(text(values, 'id'));
	if (!Number.isSafeInteger(id) || id <= 0)
		throw refused('--id must be a webhook id (see webhook list)');
	const row = await deleteWebhook(getStore(), id, SYSTEM, Date.now());
	console.log(`Webhook ${id} (${row.url}) deleted with its delivery log.`);
}

/** Runs `webhook <sub>`; false when the command is not a webhook command. */
export async function webhookCommand(command: string, values: Values): Promise<boolean> {
	if (command === 'webhook create') await create(values);
	else if (command === 'webhook list') await list();
	else if (command === 'webhook delete') await remove(values);
	else return false;
	return true;
}
