import type { Locale } from '../../../i18n/locales';
import { m } from '../../../paraglide/messages.js';
import { appUrl, compose, pts, signed, type Block, type MailBody } from './digest-layout';

// The weekly digest: per live season the person plays in, their place now and a week ago, and
// the campaigns running now, and the training quizzes waiting for them.

export interface WeeklySeason {
	name: string;
	rank: number;
	of: number;
	points: number;
	/** A week ago; null when they had no place yet (joined since). */
	before: { rank: number; points: number } | null;
	campaigns: string[];
	/** The open training quizzes the person has not taken yet. */
	quizzes?: { title: string; points: number }[];
}

export function weeklyMail(seasons: WeeklySeason[], locale: Locale): MailBody {
	const o = { locale };
	const first = seasons[0];
	const subject = m.digest_weekly_subject({ season: first.name, rank: first.rank }, o);
	const blocks: Block[] = [];
	for (const s of seasons) {
		if (seasons.length > 1) blocks.push({ h: s.name });
		blocks.push({
			p: m.digest_weekly_rank({ rank: s.rank, of: s.of, points: pts(s.points, locale) }, o)
		});
		if (s.before) {
			const gained = s.points - s.before.points;
			const change = m.sell_pts({ count: gained, n: signed(gained, locale) }, o);
			blocks.push({
				p: m.digest_weekly_before(
					{ rank: s.before.rank, points: pts(s.before.points, locale), change },
					o
				)
			});
		} else blocks.push({ p: m.digest_weekly_new({}, o) });
		blocks.push({ h: m.digest_weekly_campaigns({}, o) });
		blocks.push(
			s.campaigns.length > 0 ? { list: s.campaigns } : { p: m.digest_weekly_no_campaigns({}, o) }
		);
		if (s.quizzes?.length) {
			blocks.push({ h: m.digest_weekly_quizzes({}, o) });
			blocks.push({
				list: s.quizzes.map((q) =>
					m.digest_weekly_quiz_item({ title: q.title, points: pts(q.points, locale) }, o)
				)
			});
		}
	}
	blocks.push({ button: m.digest_open_board({}, o), href: appUrl('/') });
	const title =
		seasons.length > 1
			? m.digest_weekly_title({}, o)
			: m.digest_weekly_title_in({ season: first.name }, o);
	return compose(locale, subject, title, blocks);
}
