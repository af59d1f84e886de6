// A forgotten password: a manager or admin issues a reset link from the person's page; the link
// works once, for an account that has a password, and ends the person's other sessions. On the
// seeded SQLite file and on its copy in a throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { PASSWORD, signIn, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { makeMember, makeUser } from '../helpers/factories';
import { openDatabase } from '../../src/lib/server/db';
import { createInvite } from '../../src/lib/server/people/invites';
import { sqliteStore } from '../../src/lib/server/db/store';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
const ids: Record<'seller' | 'admin' | 'executive' | 'invited', number> = {
	seller: 0,
	admin: 0,
	executive: 0,
	invited: 0
};
let inviteToken = '';
const cookies: Record<'manager' | 'admin' | 'executive' | 'rep', string> = {
	manager: '',
	admin: '',
	executive: '',
	rep: ''
};

/** The consoles' people, two staff members and an invitation, made in the seeded file. */
async function prepare(seeded: SeededDb) {
	const db = openDatabase(seeded.path);
	for (const role of ['manager', 'admin', 'executive'] as const)
		await makeUser(db, { email: `${role}@test.test`, role, password: PASSWORD });
	const admin = await makeMember(db, seeded.seasonId, seeded.teams[1].id, {
		email: 'admin-member@test.test',
		role: 'admin',
		password: PASSWORD
	});
	ids.admin = admin.id;
	const executive = await makeMember(db, seeded.seasonId, seeded.teams[1].id, {
		email: 'executive-member@test.test',
		role: 'executive',
		password: PASSWORD
	});
	ids.executive = executive.id;
	ids.seller = seeded.people[0].id;
	const invited = await createInvite(sqliteStore(db), {
		email: 'invited@test.test',
		displayName: 'Ivy Invited',
		seasonId: seeded.seasonId,
		teamId: seeded.teams[0].id,
		actor: {}
	});
	ids.invited = invited.userId;
	inviteToken = invited.token;
	db.$client.close();
}

function post(path: string, body: Record<string, string>, session?: string) {
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

/** Issues a reset link as `who`; resolves with the status and the token shown on the page. */
async function issue(who: keyof typeof cookies, userId: number) {
	const response = await post(`/manage/people/${userId}?/resetLink`, {}, cookies[who]);
	const html = await response.text();
	return { status: response.status, html, token: /\/reset\/([a-z2-7]{32})/.exec(html)?.[1] };
}

const useLink = (token: string, password: string) =>
	post(`/reset/${token}`, { password, confirm: password });

async function signedIn(session: string): Promise<boolean> {
	const response = await fetch(`${server.url}/`, {
		headers: { cookie: `session=${session}` },
		redirect: 'manual'
	});
	return response.status === 200;
}

const canSignIn = async (email: string, password: string) =>
	(await post('/login', { email, password })).status === 303;

describe.each(DIALECTS)('password resets on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, {}, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
		cookies.manager = await signIn(server.url, 'manager@test.test');
		cookies.admin = await signIn(server.url, 'admin@test.test');
		cookies.executive = await signIn(server.url, 'executive@test.test');
		cookies.rep = await signIn(server.url, seeded.people[0].email);
	});

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('password reset links', () => {
		it('only managers and admins issue them, and a manager only for a participant', async () => {
			expect((await issue('rep', ids.seller)).status).toBe(403);
			expect((await issue('executive', ids.seller)).status).toBe(403);
			const managerOnAdmin = await issue('manager', ids.admin);
			expect(managerOnAdmin.status).toBe(403);
			expect(managerOnAdmin.token).toBeUndefined();
			expect(managerOnAdmin.html).toContain('Only an admin can reset the password of an admin.');
			const managerOnExecutive = await issue('manager', ids.executive);
			expect(managerOnExecutive.status).toBe(403);
			expect(managerOnExecutive.html).toContain(
				'Only an admin can reset the password of an executive.'
			);
			const adminOnAdmin = await issue('admin', ids.admin);
			expect(adminOnAdmin.status).toBe(200);
			expect(adminOnAdmin.token).toBeDefined();
			const noPassword = await issue('manager', ids.invited);
			expect(noPassword.status).toBe(409);
			expect(noPassword.token).toBeUndefined();
			const issued = await db.rows(
				`select user_id from invite where purpose = 'reset' and user_id in (?, ?) order by id`,
				ids.seller,
				ids.invited
			);
			expect(issued).toEqual([]);
		});

		it('sets a new password once, voids older links and ends the other sessions', async () => {
			const email = seeded.people[0].email;
			const first = await issue('manager', ids.seller);
			const second = await issue('manager', ids.seller);
			expect(first.status).toBe(200);
			expect(second.token).toBeDefined();
			expect(second.token).not.toBe(first.token);

			// The older link was replaced by the newer one.
			const old = await useLink(first.token!, 'older-link-password');
			expect(old.status).toBe(410);
			expect(await old.text()).toContain('A newer link replaced this reset link');

			expect(await signedIn(cookies.rep)).toBe(true);
			const page = await (await fetch(`${server.url}/reset/${second.token}`)).text();
			expect(page).toContain('Set new password and sign in');
			const used = await useLink(second.token!, 'brand-new-password');
			expect(used.status).toBe(303);
			expect(used.headers.getSetCookie().some((c) => c.startsWith('session='))).toBe(true);
			expect(await signedIn(cookies.rep)).toBe(false);
			expect(await canSignIn(email, PASSWORD)).toBe(false);
			expect(await canSignIn(email, 'brand-new-password')).toBe(true);

			expect((await useLink(second.token!, 'third-password')).status).toBe(410);
			expect(await canSignIn(email, 'brand-new-password')).toBe(true);

			const events = await db.rows(
				`select action, actor_user_id as actor from audit_event where subject = ? order by id`,
				`user:${ids.seller}`
			);
			expect(events).toEqual([
				{ action: 'member.reset_link', actor: expect.any(Number) },
				{ action: 'member.reset_link', actor: expect.any(Number) },
				{ action: 'member.reset_password', actor: ids.seller }
			]);
		});

		it('a reset link is no invitation, and an invitation no reset link', async () => {
			const reset = await issue('admin', ids.admin);
			expect(
				(await post(`/invite/${reset.token}`, { password: 'x-password', confirm: 'x-password' }))
					.status
			).toBe(410);
			expect((await useLink(inviteToken, 'y-password')).status).toBe(410);
			expect(await canSignIn('admin-member@test.test', PASSWORD)).toBe(true);
			expect(await db.value('select password_hash from "user" where id = ?', ids.invited)).toBe(
				'!'
			);
		});
	});
});
