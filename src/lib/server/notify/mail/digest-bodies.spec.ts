import { describe, expect, it } from 'vitest';
import { overtakenMail } from './digest-overtaken';
import { weeklyMail } from './digest-weekly';
import { summaryMail } from './digest-summary';

describe('digest mail bodies', () => {
	it('overtaken: who, the new rank, the season and the gap, in text and HTML', () => {
		const mail = overtakenMail({ by: 'Sam', rank: 3, season: 'Spring Sprint', behind: 40 }, 'en');
		expect(mail.subject).toBe('Sam just overtook you');
		expect(mail.text).toContain('You are now #3 in Spring Sprint, 40 pts behind.');
		expect(mail.text).toMatch(/Open the board:\nhttp:\/\/\S+\/\n/);
		expect(mail.html).toContain('<a href="http');
		expect(mail.html).toContain('lang="en"');
	});

	it('escapes every name in the HTML and keeps it as typed in the text', () => {
		const mail = overtakenMail(
			{ by: '<img src=x onerror=alert(1)>', rank: 2, season: 'Q&A "Cup"', behind: 0 },
			'en'
		);
		expect(mail.html).not.toContain('<img');
		expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(mail.html).toContain('Q&amp;A &quot;Cup&quot;');
		expect(mail.text).toContain('<img src=x onerror=alert(1)> just overtook you');
	});

	it('speaks the reader’s language, numbers included', () => {
		const mail = overtakenMail({ by: 'Anna', rank: 2, season: 'Zima', behind: 1250 }, 'pl');
		expect(mail.subject).toBe('Anna właśnie Cię wyprzedził(a)');
		expect(mail.text).toContain('tracisz 1250 pkt');
		const fr = overtakenMail({ by: 'Anna', rank: 2, season: 'Hiver', behind: 1250 }, 'fr');
		expect(fr.text).toMatch(/1\s250 pts de retard/);
	});

	it('weekly: rank now, a week ago, the change and the campaigns', () => {
		const mail = weeklyMail(
			[
				{
					name: 'Spring',
					rank: 2,
					of: 12,
					points: 300,
					before: { rank: 5, points: 180 },
					campaigns: ['Triple points on cases']
				}
			],
			'en'
		);
		expect(mail.subject).toBe('Your week in Spring: #2');
		expect(mail.text).toContain('You are #2 of 12 with 300 pts.');
		expect(mail.text).toContain('A week ago: #5 with 180 pts. Since then: +120 pts.');
		expect(mail.text).toContain('- Triple points on cases');
		const none = weeklyMail(
			[{ name: 'Spring', rank: 1, of: 1, points: 0, before: null, campaigns: [] }],
			'nl'
		);
		expect(none.text).toContain('Een week geleden stond je nog niet in de ranglijst.');
		expect(none.text).toContain('Er loopt nu geen actie.');
	});

	it('summary: yesterday per season, waiting sales, the top 3 and the climber', () => {
		const mail = summaryMail(
			'2026-12-01',
			[
				{
					name: 'Spring',
					sales: 14,
					points: 700,
					waiting: 3,
					top: [
						{ name: 'Ann', points: 400 },
						{ name: 'Bo', points: 350 }
					],
					climber: { name: 'Bo', from: 6, to: 2 }
				}
			],
			'en'
		);
		expect(mail.subject).toBe('Daily summary: 1 December 2026');
		expect(mail.text).toContain('Sales: 14 · points: 700 pts');
		expect(mail.text).toContain('Sales waiting for review: 3');
		expect(mail.text).toContain('- 1. Ann · 400 pts');
		expect(mail.text).toContain('Biggest climber: Bo, from #6 to #2.');
		expect(mail.text).toContain('/manage/review');
		expect(summaryMail('2026-12-01', [], 'ru').subject).toBe('Сводка за 1 декабря 2026 г.');
	});
});
