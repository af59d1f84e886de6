import { INTL_LOCALES, type Locale } from '../../../i18n/locales';
import { m } from '../../../paraglide/messages.js';
import { appUrl, compose, number, pts, type Block, type MailBody } from './digest-layout';

// The managers' morning summary: yesterday in every live season, what waits for them, who
// leads and who climbed most.

export interface SummarySeason {
	name: string;
	sales: number;
	points: number;
	waiting: number;
	top: { name: string; points: number }[];
	/** The person who gained most places yesterday; null when nobody climbed. */
	climber: { name: string; from: number; to: number } | null;
}

export function summaryMail(date: string, seasons: SummarySeason[], locale: Locale): MailBody {
	const o = { locale };
	// A local date ('2026-12-02') in the reader's words; noon UTC keeps it on the same day.
	const day = new Intl.DateTimeFormat(INTL_LOCALES[locale], {
		dateStyle: 'long',
		timeZone: 'UTC'
	}).format(Date.parse(`${date}T12:00:00Z`));
	const subject = m.digest_summary_subject({ date: day }, o);
	const blocks: Block[] = [];
	for (const s of seasons) {
		blocks.push({ h: s.name });
		blocks.push({
			p: m.digest_summary_yesterday(
				{ sales: number(s.sales, locale), points: pts(s.points, locale) },
				o
			)
		});
		blocks.push({ p: m.digest_summary_waiting({ count: number(s.waiting, locale) }, o) });
		if (s.top.length > 0)
			blocks.push({
				list: s.top.map((t, i) => `${i + 1}. ${t.name} · ${pts(t.points, locale)}`)
			});
		blocks.push({
			p: s.climber
				? m.digest_summary_climber(
						{ name: s.climber.name, from: s.climber.from, to: s.climber.to },
						o
					)
				: m.digest_summary_no_climber({}, o)
		});
	}
	blocks.push({ button: m.digest_summary_review({}, o), href: appUrl('/manage/review') });
	return compose(locale, subject, m.digest_summary_title({ date: day }, o), blocks);
}
