// The two platforms' own rich formats, built from one ChatNote. Pure: no I/O, no clock.
//
// A note's `title` is plain text (names as they are); `text`, `facts` and `context` are already
// written in the platform's markup by compose.ts, with every name escaped by the platform's
// `escape` below, so a name such as `*Sam* <!here>` can never format or ping.

export type ChatPlatform = 'slack' | 'teams';

export interface ChatNote {
	/** Plain text: the renderer escapes it where the platform reads markup. */
	title: string;
	/** The platform's markup (built with its style). */
	text: string;
	facts: { title: string; value: string }[];
	context: string;
}

/** How names and emphasis are written in a platform's markup. */
export interface ChatStyle {
	escape: (value: string) => string;
	bold: (markup: string) => string;
}

const ZWSP = '\u200b';

/**
 * Slack mrkdwn: `&`, `<` and `>` must be entities (Slack's documented escaping; `<!here>` and
 * `<url|x>` are otherwise commands and links). Slack has no escape for `*_~\``: a zero-width
 * space on both sides keeps them from opening or closing a format, and they still read the same.
 */
export function slackEscape(value: string): string {
	return value
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/[*_~`]/g, (c) => `${ZWSP}${c}${ZWSP}`);
}

/**
 * The Markdown subset of Adaptive Cards in Teams: a backslash before the emphasis, code and link
 * characters, and before a list or quote marker at the start of a line.
 */
export function teamsEscape(value: string): string {
	return value
		.replace(/[\\`*_~[\]()#]/g, (c) => `\\${c}`)
		.replace(/^(\s*)([-+>]|\d+\.)/gm, (_all, space: string, marker: string) =>
			marker.endsWith('.') ? `${space}${marker.slice(0, -1)}\\.` : `${space}\\${marker}`
		);
}

export const STYLES: Record<ChatPlatform | 'plain', ChatStyle> = {
	slack: { escape: slackEscape, bold: (s) => `*${s}*` },
	teams: { escape: teamsEscape, bold: (s) => `**${s}**` },
	plain: { escape: (s) => s, bold: (s) => s }
};

const clip = (value: string, max: number) =>
	value.length <= max ? value : `${value.slice(0, max - 1)}…`;

/** Slack Block Kit: `text` is the notification's fallback, the blocks are what the channel shows. */
export function slackPayload(note: ChatNote) {
	const blocks: Record<string, unknown>[] = [
		// Header blocks are plain_text (no markup) and at most 150 characters.
		{ type: 'header', text: { type: 'plain_text', text: clip(note.title, 150), emoji: true } }
	];
	if (note.text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: note.text } });
	// A section holds at most 10 fields.
	for (let i = 0; i < note.facts.length; i += 10)
		blocks.push({
			type: 'section',
			fields: note.facts
				.slice(i, i + 10)
				.map((f) => ({ type: 'mrkdwn', text: `*${f.title}*\n${f.value}` }))
		});
	blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: note.context }] });
	const fallback = [slackEscape(note.title), note.text].filter(Boolean).join(': ');
	return { text: clip(fallback, 3000), blocks };
}

/** A Teams message carrying one Adaptive Card (1.4: what Teams renders today). */
export function teamsPayload(note: ChatNote) {
	const body: Record<string, unknown>[] = [
		{
			type: 'TextBlock',
			text: teamsEscape(note.title),
			weight: 'Bolder',
			size: 'Medium',
			wrap: true
		}
	];
	if (note.text) body.push({ type: 'TextBlock', text: note.text, wrap: true });
	if (note.facts.length > 0) body.push({ type: 'FactSet', facts: note.facts });
	body.push({ type: 'TextBlock', text: note.context, isSubtle: true, size: 'Small', wrap: true });
	return {
		type: 'message',
		attachments: [
			{
				contentType: 'application/vnd.microsoft.card.adaptive',
				contentUrl: null,
				content: {
					$schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
					type: 'AdaptiveCard',
					version: '1.4',
					body
				}
			}
		]
	};
}

/** The text logged for admins (and the outbox's `body`): the plain note, one line per part. */
export function plainText(note: ChatNote): string {
	return [note.title, note.text, ...note.facts.map((f) => `${f.title}: ${f.value}`), note.context]
		.filter(Boolean)
		.join('\n');
}
