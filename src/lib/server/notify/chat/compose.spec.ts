import { describe, expect, it } from 'vitest';
import { formatChat, type ChatSubject } from './compose';
import { slackEscape, teamsEscape } from './render';

const SUBJECTS: ChatSubject[] = [
	{ event: 'big_sale', season: 'Winter', seller: 'Sam', points: 1250 },
	{
		event: 'badge',
		season: 'Winter',
		who: 'Sam',
		badge: { name: 'Hat-trick', emoji: '🎩', description: 'Three sales in a day' }
	},
	{ event: 'lead_change', season: 'Winter', leader: 'Sam', previous: 'Ann' },
	{ event: 'lead_change', season: 'Winter', leader: 'Sam', previous: null },
	{
		event: 'season_start',
		season: 'Winter',
		startsAt: Date.UTC(2026, 11, 1),
		endsAt: Date.UTC(2026, 11, 31),
		timeZone: 'Europe/Amsterdam'
	},
	{
		event: 'season_end',
		season: 'Winter',
		podium: [
			{ rank: 1, name: 'Sam', points: 300 },
			{ rank: 2, name: 'Ann', points: 200 }
		],
		teams: [{ rank: 1, name: 'North', points: 500 }]
	},
	{ event: 'season_end', season: 'Winter', podium: [], teams: [] },
	{
		event: 'daily_summary',
		season: 'Winter',
		day: '2026-12-01',
		sales: 12,
		points: 480,
		top: [{ rank: 1, name: 'Sam', points: 300 }]
	},
	{ event: 'test', channel: '#wins' }
];

describe('Slack Block Kit', () => {
	it.each(SUBJECTS)('$event: a fallback text and header, section and context blocks', (s) => {
		const { payload, subject, body } = formatChat('slack', s, 'en');
		const blocks = payload.blocks as { type: string; text?: { type: string; text: string } }[];
		expect(typeof payload.text).toBe('string');
		expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
		expect(blocks[0].text!.text).toBe(subject);
		expect(blocks.at(-1)!.type).toBe('context');
		expect(blocks.filter((b) => b.type === 'section').length).toBeGreaterThan(0);
		expect(body.startsWith(subject)).toBe(true);
	});

	it('says a big sale with its points, in the language asked for', () => {
		const s = SUBJECTS[0];
		const en = formatChat('slack', s, 'en');
		expect(en.payload.blocks).toEqual([
			{ type: 'header', text: { type: 'plain_text', text: '🎉 Big sale', emoji: true } },
			{ type: 'section', text: { type: 'mrkdwn', text: '*Sam* just closed a big sale.' } },
			{ type: 'section', fields: [{ type: 'mrkdwn', text: '*Points*\n1,250' }] },
			{ type: 'context', elements: [{ type: 'mrkdwn', text: 'Honorboard · Winter' }] }
		]);
		expect(en.body).toBe(
			'🎉 Big sale\nSam just closed a big sale.\nPoints: 1,250\nHonorboard · Winter'
		);
		const nl = formatChat('slack', s, 'nl');
		expect(nl.subject).toBe('🎉 Grote verkoop');
		expect(JSON.stringify(nl.payload)).toContain('1.250');
		expect(formatChat('teams', s, 'fr').subject).toBe('🎉 Grosse vente');
	});

	it('escapes names: no mention, link or formatting can come from a name', () => {
		const name = '*Sam* <!here> & _co_ `x` ~y~';
		const { payload } = formatChat(
			'slack',
			{ event: 'big_sale', season: '<Season>', seller: name, points: 60 },
			'en'
		);
		const text = JSON.stringify(payload);
		expect(text).not.toContain('<!here>');
		expect(text).toContain('&lt;!here&gt; &amp;');
		expect(text).toContain('&lt;Season&gt;');
		// The header stays plain text: the name reads as it is.
		const section = (payload.blocks as { text?: { text: string } }[])[1].text!.text;
		expect(section).not.toMatch(/(^|\s)\*Sam\*/);
		expect(section.replace(/\u200b/g, '')).toBe(
			'**Sam* &lt;!here&gt; &amp; _co_ `x` ~y~* just closed a big sale.'
		);
	});
});

describe('Teams Adaptive Card', () => {
	it.each(SUBJECTS)('$event: a message with one Adaptive Card 1.4', (s) => {
		const { payload, subject } = formatChat('teams', s, 'en');
		expect(payload.type).toBe('message');
		const [attachment] = payload.attachments as {
			contentType: string;
			content: { type: string; version: string; body: { type: string; text?: string }[] };
		}[];
		expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
		expect(attachment.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
		expect(attachment.content.body[0]).toMatchObject({ type: 'TextBlock', weight: 'Bolder' });
		expect(attachment.content.body[0].text).toBe(teamsEscape(subject));
	});

	it('lists a season’s podium as facts and escapes Markdown in names', () => {
		const { payload } = formatChat(
			'teams',
			{
				event: 'season_end',
				season: 'Q4',
				podium: [{ rank: 1, name: '**Bo** [x](http://evil)', points: 10 }],
				teams: [{ rank: 1, name: 'North', points: 20 }]
			},
			'sv'
		);
		const body = (payload.attachments as { content: { body: Record<string, unknown>[] } }[])[0]
			.content.body;
		expect(body.find((b) => b.type === 'FactSet')).toEqual({
			type: 'FactSet',
			facts: [
				{ title: '🥇', value: '\\*\\*Bo\\*\\* \\[x\\]\\(http://evil\\) · 10 p' },
				{ title: '🥇 Lag', value: 'North · 20 p' }
			]
		});
	});
});

describe('escaping', () => {
	it.each([
		['a & b', 'a &amp; b'],
		['<@U123>', '&lt;@U123&gt;'],
		['plain name', 'plain name']
	])('Slack %s', (raw, escaped) => expect(slackEscape(raw)).toBe(escaped));

	it.each([
		['Anne-Marie', 'Anne-Marie'],
		['- list', '\\- list'],
		['1. first', '1\\. first'],
		['# head', '\\# head'],
		['a_b*c', 'a\\_b\\*c'],
		['back\\slash', 'back\\\\slash']
	])('Teams %s', (raw, escaped) => expect(teamsEscape(raw)).toBe(escaped));
});
