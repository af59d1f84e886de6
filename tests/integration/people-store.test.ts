// A manager's password reset, the invitation links' pages, the people's accounts, the TV
// displays and the sockets' session check, ported onto the store (#20, db/store.ts): the same
// assertions on a temp SQLite file and a throwaway PostgreSQL, two stores on one database as two
// nodes (tests/helpers/store-nodes.ts).
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { NO_PASSWORD, newLinkToken, useLink } from '../../src/lib/server/auth/links';
import { findReset, issueResetLink } from '../../src/lib/server/auth/password-reset';
import { findInvite, invitedSeason } from '../../src/lib/server/people/invites';
import {
	checkDisplayToken,
	createDisplay,
	displayFor,
	isDisplayRevoked,
	markSeen,
	revokeDisplay
} from '../../src/lib/server/displays/tokens';
import {
	createAuditedDisplay,
	revokeDisplayById,
	seasonDisplays
} from '../../src/lib/server/displays/console';
import { sessionAlive } from '../../src/lib/server/realtime/access';
import { setOwnLocale } from '../../src/lib/server/people/own-locale';
import { saveReceiveChoices } from '../../src/lib/server/notify/digest/receive-form';
import { createSession, generateSessionToken, hashToken } from '../../src/lib/server/auth/session';
import type { Role } from '../../src/lib/contest/types';
import { twoNodesPerDialect } from '../helpers/store-nodes';

const DAY = 24 * 60 * 60 * 1000;

const nodes = twoNodesPerDialect('people-store');

let people = 0;
/** A new person; `passwordHash` NO_PASSWORD for one who was invited and never joined. */
async function makePerson(
	store: Store,
	options: { role?: Role; passwordHash?: string; locale?: 'pl' | null } = {}
) {
	const { user } = store.tables;
	const [row] = await store.db
		.insert(user)
		.values({
			email: `person${++people}@example.test`,
			displayName: `Person ${people}`,
			role: options.role ?? 'participant',
			passwordHash: options.passwordHash ?? 'not-a-real-hash',
			locale: options.locale ?? null
		})
		.returning();
	return row;
}

