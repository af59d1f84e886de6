import { INTL_LOCALES, type Locale } from '../../../i18n/locales';
import { points as formatPoints, signed as formatSigned } from '../../../format/numbers';
import { m } from '../../../paraglide/messages.js';
import { appOrigin } from './config';
import { escapeHtml } from './templates';

// The small pieces the digest mails (overtaken, weekly digest, daily summary) are made of: an
// inline-styled HTML page (mail clients ignore stylesheets) beside its plain-text twin, every
// name escaped, numbers in the reader's language, links to this server's pages.

export interface MailBody {
	subject: string;
	text: string;
	html: string;
}

export { escapeHtml };

/** An absolute link to a page of this server (the mails' one origin: config.ts appOrigin). */
export function appUrl(path: string): string {
	return `${appOrigin()}${path}`;
}

/** Points in a language: "1,250 pts", "1 250 pkt". */
export function pts(n: number, locale: Locale): string {
	return m.sell_pts({ count: n, n: formatPoints(n, INTL_LOCALES[locale]) }, { locale });
}

export const number = (n: number, locale: Locale) => formatPoints(n, INTL_LOCALES[locale]);
export const signed = (n: number, locale: Locale) => formatSigned(n, INTL_LOCALES[locale]);

const P = 'margin:0 0 12px;line-height:1.5';

/** One block of a mail, both ways: a paragraph, a heading, a list or a button. */
export type Block =
	| { p: string }
	| { h: string }
	| { list: string[] }
	| { button: string; href: string }
	| { muted: string };

function blockHtml(block: Block): string {
	if ('p' in block) return `<p style="${P}">${escapeHtml(block.p)}</p>`;
	if ('muted' in block)
		return `<p style="${P};color:#6b7280;font-size:13px">${escapeHtml(block.muted)}</p>`;
	if ('h' in block)
		return `<h2 style="margin:20px 0 8px;font-size:16px">${escapeHtml(block.h)}</h2>`;
	if ('list' in block)
		return `<ul style="margin:0 0 12px;padding-left:20px;line-height:1.5">${block.list
			.map((item) => `<li>${escapeHtml(item)}</li>`)
			.join('')}</ul>`;
	return `<p style="margin:16px 0"><a href="${escapeHtml(block.href)}" style="display:inline-block;background:#2563eb;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;font-weight:600">${escapeHtml(block.button)}</a></p>`;
}

function blockText(block: Block): string {
	if ('p' in block) return block.p;
	if ('muted' in block) return block.muted;
	if ('h' in block) return `${block.h}\n${'-'.repeat(Math.min(block.h.length, 60))}`;
	if ('list' in block) return block.list.map((item) => `- ${item}`).join('\n');
	return `${block.button}: ${block.href}`;
}

/** A whole mail from a title and its blocks, with the footer that says how to switch it off. */
export function compose(locale: Locale, subject: string, title: string, blocks: Block[]): MailBody {
	const all: Block[] = [...blocks, { muted: m.digest_footer({ url: appUrl('/me') }, { locale }) }];
	const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="margin:0;padding:24px;background:#f3f4f6"><div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;color:#111827"><h1 style="margin:0 0 16px;font-size:20px">${escapeHtml(title)}</h1>${all.map(blockHtml).join('')}</div></body></html>`;
	const text = [title, '', ...all.map(blockText).flatMap((t) => [t, ''])].join('\n').trimEnd();
	return { subject, text: `${text}\n`, html };
}
