// Mail (#19): invitations and password resets leave by mail, over SMTP (a local catcher here) or,
// with no SMTP_URL, as .eml files in the outbox folder; a refused mail is retried; self-service
// resets answer the same for every address and are rate-limited; admins read every outgoing
// message on /manage/messages.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { PASSWORD, readDb, seedServerDb, signIn, type SeededDb } from '../helpers/seeded';
import { makeUser } from '../helpers/factories';
import { mailParts, startMailCatcher, type MailCatcher } from '../helpers/mail-catcher';
import { openDatabase } from '../../src/lib/server/db';
import { user } from '../../src/lib/server/db/schema';

// This file's ports (the range 47000–47199 is this part's).
const SMTP_PORT = 47011;
const SMTP_SERVER_PORT = 47012;
const OUTBOX_SERVER_PORT = 47013;

function post(server: RunningServer, path: string, body: Record<string, string>, session = '') {
	return fetch(`${server.url}${path}`, {
		method: 'POST',
		body: new URLSearchParams(body),
		headers: {
			origin: server.url,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			...(session ? { cookie: `session=${session}` } : {})
		},
		redirect: 'manual'
	});
}

const get = (server: RunningServer, path: string, session = '') =>
	fetch(`${server.url}${path}`, {
		headers: session ? { cookie: `session=${session}` } : {},
		redirect: 'manual'
	});

type Row = { id: number; status: string; attempts: number; last_error: string | null };
const messagesTo = (path: string, recipient: string) =>
	readDb(path, (db) =>
		db
			.prepare(
				`select id, status, attempts, last_error, kind, payload from outgoing_message
				 where recipient = ? order by id`
			)
			.all(recipient)
	) as (Row & { kind: string; payload: string })[];

