// An older invitation link must never take over an account: once a person has accepted any of
// their links (or a newer one was issued), the other links are void, and an invitation never
// sets the password of an account that already has one. On the seeded SQLite file and on its
// copy in a throwaway PostgreSQL database (tests/helpers/server-db.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { withStore, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { createInvite } from '../../src/lib/server/people/invites';
import type { Store } from '../../src/lib/server/db/store';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let manager: number;
/** [link 1, link 2] of a person invited, then invited again. */
let links: Record<'accepted' | 'replaced', [string, string]>;

async function invitePerson(store: Store, email: string): Promise<[string, string]> {
	const input = {
		email,
		displayName: email.split('@')[0],
		seasonId: seeded.seasonId,
		teamId: seeded.teams[0].id,
		actor: { userId: manager }
	};
	const first = (await createInvite(store, input)).token;
	const second = (await createInvite(store, input)).token;
	return [first, second];
}

/** Two people invited twice each, in the seeded file before it is copied or served. */
async function prepare(file: SeededDb) {
	seeded = file;
	manager = seeded.people[1].id;
	links = await withStore(seeded.path, async (store) => ({
		accepted: await invitePerson(store, 'newcomer@test.test'),
		replaced: await invitePerson(store, 'waiting@test.test')
	}));
}

const form = (url: string, path: string, body: Record<string, string>, cookie?: string) =>
	fetch(`${url}${path}`, {
		method: 'POST',
		body: new URLSearchParams(body),
		headers: {
			origin: url,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html',
			...(cookie ? { cookie } : {})
		},
		redirect: 'manual'
	});

const sessionCookie = (response: Response) =>
	response.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.find((c) => c.startsWith('session='));

/** Whether a session cookie still lets its holder in (the board, not the sign-in page). */
async function signedIn(cookie: string): Promise<boolean> {
	const response = await fetch(`${server.url}/`, { headers: { cookie }, redirect: 'manual' });
	return response.status === 200;
}

const accept = (token: string, password: string) =>
	form(server.url, `/invite/${token}`, { password, confirm: password });

const signIn = (email: string, password: string) => form(server.url, '/login', { email, password });

const passwordHash = (email: string) =>
	db.value('select password_hash from "user" where email = ?', email);

describe.each(DIALECTS)('invitation links on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, {}, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
	});

	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('invitation links', () => {
		it('an older link cannot set the password of the account a newer link activated, nor end its sessions', async () => {
			const [link1, link2] = links.accepted;
			const joined = await accept(link2, 'owner-password');
			expect(joined.status).toBe(303);
			const owner = sessionCookie(joined)!;
			expect(owner).toBeTruthy();
			expect(await signedIn(owner)).toBe(true);
			const hash = await passwordHash('newcomer@test.test');

			// The attacker holds the first link.
			const attack = await accept(link1, 'attacker-password');
			expect(attack.status).toBe(410);
			expect(sessionCookie(attack)).toBeUndefined();
			expect(await attack.text()).toContain('already used');

			expect(await passwordHash('newcomer@test.test')).toBe(hash);
			expect(await signedIn(owner)).toBe(true);
			expect((await signIn('newcomer@test.test', 'attacker-password')).status).toBe(400);
			expect((await signIn('newcomer@test.test', 'owner-password')).status).toBe(303);
			// The page behind the old link says it is spent, with no password form.
			const page = await (await fetch(`${server.url}/invite/${link1}`)).text();
			expect(page).toContain('Invitation already used');
			expect(page).not.toContain('Set password and join');
		});

		it('re-inviting voids the older link: only the newest works, and only once', async () => {
			const [link1, link2] = links.replaced;
			const old = await accept(link1, 'first-password');
			expect(old.status).toBe(410);
			expect(sessionCookie(old)).toBeUndefined();
			expect(await passwordHash('waiting@test.test')).toBe('!');

			expect((await accept(link2, 'second-password')).status).toBe(303);
			expect((await accept(link2, 'third-password')).status).toBe(410);
			expect((await signIn('waiting@test.test', 'second-password')).status).toBe(303);
			const states = await db.rows(
				`select accepted_at is not null as used from invite
				 where email = 'waiting@test.test' order by id`
			);
			expect(states.map((row) => Boolean(row.used))).toEqual([false, true]);
		});
	});
});
