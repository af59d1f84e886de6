// The sessions, the links that set a password and the self-service password reset, ported onto
// the store (#20, db/store.ts): the same assertions on a temp SQLite file and a throwaway
// PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores on one database: two
// SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import {
	createSession,
	generateSessionToken,
	hashToken,
	invalidateSession,
	invalidateUserSessions,
	SESSION_LIFETIME,
	validateSessionToken
} from '../../src/lib/server/auth/session';
import { onSessionsEnded, type SessionsEnded } from '../../src/lib/server/auth/session-events';
import { NO_PASSWORD, useLink } from '../../src/lib/server/auth/links';
import { requestSelfReset, SELF_RESET_LIMITS } from '../../src/lib/server/notify/mail/self-reset';
import { AppError } from '../../src/lib/server/shared/errors';
import { twoNodesPerDialect } from '../helpers/store-nodes';

const DAY = 24 * 60 * 60 * 1000;

const nodes = twoNodesPerDialect('sessions-store');

let people = 0;
/** A new person; `passwordHash` NO_PASSWORD for one who was invited and never joined. */
async function makePerson(store: Store, passwordHash = 'not-a-real-hash') {
	const { user } = store.tables;
	const [row] = await store.db
		.insert(user)
		.values({
			email: `person${++people}@example.test`,
			displayName: `Person ${people}`,
			role: 'participant',
			passwordHash
		})
		.returning({ id: user.id, email: user.email });
	return row;
}

