import type { Locale } from '../../../i18n/locales';
import { m } from '../../../paraglide/messages.js';

// The one look of every mail: a simple, inline-styled HTML layout in the app's colours (mail
// clients drop <style> blocks and classes) and the same words as plain text, for the
// text/plain alternative and the admins' log. Every text is escaped here, once: callers pass
// plain strings, never HTML.

/** A paragraph, a heading or a bulleted list of a mail's body. */
export type MailBlock = string | { h: string } | { list: string[] };

/** What one mail says, in the order it says it. */
export interface MailContent {
	locale: Locale;
	subject: string;
	/** A heading above everything (the digests: "Your week in Spring"). */
	title?: string;
	/** "Hello Anna," — omitted for a mail to an address without a name. */
	greeting?: string;
	paragraphs: MailBlock[];
	/** The one thing to do, as a button (and its URL spelled out in the text). */
	action?: { label: string; url: string };
	/** Small print under the button: how long a link works, why you got this. */
	notes?: string[];
}

export interface RenderedMail {
	subject: string;
	text: string;
	html: string;
}

const COLORS = {
	ink: '#0f172a',
	muted: '#475569',
	page: '#f1f5f9',
	card: '#ffffff',
	border: '#e2e8f0',
	accent: '#f59e0b',
	button: '#2563eb'
};

const ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;'
};

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Only http(s) links become buttons: a URL is the one value an attribute could misuse. */
function safeUrl(url: string): string {
	return /^https?:\/\//i.test(url) ? url : '#';
}

function blockText(block: MailBlock): string {
	if (typeof block === 'string') return block;
	if ('h' in block) return `${block.h}\n${'-'.repeat(Math.min(block.h.length, 60))}`;
	return block.list.map((item) => `- ${item}`).join('\n');
}

export function renderMail(content: MailContent): RenderedMail {
	const { locale } = content;
	const footer = m.mail_footer({}, { locale });
	const text = [
		content.title,
		content.greeting,
		...content.paragraphs.map(blockText),
		content.action ? `${content.action.label}:\n${content.action.url}` : undefined,
		...(content.notes ?? []),
		`-- \nHonorboard · ${footer}`
	]
		.filter((part): part is string => !!part)
		.join('\n\n');

	const p = (body: string, style = '') =>
		`<p style="margin:0 0 16px;font-size:16px;line-height:1.5;color:${COLORS.ink};${style}">${body}</p>`;
	const block = (b: MailBlock) => {
		if (typeof b === 'string') return p(escapeHtml(b));
		if ('h' in b)
			return `<h2 style="margin:20px 0 8px;font-size:17px;line-height:1.3;color:${COLORS.ink};">${escapeHtml(b.h)}</h2>`;
		return `<ul style="margin:0 0 16px;padding-left:20px;font-size:16px;line-height:1.5;color:${COLORS.ink};">${b.list
			.map((item) => `<li>${escapeHtml(item)}</li>`)
			.join('')}</ul>`;
	};
	const button = content.action
		? `<p style="margin:24px 0;"><a href="${escapeHtml(safeUrl(content.action.url))}" style="display:inline-block;padding:12px 20px;border-radius:8px;background:${COLORS.button};color:#ffffff;font-weight:700;text-decoration:none;">${escapeHtml(content.action.label)}</a></p>` +
			p(
				`${escapeHtml(m.mail_link_fallback({}, { locale }))}<br><a href="${escapeHtml(safeUrl(content.action.url))}" style="color:${COLORS.button};word-break:break-all;">${escapeHtml(content.action.url)}</a>`,
				`font-size:14px;color:${COLORS.muted};`
			)
		: '';
	const html = `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(content.subject)}</title></head>
<body style="margin:0;padding:0;background:${COLORS.page};font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:${COLORS.page};padding:24px 12px;"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:${COLORS.card};border:1px solid ${COLORS.border};border-radius:12px;">
<tr><td style="padding:18px 24px;background:${COLORS.ink};border-radius:12px 12px 0 0;border-bottom:4px solid ${COLORS.accent};color:#ffffff;font-size:18px;font-weight:800;">&#127942; Honorboard</td></tr>
<tr><td style="padding:24px;">
${[
	content.title
		? `<h1 style="margin:0 0 16px;font-size:21px;line-height:1.3;color:${COLORS.ink};">${escapeHtml(content.title)}</h1>`
		: '',
	content.greeting ? p(escapeHtml(content.greeting)) : '',
	...content.paragraphs.map(block),
	button,
	...(content.notes ?? []).map((note) =>
		p(escapeHtml(note), `font-size:14px;color:${COLORS.muted};`)
	)
]
	.filter(Boolean)
	.join('\n')}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid ${COLORS.border};font-size:12px;line-height:1.5;color:${COLORS.muted};">${escapeHtml(footer)}</td></tr>
</table>
</td></tr></table>
</body>
</html>
`;
	return { subject: content.subject, text, html };
}
