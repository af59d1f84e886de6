// "Send test message" on the console: posts at once (not through the outbox's pacing) and tells
// the admin the outcome; the attempt is logged like every other message.
import type { Db } from '../../db';
import { outgoingMessage } from '../../db/schema';
import { audit, type Actor } from '../../audit/record';
import { conflict } from '../../shared/errors';
import { getOrganisation } from '../../organisation/settings';
import { postToTarget } from '../../webhooks/target';
import { m } from '../../../paraglide/messages.js';
import { channelById } from './channels';
import { formatChat } from './compose';
import type { ChatPoster } from './send';

export async function sendTestMessage(
	db: Db,
	id: number,
	actor: Actor,
	now: () => number,
	post: ChatPoster = postToTarget
): Promise<{ name: string; ok: boolean; error: string | null }> {
	const channel = channelById(db, id);
	if (!channel.active) throw conflict('chat_channel_paused', m.chat_resume_before_test());
	const message = formatChat(
		channel.platform,
		{ event: 'test', channel: channel.name },
		getOrganisation(db).defaultLocale
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
	db.transaction((tx) => {
		tx.insert(outgoingMessage)
			.values({
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
			})
			.run();
		audit(
			tx,
			actor,
			'chat.test',
			`chat:${channel.id}`,
			{ name: channel.name, delivered: !error },
			at
		);
	});
	return { name: channel.name, ok: error == null, error };
}
