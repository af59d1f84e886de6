import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMail } from './templates';
import { appOrigin, mailConfig, safeSmtpUrl } from './config';

describe('renderMail', () => {
	const mail = renderMail({
		locale: 'pl',
		subject: 'Zaproszenie do <Q4>',
		greeting: 'Cześć <b>Ann</b> & co,',
		paragraphs: ['Pierwszy "akapit"'],
		action: { label: 'Ustaw hasło', url: 'https://contest.example.com/invite/abc' },
		notes: ['Link działa jeden raz.']
	});

	it('escapes every text in the HTML and keeps the plain text as written', () => {
		expect(mail.html).toContain('Cześć &lt;b&gt;Ann&lt;/b&gt; &amp; co,');
		expect(mail.html).toContain('Pierwszy &quot;akapit&quot;');
		expect(mail.html).not.toContain('<b>Ann</b>');
		expect(mail.text).toContain('Cześć <b>Ann</b> & co,');
	});

	it('writes the HTML in the recipient’s language, with the button and the link spelled out', () => {
		expect(mail.html).toContain('<html lang="pl">');
		expect(mail.html).toContain('href="https://contest.example.com/invite/abc"');
		expect(mail.html).toContain('Jeśli przycisk nie działa');
		expect(mail.text).toContain('Ustaw hasło:\nhttps://contest.example.com/invite/abc');
		expect(mail.text).toContain('konkursie sprzedaży');
	});

	it('never makes a button of a link that is not http(s)', () => {
		const bad = renderMail({
			locale: 'en',
			subject: 's',
			paragraphs: [],
			action: { label: 'Go', url: 'javascript:alert(1)' }
		});
		expect(bad.html).not.toContain('href="javascript:');
	});

	it('escapes the five characters HTML needs', () => {
		expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
			'&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;'
		);
	});
});

describe('mail configuration', () => {
	it('puts the outbox beside the database unless told otherwise', () => {
		expect(mailConfig({ DATABASE_URL: '/srv/hb/data.db' })).toMatchObject({
			smtpUrl: null,
			outboxDir: '/srv/hb/outbox'
		});
		expect(mailConfig({ MAIL_OUTBOX_DIR: '/tmp/mails', SMTP_URL: ' smtp://h:25 ' })).toMatchObject({
			smtpUrl: 'smtp://h:25',
			outboxDir: '/tmp/mails'
		});
	});

	it('puts the outbox in the working directory on PostgreSQL, never in a folder named after the URL', () => {
		const { outboxDir } = mailConfig({ DATABASE_URL: 'postgres://hb:secret@db:5432/honorboard' });
		expect(outboxDir).toBe(resolve('outbox'));
		expect(outboxDir).not.toContain('postgres:');
	});

	it('builds links on ORIGIN and hides the SMTP password', () => {
		expect(appOrigin({ ORIGIN: 'https://c.example.com/' })).toBe('https://c.example.com');
		expect(appOrigin({ PORT: '4000' })).toBe('http://localhost:4000');
		expect(safeSmtpUrl('smtp://user:secret@mail.example.com:587')).toBe(
			'smtp://user:***@mail.example.com:587'
		);
	});
});
