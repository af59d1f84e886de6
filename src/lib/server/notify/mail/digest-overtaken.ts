import type { Locale } from '../../../i18n/locales';
import { m } from '../../../paraglide/messages.js';
import { appUrl, compose, pts, type MailBody } from './digest-layout';

// "Sam just overtook you": at most one a day per person (notify/digest/overtaken.ts decides).

export interface OvertakenMail {
	by: string;
	rank: number;
	season: string;
	/** Points between the person and the one who overtook them (0: a tie the tie-break decided). */
	behind: number;
}

export function overtakenMail(input: OvertakenMail, locale: Locale): MailBody {
	const o = { locale };
	const subject = m.digest_overtaken_subject({ name: input.by }, o);
	return compose(locale, subject, subject, [
		{
			p: m.digest_overtaken_text(
				{ rank: input.rank, season: input.season, behind: pts(input.behind, locale) },
				o
			)
		},
		{ button: m.digest_open_board({}, o), href: appUrl('/') }
	]);
}