let seasons = 0;
async function makeSeason(store: Store) {
	const { season } = store.tables;
	const [row] = await store.db
		.insert(season)
		.values({
			name: `Season ${++seasons}`,
			theme: { primary: '#123456', accent: '#654321', emoji: '🏆', tagline: 'Go' },
			startsAt: 0,
			endsAt: 100 * DAY,
			status: 'live'
		})
		.returning({ id: season.id, name: season.name });
	return row;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];

	describe("a manager's password reset", () => {
		const linksOf = async (store: Store, userId: number) => {
			const { invite } = store.tables;
			return store.db
				.select({ id: invite.id, voidedAt: invite.voidedAt, createdById: invite.createdById })
				.from(invite)
				.where(eq(invite.userId, userId))
				.orderBy(invite.id);
		};
		const mailsTo = async (store: Store, recipient: string) => {
			const { outgoingMessage } = store.tables;
			return store.db
				.select({ kind: outgoingMessage.kind, subject: outgoingMessage.subject })
				.from(outgoingMessage)
				.where(eq(outgoingMessage.recipient, recipient));
		};
		const auditOf = async (store: Store, userId: number) => {
			const { auditEvent } = store.tables;
			return store.db
				.select({
					action: auditEvent.action,
					actor: auditEvent.actorUserId,
					data: auditEvent.data
				})
				.from(auditEvent)
				.where(eq(auditEvent.subject, `user:${userId}`));
		};

		it('issues a link on one node that the other finds, mails it and audits it', async () => {
			const manager = await makePerson(node(0), { role: 'manager' });
			const person = await makePerson(node(0), { locale: 'pl' });
			const issued = await issueResetLink(
				node(0),
				{ userId: person.id, issuer: { id: manager.id, role: 'manager' } },
				() => 1_000
			);
			expect(issued).toEqual({
				token: expect.stringMatching(/^[a-z2-7]{32}$/),
				expiresAt: 1_000 + DAY,
				email: person.email
			});
			expect(await findReset(node(1), issued.token, () => 2_000)).toEqual({
				email: person.email,
				name: person.displayName,
				expiresAt: 1_000 + DAY
			});
			// In the person's own language.
			const mails = await mailsTo(node(1), person.email);
			expect(mails).toEqual([{ kind: 'password_reset', subject: expect.any(String) }]);
			expect(mails[0].subject).not.toBe('Choose a new password for Honorboard');
			expect(await auditOf(node(1), person.id)).toEqual([
				{ action: 'member.reset_link', actor: manager.id, data: { expiresAt: 1_000 + DAY } }
			]);
			expect(await useLink(node(1), issued.token, 'reset', 'a-new-password', () => 3_000)).toBe(
				person.id
			);
			await expect(findReset(node(0), issued.token, () => 4_000)).rejects.toMatchObject({
				status: 410,
				code: 'used'
			});
		});

		it('a newer link voids the older one, across nodes; an expired one is refused', async () => {
			const admin = await makePerson(node(0), { role: 'admin' });
			const person = await makePerson(node(0), { role: 'manager' });
			const issuer = { id: admin.id, role: 'admin' as const };
			const first = await issueResetLink(node(0), { userId: person.id, issuer }, () => 1_000);
			const second = await issueResetLink(node(1), { userId: person.id, issuer }, () => 2_000);
			await expect(findReset(node(0), first.token, () => 3_000)).rejects.toMatchObject({
				status: 410,
				code: 'replaced'
			});
			expect((await findReset(node(0), second.token, () => 3_000)).email).toBe(person.email);
			await expect(findReset(node(1), second.token, () => 2_000 + DAY)).rejects.toMatchObject({
				status: 410,
				code: 'expired'
			});
			await expect(findReset(node(1), 'not-a-token')).rejects.toMatchObject({
				status: 410,
				code: 'invalid'
			});
		});

		it('refuses who may not be reset, and then nothing is written', async () => {
			const manager = await makePerson(node(0), { role: 'manager' });
			const admin = await makePerson(node(0), { role: 'admin' });
			const invited = await makePerson(node(0), { passwordHash: NO_PASSWORD });
			const issuer = { id: manager.id, role: 'manager' as const };
			const refusals = [
				[admin.id, { status: 403, code: 'forbidden' }],
				[manager.id, { status: 403, code: 'forbidden' }],
				[invited.id, { status: 409, code: 'no_password' }],
				[999_999, { status: 404, code: 'not_found' }]
			] as const;
			for (const [userId, refusal] of refusals)
				await expect(issueResetLink(node(1), { userId, issuer })).rejects.toMatchObject(refusal);
			for (const person of [admin, manager, invited]) {
				expect(await linksOf(node(0), person.id)).toEqual([]);
				expect(await mailsTo(node(0), person.email)).toEqual([]);
				expect(await auditOf(node(0), person.id)).toEqual([]);
			}
		});

		it('resets issued on both nodes at once leave one open link, each mailed and audited', async () => {
			const admin = await makePerson(node(0), { role: 'admin' });
			const person = await makePerson(node(0));
			const issuer = { id: admin.id, role: 'admin' as const };
			const issued = await Promise.all(
				Array.from({ length: 6 }, (_, i) =>
					issueResetLink(node((i % 2) as 0 | 1), { userId: person.id, issuer })
				)
			);
			expect(new Set(issued.map((i) => i.token)).size).toBe(6);
			const links = await linksOf(node(0), person.id);
			expect(links).toHaveLength(6);
			expect(links.filter((link) => link.voidedAt === null)).toHaveLength(1);
			expect(await mailsTo(node(1), person.email)).toHaveLength(6);
			expect(await auditOf(node(1), person.id)).toHaveLength(6);
			// Exactly one of the six tokens still works.
			const usable = await Promise.allSettled(issued.map((i) => findReset(node(1), i.token)));
			expect(usable.filter((u) => u.status === 'fulfilled')).toHaveLength(1);
		});
	});

	describe('an invitation link’s page', () => {
		/** An invitation as createInvite stores it, written straight to the store. */
		async function invitation(store: Store, seasonId: number | null, expiresAt = DAY) {
			const person = await makePerson(store, { passwordHash: NO_PASSWORD });
			const { invite } = store.tables;
			const token = newLinkToken();
			await store.db.insert(invite).values({
				purpose: 'invite',
				email: person.email,
				userId: person.id,
				seasonId,
				tokenHash: hashToken(token),
				createdAt: 0,
				expiresAt
			});
			return { person, token };
		}

		it('reads the invitation and its season on the other node', async () => {
			const season = await makeSeason(node(0));
			const { person, token } = await invitation(node(0), season.id);
			expect(await findInvite(node(1), token, () => 1_000)).toEqual({
				email: person.email,
				name: person.displayName,
				userId: person.id
			});
			expect(await invitedSeason(node(1), token)).toEqual({
				name: season.name,
				theme: { primary: '#123456', accent: '#654321', emoji: '🏆', tagline: 'Go' }
			});
		});

		it('refuses a used, expired or unknown invitation, and a reset token as one', async () => {
			const { token } = await invitation(node(0), null);
			expect(await invitedSeason(node(1), token)).toBeUndefined();
			await expect(findInvite(node(1), token, () => DAY)).rejects.toMatchObject({
				code: 'expired'
			});
			await useLink(node(0), token, 'invite', 'a-first-password', () => 1_000);
			await expect(findInvite(node(1), token, () => 2_000)).rejects.toMatchObject({
				code: 'used'
			});
			await expect(findInvite(node(1), newLinkToken())).rejects.toMatchObject({
				code: 'invalid'
			});
			const admin = await makePerson(node(0), { role: 'admin' });
			const person = await makePerson(node(0));
			const reset = await issueResetLink(node(0), {
				userId: person.id,
				issuer: { id: admin.id, role: 'admin' }
			});
			await expect(findInvite(node(1), reset.token)).rejects.toMatchObject({ code: 'invalid' });
			const { invite } = node(0).tables;
			const [link] = await node(1)
				.db.select({ acceptedAt: invite.acceptedAt })
				.from(invite)
				.where(and(eq(invite.tokenHash, hashToken(reset.token))));
			expect(link.acceptedAt).toBeNull();
		});
	});

	describe('TV displays', () => {
		const auditOf = async (store: Store, id: number) => {
			const { auditEvent } = store.tables;
			return store.db
				.select({ action: auditEvent.action, data: auditEvent.data })
				.from(auditEvent)
				.where(eq(auditEvent.subject, `display:${id}`))
				.orderBy(auditEvent.id);
		};

		it('a display created on one node works on the other until it is revoked there', async () => {
			const season = await makeSeason(node(0));
			const { id, token } = await createDisplay(node(0), season.id, 'Lobby', 'sv');
			expect(token).toMatch(/^tv_[a-z2-7]{32}$/);
			expect(await checkDisplayToken(node(1), token)).toEqual({
				ok: true,
				display: { id, name: 'Lobby', seasonId: season.id, locale: 'sv' }
			});
			expect(await isDisplayRevoked(node(1), id)).toBe(false);
			await markSeen(node(1), id, 5_000);
			const [listed] = await seasonDisplays(node(0), season.id);
			expect(listed).toMatchObject({ id, name: 'Lobby', locale: 'sv', lastSeenAt: 5_000 });
			await revokeDisplay(node(1), token, () => 6_000);
			expect(await checkDisplayToken(node(0), token)).toEqual({ ok: false, reason: 'revoked' });
			expect(await isDisplayRevoked(node(0), id)).toBe(true);
			await expect(displayFor(node(0), token)).rejects.toMatchObject({
				status: 403,
				code: 'display_revoked'
			});
			// Revoked once: a second revocation of the token finds no active display.
			await expect(revokeDisplay(node(0), token)).rejects.toMatchObject({
				status: 404,
				code: 'token_not_found'
			});
			expect(await checkDisplayToken(node(0), 'tv_unknown')).toEqual({
				ok: false,
				reason: 'unknown'
			});
			await expect(displayFor(node(1), 'tv_unknown')).rejects.toMatchObject({
				status: 404,
				code: 'display_unknown'
			});
			expect(await isDisplayRevoked(node(1), 999_999)).toBe(true);
		});

		it('refuses a display for a season that does not exist, and writes nothing', async () => {
			const manager = await makePerson(node(0), { role: 'manager' });
			const { display, auditEvent } = node(0).tables;
			const before = await node(0).db.select({ id: display.id }).from(display);
			await expect(createDisplay(node(1), 999_999, 'Nowhere')).rejects.toMatchObject({
				status: 404,
				code: 'season_not_found'
			});
			await expect(
				createAuditedDisplay(node(1), 999_999, 'Nowhere', { userId: manager.id }, 1_000)
			).rejects.toMatchObject({ code: 'season_not_found' });
			expect(await node(0).db.select({ id: display.id }).from(display)).toEqual(before);
			expect(
				await node(0).db.select().from(auditEvent).where(eq(auditEvent.actorUserId, manager.id))
			).toEqual([]);
		});

		it("the console's commands audit, and a display revoked on both nodes at once is revoked once", async () => {
			const season = await makeSeason(node(0));
			const other = await makeSeason(node(0));
			const manager = await makePerson(node(0), { role: 'manager' });
			const actor = { userId: manager.id };
			const created = await createAuditedDisplay(node(0), season.id, 'Hall', actor, 1_000, 'pl');
			expect(await auditOf(node(1), created.id)).toEqual([
				{ action: 'display.create', data: { name: 'Hall', seasonId: season.id, locale: 'pl' } }
			]);
			// Another season's console does not reach it.
			expect(await revokeDisplayById(node(1), other.id, created.id, actor, 2_000)).toEqual({
				status: 'not_found'
			});
			const results = await Promise.all(
				Array.from({ length: 6 }, (_, i) =>
					revokeDisplayById(node((i % 2) as 0 | 1), season.id, created.id, actor, 3_000 + i)
				)
			);
			expect(results.filter((r) => r.status === 'revoked')).toHaveLength(1);
			expect(results.filter((r) => r.status === 'already_revoked')).toHaveLength(5);
			expect((await auditOf(node(0), created.id)).map((a) => a.action)).toEqual([
				'display.create',
				'display.revoke'
			]);
			// Active first, newest first; revoked last.
			const active = await createDisplay(node(1), season.id, 'Cafe');
			expect((await seasonDisplays(node(0), season.id)).map((d) => d.name)).toEqual([
				'Cafe',
				'Hall'
			]);
			expect(await isDisplayRevoked(node(0), active.id)).toBe(false);
		});
	});

	describe("a person's own language", () => {
		const localeOf = async (store: Store, id: number) => {
			const { user } = store.tables;
			const [row] = await store.db
				.select({ locale: user.locale })
				.from(user)
				.where(eq(user.id, id));
			return row?.locale;
		};

		it('set on one node is what the other reads, and "none" clears it', async () => {
			const person = await makePerson(node(0));
			await setOwnLocale(node(0), person.id, 'ru');
			expect(await localeOf(node(1), person.id)).toBe('ru');
			await setOwnLocale(node(1), person.id, null);
			expect(await localeOf(node(0), person.id)).toBeNull();
		});

		it('is refused for a person who does not exist, and nothing is written', async () => {
			const { user } = node(0).tables;
			const before = await node(0).db.select({ id: user.id, locale: user.locale }).from(user);
			await expect(setOwnLocale(node(0), 999_999, 'pl')).rejects.toThrow(/No person 999999/);
			expect(await node(1).db.select({ id: user.id, locale: user.locale }).from(user)).toEqual(
				before
			);
		});

		it('is kept when the same person saves what they receive on the other node at once', async () => {
			const person = await makePerson(node(0), { locale: null });
			for (let round = 0; round < 5; round++) {
				const locale = round % 2 ? 'fr' : 'pl';
				await Promise.all([
					setOwnLocale(node(0), person.id, locale),
					saveReceiveChoices(node(1), person.id, [
						{ channel: 'email', kind: 'weekly_digest', on: round % 2 === 0 }
					])
				]);
				expect(await localeOf(node(1), person.id)).toBe(locale);
			}
		});
	});

	describe("the sockets' session check", () => {
		it('sees a session made on the other node, as the person is now, until it ends', async () => {
			const person = await makePerson(node(0));
			const token = generateSessionToken();
			const session = await createSession(node(0), token, person.id, () => 1_000);
			expect(await sessionAlive(node(1), session.id, 2_000)).toEqual({
				id: person.id,
				email: person.email,
				displayName: person.displayName,
				role: 'participant',
				locale: null
			});
			const { user, session: sessions } = node(0).tables;
			await node(0).db.update(user).set({ role: 'manager' }).where(eq(user.id, person.id));
			expect((await sessionAlive(node(1), session.id, 2_000))?.role).toBe('manager');
			// Expired, then deleted: gone.
			expect(await sessionAlive(node(1), session.id, session.expiresAt)).toBeNull();
			await node(0).db.delete(sessions).where(eq(sessions.id, session.id));
			expect(await sessionAlive(node(1), session.id, 2_000)).toBeNull();
			expect(await sessionAlive(node(1), 'no-such-session', 2_000)).toBeNull();
		});
	});
});
