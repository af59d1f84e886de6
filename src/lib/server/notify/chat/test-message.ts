// "Send test message" on the console: posts at once (not through the outbox's pacing) and tells
// the admin the outcome; the attempt is logged like every other message. On the store: the post
// happens before the write, which logs it and its audit entry together.
import { write, type Store } from '../../db/store';
import { auditInWrite, type Actor } from '../../audit/record';
import { conflict } from '../../shared/errors';
import { readOrganisation } from '../../organisation/settings';
import { postToTarget } from '../../webhooks/target';
import { m } from '../../../paraglide/messages.js';
import { channelById } from './channels';
import { formatChat } from './compose';
import type { ChatPoster } from './send';

export async function sendTestMessage(
	store: Store,
	id: number,
	actor: Actor,
	now: () => number,
	post: ChatPoster = postToTarget
): Promise<{ name: string; ok: boolean; error: string | null }> {
	const channel = await channelById(store, id);
	if (!channel.active) throw conflict('chat_channel_paused', m.chat_resume_before_test());
	const message = formatChat(
		channel.platform,
		{ event: 'test', channel: channel.name },
		(await readOrganisation(store.db, store)).defaultLocale
	);
	let error: string | null = null;
	try {
		await post(
			channel.url,
			{ 'content-type': 'application/json', 'user-agent': 'Honorboard-Chat/1' },
			JSON.stringify(message.payload)
		);
	} catch (e) {
		error = ((e as Error).message || String(e)).slice(0, 500);
	}
	const at = now();
	const { outgoingMessage } = store.tables;
	await write(store, async (tx) => {
		await tx.insert(outgoingMessage).values({
			channel: channel.platform,
			kind: 'test',
			chatChannelId: channel.id,
			recipient: channel.name,
			subject: message.subject,
			body: message.body,
			payload: message.payload,
			status: error == null ? 'sent' : 'failed',
			attempts: 1,
			lastError: error,
			nextAttemptAt: at,
			createdAt: at,
			sentAt: error == null ? at : null
		});
		await auditInWrite(
			tx,
			store,
			actor,
			'chat.test',
			`chat:${channel.id}`,
			{ name: channel.name, delivered: !error },
			at
		);
	});
	return { name: channel.name, ok: error == null, error };
}
