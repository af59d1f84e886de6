import { INTL_LOCALES, type Locale } from '../../../i18n/locales';
import { points as formatPoints, signed as formatSigned } from '../../../format/numbers';
import { m } from '../../../paraglide/messages.js';
import { appOrigin } from './config';
import { escapeHtml, renderMail, type MailBlock } from './templates';

// The small pieces the digest mails (overtaken, weekly digest, daily summary) are made of:
// blocks laid out by the mail core (templates.ts renderMail, the one look of every mail),
// numbers in the reader's language, links to this server's pages.

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

/** One block of a digest: a paragraph, a heading, a list, the button or small print. */
export type Block =
	| { p: string }
	| { h: string }
	| { list: string[] }
	| { button: string; href: string }
	| { muted: string };

/**
 * A whole digest mail in the one look of every mail (templates.ts renderMail): the blocks in
 * their order, the button (one, the last one given) under them, small print and the footer that
 * says how to switch it off last.
 */
export function compose(locale: Locale, subject: string, title: string, blocks: Block[]): MailBody {
	const paragraphs: MailBlock[] = [];
	const notes: string[] = [];
	let action: { label: string; url: string } | undefined;
	for (const block of blocks) {
		if ('p' in block) paragraphs.push(block.p);
		else if ('muted' in block) notes.push(block.muted);
		else if ('button' in block) action = { label: block.button, url: block.href };
		else paragraphs.push(block);
	}
	notes.push(m.digest_footer({ url: appUrl('/me') }, { locale }));
	return renderMail({ locale, subject, title, paragraphs, action, notes });
}
