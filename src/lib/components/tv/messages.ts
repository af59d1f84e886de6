// What a TV says instead of the board: the same words whether the page load or the live
// screen finds out, in the TV's own language (the page's <html lang>).
import { m } from '$lib/paraglide/messages.js';

export interface TvNotice {
	emoji: string;
	title: string;
	text: string;
}

export const revoked = (): TvNotice => ({
	emoji: '🚫',
	title: m.tv_revoked_title(),
	text: m.tv_revoked_text()
});

export const unknown = (): TvNotice => ({
	emoji: '🔗',
	title: m.tv_unknown_title(),
	text: m.tv_unknown_text()
});

export const broken = (): TvNotice => ({
	emoji: '🛠️',
	title: m.tv_broken_title(),
	text: m.tv_broken_text()
});