async function until<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = read();
		if (value !== undefined) return value;
		if (Date.now() > end) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function seedWithInvitee(locale: 'fr' | null) {
	const seeded = await seedServerDb();
	const db = openDatabase(seeded.path);
	await makeUser(db, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
	await makeUser(db, { email: 'admin@test.test', role: 'admin', password: PASSWORD });
	// Invited before, never joined: no password yet, and French as their own language.
	db.insert(user)
		.values({ email: 'frida@test.test', displayName: 'Frida', passwordHash: '!', locale })
		.run();
	db.$client.close();
	return seeded;
}

describe('mail over SMTP', () => {
	let seeded: SeededDb;
	let server: RunningServer;
	let catcher: MailCatcher;
	let manager = '';
	let admin = '';

	beforeAll(async () => {
		catcher = await startMailCatcher(SMTP_PORT);
		seeded = await seedWithInvitee('fr');
		server = await startServer({
			dbPath: seeded.path,
			port: SMTP_SERVER_PORT,
			env: {
				SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
				MAIL_FROM: 'Contest <contest@test.test>'
			}
		});
		manager = await signIn(server.url, 'manager@test.test');
		admin = await signIn(server.url, 'admin@test.test');
	});
	afterAll(async () => {
		await server?.stop();
		await catcher?.close();
		seeded?.cleanup();
	});

	it('an invitation sends one mail with the link, in the person’s language, text and HTML', async () => {
		const response = await post(
			server,
			'/manage/teams?/invite',
			{
				seasonId: String(seeded.seasonId),
				name: 'Frida',
				email: 'frida@test.test',
				teamId: String(seeded.teams[0].id)
			},
			manager
		);
		expect(response.status).toBe(200);
		const page = await response.text();
		const link = /http:\/\/localhost:\d+\/invite\/[a-z2-7]{32}/.exec(page)?.[0];
		expect(link).toBeDefined();
		expect(page).toContain('An e-mail with this link is on its way to frida@test.test.');

		const mail = await catcher.waitFor('frida@test.test');
		expect(mail.raw).toMatch(/^From: Contest <contest@test\.test>/m);
		expect(mail.raw).toMatch(/content-type: multipart\/alternative/i);
		const parts = mailParts(mail.raw);
		expect(parts['text/plain']).toContain('Bonjour Frida,');
		expect(parts['text/plain']).toContain(link);
		expect(parts['text/html']).toContain('<html lang="fr">');
		expect(parts['text/html']).toContain(`href="${link}"`);
		expect(parts['text/html']).toContain('Choisir mon mot de passe');
		await new Promise((r) => setTimeout(r, 2500));
		expect(catcher.mails.filter((m) => m.to.includes('frida@test.test'))).toHaveLength(1);
		expect(messagesTo(seeded.path, 'frida@test.test')).toMatchObject([
			{ kind: 'invitation', status: 'sent', attempts: 1 }
		]);
	});

	it('retries a mail the SMTP server refused once', async () => {
		const person = seeded.people[1];
		catcher.refuseNext(1);
		const response = await post(server, `/manage/people/${person.id}?/resetLink`, {}, admin);
		expect(response.status).toBe(200);
		expect(await response.text()).toContain(`on its way to ${person.email}`);
		const refused = await until(() =>
			messagesTo(seeded.path, person.email).find((r) => r.attempts === 1)
		);
		expect(refused.status).toBe('pending');
		expect(refused.last_error).toMatch(/451/);
		const mail = await catcher.waitFor(person.email, 15_000);
		expect(mailParts(mail.raw)['text/plain']).toMatch(/\/reset\/[a-z2-7]{32}/);
		const sent = await until(() =>
			messagesTo(seeded.path, person.email).find((r) => r.status === 'sent')
		);
		expect(sent).toMatchObject({ attempts: 2, last_error: null });
	});

	it('self-service reset: one answer for every address, a mail only to an account with a password, the link works once, rate-limited', async () => {
		expect(await (await get(server, '/login')).text()).toMatch(/href="[./]*forgot"/);
		const ask = async (email: string) => {
			const response = await post(server, '/forgot', { email });
			return { status: response.status, html: await response.text() };
		};
		const known = await ask('seller@test.test');
		const unknown = await ask('nobody@test.test');
		const invited = await ask('frida@test.test');
		for (const [answer, email] of [
			[known, 'seller@test.test'],
			[unknown, 'nobody@test.test'],
			[invited, 'frida@test.test']
		] as const) {
			expect(answer.status).toBe(200);
			expect(answer.html).toContain(`If an account exists for ${email}, we sent it a link`);
		}
		const mail = await catcher.waitFor('seller@test.test');
		const link = /\/reset\/([a-z2-7]{32})/.exec(mailParts(mail.raw)['text/plain'])![0];
		await new Promise((r) => setTimeout(r, 2500));
		expect(catcher.mails.some((m) => m.to.includes('nobody@test.test'))).toBe(false);
		// Frida has her invitation only.
		expect(catcher.mails.filter((m) => m.to.includes('frida@test.test'))).toHaveLength(1);
		expect(messagesTo(seeded.path, 'nobody@test.test')).toEqual([]);

		const use = () => post(server, link, { password: 'a-new-password', confirm: 'a-new-password' });
		expect((await use()).status).toBe(303);
		expect((await use()).status).toBe(410);
		expect(
			(await post(server, '/login', { email: 'seller@test.test', password: 'a-new-password' }))
				.status
		).toBe(303);

		// Three links an hour per address (one used above), whether or not it has an account.
		expect((await ask('seller@test.test')).status).toBe(200);
		expect((await ask('seller@test.test')).status).toBe(200);
		const limited = await ask('seller@test.test');
		expect(limited.status).toBe(429);
		expect(limited.html).toContain('Too many requests for a link');
		const unknownAgain = [await ask('nobody@test.test'), await ask('nobody@test.test')];
		expect(unknownAgain.map((a) => a.status)).toEqual([200, 200]);
		expect((await ask('nobody@test.test')).status).toBe(429);
	});
});

describe('mail without SMTP: the outbox folder, and the admins’ log', () => {
	let seeded: SeededDb;
	let server: RunningServer;
	const sessions = { admin: '', manager: '', rep: '' };

	beforeAll(async () => {
		seeded = await seedWithInvitee(null);
		server = await startServer({
			dbPath: seeded.path,
			port: OUTBOX_SERVER_PORT,
			env: { SMTP_URL: '', MAIL_OUTBOX_DIR: '' }
		});
		sessions.admin = await signIn(server.url, 'admin@test.test');
		sessions.manager = await signIn(server.url, 'manager@test.test');
		sessions.rep = await signIn(server.url, seeded.people[0].email);
	});
	afterAll(async () => {
		await server?.stop();
		seeded?.cleanup();
	});

	it('offers no self-service reset', async () => {
		expect(await (await get(server, '/login')).text()).not.toMatch(/href="[./]*forgot"/);
		expect((await get(server, '/forgot')).status).toBe(404);
		expect((await post(server, '/forgot', { email: 'seller@test.test' })).status).toBe(404);
	});

	it('writes each mail as an .eml file beside the database, and admins alone read the log', async () => {
		const invite = await post(
			server,
			'/manage/teams?/invite',
			{
				seasonId: String(seeded.seasonId),
				name: 'Frida',
				email: 'frida@test.test',
				teamId: String(seeded.teams[0].id)
			},
			sessions.manager
		);
		expect(invite.status).toBe(200);
		const row = await until(() =>
			messagesTo(seeded.path, 'frida@test.test').find((r) => r.status === 'sent')
		);
		const file = join(dirname(seeded.path), 'outbox', `message-${row.id}.eml`);
		expect(JSON.parse(row.payload).file).toBe(file);
		expect(existsSync(file)).toBe(true);
		const parts = mailParts(readFileSync(file, 'utf8'));
		// No own language: the organisation's default (English).
		expect(parts['text/plain']).toContain('Hello Frida,');
		expect(parts['text/html']).toMatch(/\/invite\/[a-z2-7]{32}/);

		expect((await get(server, '/manage/messages', sessions.manager)).status).toBe(403);
		expect((await get(server, '/manage/messages', sessions.rep)).status).toBe(403);
		// The console's nav names the log to admins only.
		const navLink = /href="[^"]*manage\/messages"/;
		expect(await (await get(server, '/manage', sessions.manager)).text()).not.toMatch(navLink);
		expect(await (await get(server, '/manage', sessions.admin)).text()).toMatch(navLink);
		const log = await get(server, '/manage/messages', sessions.admin);
		expect(log.status).toBe(200);
		const html = await log.text();
		expect(html).toContain(`written as .eml files into ${join(dirname(seeded.path), 'outbox')}`);
		expect(html).toContain('You are invited to');
		expect(html).toContain(`Written to ${file}`);
		const pushOnly = await (
			await get(server, '/manage/messages?channel=push', sessions.admin)
		).text();
		expect(pushOnly).toContain('No messages of this kind');
		const sentOnly = await (
			await get(server, '/manage/messages?status=sent', sessions.admin)
		).text();
		expect(sentOnly).toContain('frida@test.test');
	});
});
