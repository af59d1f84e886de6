// What each chat event says, in a given language and a platform's markup. Pure: the caller
// passes the locale (the organisation's default) and the names; nothing here reads the database.
import { m } from '../../../paraglide/messages.js';
import { INTL_LOCALES, type Locale } from '../../../i18n/locales';
import type { ChatEvent } from '../../db/schema';
import {
	plainText,
	slackPayload,
	STYLES,
	teamsPayload,
	type ChatNote,
	type ChatPlatform,
	type ChatStyle
} from './render';

export interface Placing {
	rank: number;
	name: string;
	points: number;
}

export type ChatSubject =
	| { event: 'big_sale'; season: string; seller: string; points: number }
	| {
			event: 'badge';
			season: string;
			who: string;
			badge: { name: string; emoji: string; description: string };
	  }
	| { event: 'lead_change'; season: string; leader: string; previous: string | null }
	| {
			event: 'season_start';
			season: string;
			startsAt: number;
			endsAt: number;
			timeZone: string;
	  }
	| { event: 'season_end'; season: string; podium: Placing[]; teams: Placing[] }
	| {
			event: 'daily_summary';
			season: string;
			/** The local day summed up ('YYYY-MM-DD' in the season's zone). */
			day: string;
			sales: number;
			points: number;
			top: Placing[];
	  }
	| { event: 'test'; channel: string };

// Every subject but the test is one of the events a channel can pick.
type Checked = Exclude<ChatSubject['event'], 'test'> extends ChatEvent ? true : never;
const checked: Checked = true;
void checked;

const MEDALS = ['🥇', '🥈', '🥉'];

/** The note for one subject in one language and markup. */
export function compose(subject: ChatSubject, locale: Locale, style: ChatStyle): ChatNote {
	const o = { locale };
	const { escape: e, bold: b } = style;
	const number = (n: number) => new Intl.NumberFormat(INTL_LOCALES[locale]).format(n);
	const pts = (n: number) => m.chat_points({ points: number(n) }, o);
	const placings = (list: Placing[]) =>
		list.map((p) => ({
			title: MEDALS[p.rank - 1] ?? `#${p.rank}`,
			value: `${e(p.name)} · ${pts(p.points)}`
		}));
	const context = (season: string) => m.chat_context({ season: e(season) }, o);
	switch (subject.event) {
		case 'big_sale':
			return {
				title: m.chat_big_sale_title({}, o),
				text: m.chat_big_sale_text({ seller: b(e(subject.seller)) }, o),
				facts: [{ title: m.chat_fact_points({}, o), value: number(subject.points) }],
				context: context(subject.season)
			};
		case 'badge': {
			const { badge } = subject;
			const text = m.chat_badge_text({ who: b(e(subject.who)), badge: b(e(badge.name)) }, o);
			return {
				title: `${badge.emoji} ${m.chat_badge_title({ badge: badge.name }, o)}`.trim(),
				text: badge.description ? `${text}\n${e(badge.description)}` : text,
				facts: [],
				context: context(subject.season)
			};
		}
		case 'lead_change':
			return {
				title: m.chat_lead_title({}, o),
				text: subject.previous
					? m.chat_lead_text({ leader: b(e(subject.leader)), previous: e(subject.previous) }, o)
					: m.chat_lead_text_first({ leader: b(e(subject.leader)) }, o),
				facts: [],
				context: context(subject.season)
			};
		case 'season_start': {
			const day = new Intl.DateTimeFormat(INTL_LOCALES[locale], {
				dateStyle: 'medium',
				timeZone: subject.timeZone
			});
			return {
				title: m.chat_season_start_title({ season: subject.season }, o),
				text: m.chat_season_start_text(
					{ start: day.format(subject.startsAt), end: day.format(subject.endsAt) },
					o
				),
				facts: [],
				context: context(subject.season)
			};
		}
		case 'season_end':
			return {
				title: m.chat_season_end_title({ season: subject.season }, o),
				text:
					subject.podium.length > 0
						? m.chat_season_end_text({}, o)
						: m.chat_season_end_nobody({}, o),
				facts: [
					...placings(subject.podium),
					...placings(subject.teams).map((f) => ({
						...f,
						title: m.chat_fact_team({ place: f.title }, o)
					}))
				],
				context: context(subject.season)
			};
		case 'daily_summary':
			return {
				title: m.chat_daily_title({ season: subject.season }, o),
				text: subject.top.length > 0 ? m.chat_daily_text({}, o) : m.chat_daily_text_nobody({}, o),
				facts: [
					...placings(subject.top),
					{ title: m.chat_fact_sales_yesterday({}, o), value: number(subject.sales) },
					{ title: m.chat_fact_points_yesterday({}, o), value: number(subject.points) }
				],
				context: context(subject.season)
			};
		case 'test':
			return {
				title: m.chat_test_title({}, o),
				text: m.chat_test_text({ channel: b(e(subject.channel)) }, o),
				facts: [],
				context: m.chat_context_plain({}, o)
			};
	}
}

export interface FormattedChat {
	/** The title, as logged and shown to admins. */
	subject: string;
	/** The plain text, as logged. */
	body: string;
	/** The JSON to POST to the platform's incoming webhook. */
	payload: Record<string, unknown>;
}

/** The message for one platform: its JSON body, plus the plain title and text for the log. */
export function formatChat(
	platform: ChatPlatform,
	subject: ChatSubject,
	locale: Locale
): FormattedChat {
	const note = compose(subject, locale, STYLES[platform]);
	const plain = compose(subject, locale, STYLES.plain);
	return {
		subject: plain.title,
		body: plainText(plain),
		payload: platform === 'slack' ? slackPayload(note) : teamsPayload(note)
	};
}