/** The sessionsEnded events raised while `run` runs. */
async function endedDuring(run: () => Promise<unknown>): Promise<SessionsEnded[]> {
	const seen: SessionsEnded[] = [];
	const stop = onSessionsEnded((ended) => seen.push(ended));
	try {
		await run().catch(() => {});
	} finally {
		stop();
	}
	return seen;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];
	const sessionRow = async (store: Store, token: string) => {
		const { session } = store.tables;
		const [row] = await store.db
			.select()
			.from(session)
			.where(eq(session.id, hashToken(token)));
		return row;
	};

	describe('sessions', () => {
		it('a session created on one node is valid on the other, stored as its hash only', async () => {
			const person = await makePerson(node(0));
			const token = generateSessionToken();
			const created = await createSession(node(0), token, person.id, () => 1_000);
			expect(created).toEqual({
				id: hashToken(token),
				userId: person.id,
				expiresAt: 1_000 + SESSION_LIFETIME
			});
			expect(await sessionRow(node(1), token)).toEqual(created);
			const result = await validateSessionToken(node(1), token, () => 2_000);
			expect(result.session).toEqual(created);
			expect(result.user).toEqual({
				id: person.id,
				email: person.email,
				displayName: expect.any(String),
				role: 'participant',
				locale: null
			});
			expect((await validateSessionToken(node(1), 'not-a-token')).session).toBeNull();
		});

		it('extends a session used in the second half of its life, on either node', async () => {
			const person = await makePerson(node(0));
			const token = generateSessionToken();
			await createSession(node(0), token, person.id, () => 0);
			// First half: read only, the expiry stays.
			const early = await validateSessionToken(node(1), token, () => 10 * DAY);
			expect(early.session?.expiresAt).toBe(SESSION_LIFETIME);
			// Second half: extended, and the other node reads the new expiry.
			const late = 20 * DAY;
			const renewed = await validateSessionToken(node(1), token, () => late);
			expect(renewed.session?.expiresAt).toBe(late + SESSION_LIFETIME);
			expect((await sessionRow(node(0), token))?.expiresAt).toBe(late + SESSION_LIFETIME);
			// Past the first expiry it is still valid, because it was extended.
			expect((await validateSessionToken(node(0), token, () => 31 * DAY)).user?.id).toBe(person.id);
		});

		it('refuses an expired session and deletes it', async () => {
			const person = await makePerson(node(0));
			const token = generateSessionToken();
			const created = await createSession(node(0), token, person.id, () => 0);
			const ended = await endedDuring(async () => {
				const result = await validateSessionToken(node(1), token, () => SESSION_LIFETIME);
				expect(result).toEqual({ session: null, user: null });
			});
			expect(ended).toEqual([{ sessionId: created.id }]);
			expect(await sessionRow(node(0), token)).toBeUndefined();
		});

		it('a session ended on one node is refused on the other; the person’s others stay', async () => {
			const person = await makePerson(node(0));
			const [a, b] = [generateSessionToken(), generateSessionToken()];
			const ending = await createSession(node(0), a, person.id);
			await createSession(node(0), b, person.id);
			expect((await validateSessionToken(node(1), a)).user?.id).toBe(person.id);
			const ended = await endedDuring(() => invalidateSession(node(0), ending.id));
			expect(ended).toEqual([{ sessionId: ending.id }]);
			expect(await validateSessionToken(node(1), a)).toEqual({ session: null, user: null });
			expect((await validateSessionToken(node(1), b)).user?.id).toBe(person.id);
		});

		it('ends every session of one person, on both nodes, and no one else’s', async () => {
			const [person, other] = [await makePerson(node(0)), await makePerson(node(0))];
			const tokens = [generateSessionToken(), generateSessionToken()];
			await createSession(node(0), tokens[0], person.id);
			await createSession(node(1), tokens[1], person.id);
			const kept = generateSessionToken();
			await createSession(node(0), kept, other.id);
			const ended = await endedDuring(() => invalidateUserSessions(node(1), person.id));
			expect(ended).toEqual([{ userId: person.id }]);
			for (const token of tokens)
				for (const i of [0, 1] as const)
					expect((await validateSessionToken(node(i), token)).session).toBeNull();
			expect((await validateSessionToken(node(0), kept)).user?.id).toBe(other.id);
		});
	});

	describe('links that set a password', () => {
		/** A reset link for `person`, stored as a manager's reset stores it (synchronous API). */
		async function resetLink(person: { id: number; email: string }) {
			const store = node(0);
			const { invite } = store.tables;
			// Note: the manager's reset is not ported yet; its row is written through the store.
			const token = generateSessionToken();
			await store.db.insert(invite).values({
				purpose: 'reset',
				email: person.email,
				userId: person.id,
				tokenHash: hashToken(token),
				createdAt: 0,
				expiresAt: Date.now() + DAY
			});
			return token;
		}

		it('using a reset link sets the password, ends every session on both nodes, once', async () => {
			const person = await makePerson(node(0));
			const session = generateSessionToken();
			await createSession(node(0), session, person.id);
			const token = await resetLink(person);
			let userId: number | undefined;
			const ended = await endedDuring(async () => {
				userId = await useLink(node(1), token, 'reset', 'a-new-password');
			});
			expect(userId).toBe(person.id);
			expect(ended).toEqual([{ userId: person.id }]);
			expect((await validateSessionToken(node(0), session)).session).toBeNull();
			const { user, invite, auditEvent } = node(0).tables;
			const [row] = await node(0)
				.db.select({ passwordHash: user.passwordHash })
				.from(user)
				.where(eq(user.id, person.id));
			expect(row.passwordHash).toMatch(/^\$argon2/);
			const [link] = await node(0)
				.db.select({ acceptedAt: invite.acceptedAt })
				.from(invite)
				.where(eq(invite.tokenHash, hashToken(token)));
			expect(link.acceptedAt).toEqual(expect.any(Number));
			const audited = await node(0)
				.db.select({ action: auditEvent.action, data: auditEvent.data })
				.from(auditEvent)
				.where(eq(auditEvent.subject, `user:${person.id}`));
			expect(audited).toEqual([{ action: 'member.reset_password', data: {} }]);
			// Used: the second use is refused, and ends nothing.
			const again = await endedDuring(() =>
				expect(useLink(node(0), token, 'reset', 'another-password')).rejects.toMatchObject({
					status: 410,
					code: 'used'
				})
			);
			expect(again).toEqual([]);
		});

		it('one link used on both nodes at once sets the password once', async () => {
			const person = await makePerson(node(0));
			const token = await resetLink(person);
			const results = await Promise.allSettled([
				useLink(node(0), token, 'reset', 'password-from-a'),
				useLink(node(1), token, 'reset', 'password-from-b')
			]);
			expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
			const refused = results.find((r) => r.status === 'rejected');
			expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
			const { auditEvent } = node(0).tables;
			expect(
				await node(0)
					.db.select()
					.from(auditEvent)
					.where(eq(auditEvent.subject, `user:${person.id}`))
			).toHaveLength(1);
		});
	});

	describe('the self-service password reset', () => {
		const outbox = async (store: Store, recipient: string) => {
			const { outgoingMessage } = store.tables;
			return store.db
				.select({ kind: outgoingMessage.kind, body: outgoingMessage.body })
				.from(outgoingMessage)
				.where(eq(outgoingMessage.recipient, recipient));
		};
		const openLinks = async (store: Store, userId: number) => {
			const { invite } = store.tables;
			return store.db
				.select({ purpose: invite.purpose, voidedAt: invite.voidedAt })
				.from(invite)
				.where(and(eq(invite.userId, userId), eq(invite.purpose, 'reset')));
		};

		it('mails a reset link to an account with a password, the newest link only', async () => {
			const person = await makePerson(node(0));
			const address = `10.0.${dialect === 'sqlite' ? 1 : 2}.1`;
			expect(await requestSelfReset(node(0), { email: person.email, address }, 1_000)).toEqual({
				ok: true
			});
			expect(
				await requestSelfReset(node(1), { email: person.email.toUpperCase(), address }, 2_000)
			).toEqual({ ok: true });
			const mails = await outbox(node(1), person.email);
			expect(mails).toHaveLength(2);
			expect(mails.every((mail) => mail.kind === 'password_reset')).toBe(true);
			expect(mails[1].body).toMatch(/\/reset\/[a-z2-7]{32}/);
			// The second request voided the first link.
			const links = await openLinks(node(0), person.id);
			expect(links.map((link) => link.voidedAt === null)).toEqual([false, true]);
			// The mailed link works.
			const token = /\/reset\/([a-z2-7]{32})/.exec(mails[1].body)![1];
			expect(await useLink(node(0), token, 'reset', 'a-new-password', () => 3_000)).toBe(person.id);
		});

		it('mails nothing to an unknown address or an invited person, with the same answer', async () => {
			const invited = await makePerson(node(0), NO_PASSWORD);
			const address = `10.1.${dialect === 'sqlite' ? 1 : 2}.1`;
			for (const email of [invited.email, `nobody-${dialect}@example.test`])
				expect(await requestSelfReset(node(1), { email, address }, 1_000)).toEqual({ ok: true });
			expect(await outbox(node(0), invited.email)).toEqual([]);
			expect(await openLinks(node(0), invited.id)).toEqual([]);
		});

		it('counts one address’s requests on both nodes, and forgets them after the window', async () => {
			const person = await makePerson(node(0));
			const address = `10.2.${dialect === 'sqlite' ? 1 : 2}.1`;
			const input = { email: person.email, address };
			for (let i = 0; i < SELF_RESET_LIMITS.email; i++)
				expect((await requestSelfReset(node((i % 2) as 0 | 1), input, 1_000 + i)).ok).toBe(true);
			for (const i of [0, 1] as const)
				expect(await requestSelfReset(node(i), input, 61_000)).toEqual({
					ok: false,
					retryAfter: SELF_RESET_LIMITS.windowMs - 60_000
				});
			expect(await outbox(node(0), person.email)).toHaveLength(SELF_RESET_LIMITS.email);
			const after = 1_000 + SELF_RESET_LIMITS.windowMs;
			expect((await requestSelfReset(node(1), input, after)).ok).toBe(true);
		});

		it('simultaneous requests on both nodes mail no more than the limit', async () => {
			const person = await makePerson(node(0));
			const answers = await Promise.all(
				Array.from({ length: 10 }, (_, i) =>
					requestSelfReset(
						node((i % 2) as 0 | 1),
						{ email: person.email, address: `10.3.${dialect}.${i}` },
						5_000
					)
				)
			);
			expect(answers.filter((a) => a.ok)).toHaveLength(SELF_RESET_LIMITS.email);
			expect(await outbox(node(0), person.email)).toHaveLength(SELF_RESET_LIMITS.email);
			const { loginThrottle } = node(0).tables;
			expect(
				await node(1)
					.db.select({ failures: loginThrottle.failures })
					.from(loginThrottle)
					.where(like(loginThrottle.key, `reset:${person.email}`))
			).toEqual([{ failures: SELF_RESET_LIMITS.email }]);
		});
	});
});
