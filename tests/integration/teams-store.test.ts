// A season's teams and members ported onto the store (#20, teams/): adding, renaming and deleting
// teams, inviting, adding, moving and removing members, the members file both ways and the
// console's overview, with the same assertions on a temp SQLite file and a throwaway PostgreSQL.
// "Two nodes" are two stores on one database: two SQLite connections to one file, two pools.
import { describe, expect, it } from 'vitest';
import { and, eq, isNull, like } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import { addTeam, deleteTeam, updateTeam } from '../../src/lib/server/teams/commands';
import {
	importMembers,
	inviteMember,
	membersCsv,
	moveMember,
	removeMember
} from '../../src/lib/server/teams/members';
import { teamsOverview } from '../../src/lib/server/teams/queries';
import { parseMembersCsv } from '../../src/lib/server/teams/members-csv';
import { findInvite } from '../../src/lib/server/people/invites';
import { NO_PASSWORD } from '../../src/lib/server/auth/links';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('teams-store');
const DAY = 24 * 60 * 60 * 1000;
const manager = { userId: null };
let emails = 0;

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];
	const season = (store: Store, size = 2, teams = ['Red', 'Blue']) =>
		liveSeasonOn(store, { size, teams, endsAt: Date.now() + 30 * DAY });
	const versionOf = async (store: Store, seasonId: number) => {
		const { season: seasons } = store.tables;
		const [row] = await store.db
			.select({ version: seasons.version })
			.from(seasons)
			.where(eq(seasons.id, seasonId));
		return row.version;
	};
	const audits = async (store: Store, action: string, subject = '%') => {
		const { auditEvent } = store.tables;
		return store.db
			.select()
			.from(auditEvent)
			.where(and(eq(auditEvent.action, action), like(auditEvent.subject, subject)));
	};
	/** Everything a command could have written, to check that a refused one wrote nothing. */
	const snapshot = async (store: Store) => {
		const {
			auditEvent,
			invite,
			outgoingMessage,
			season: seasons,
			seasonMember,
			team,
			user
		} = store.tables;
		const count = async (table: typeof team | typeof user | typeof auditEvent) =>
			(await store.db.select().from(table as typeof team)).length;
		return {
			teams: await count(team),
			users: await count(user),
			audits: await count(auditEvent),
			members: await store.db.select().from(seasonMember).orderBy(seasonMember.userId),
			links: (await store.db.select().from(invite)).length,
			mails: (await store.db.select().from(outgoingMessage)).length,
			versions: await store.db.select({ id: seasons.id, v: seasons.version }).from(seasons)
		};
	};
	const newEmail = () => `invitee${++emails}@example.test`;

	it('a team added on one node is in the other node’s overview; the boards’ version moves', async () => {
		const s = await season(node(0));
		const before = await versionOf(node(1), s.seasonId);
		const row = await addTeam(
			node(0),
			s.seasonId,
			{ name: 'Green', color: '#00aa00', emoji: '🌿' },
			manager
		);
		const overview = await teamsOverview(node(1), s.seasonId);
		expect(overview.teams.map((t) => t.name)).toEqual(['Blue', 'Green', 'Red']);
		expect(overview.teams.find((t) => t.id === row.id)).toMatchObject({
			members: 0,
			history: false
		});
		expect(overview.members).toHaveLength(2);
		expect(overview.members[0]).toMatchObject({
			joined: true,
			sales: 0,
			entries: 0,
			points: 0
		});
		expect(await versionOf(node(1), s.seasonId)).toBe(before + 1);
		expect(await audits(node(1), 'team.create', `team:${row.id}`)).toHaveLength(1);

		await updateTeam(
			node(1),
			s.seasonId,
			row.id,
			{ name: 'Lime', color: '#00aa00', emoji: '🌿' },
			manager
		);
		const [renamed] = await audits(node(0), 'team.update', `team:${row.id}`);
		expect(renamed.data).toMatchObject({ name: { from: 'Green', to: 'Lime' } });
		await deleteTeam(node(0), s.seasonId, row.id, manager);
		expect((await teamsOverview(node(1), s.seasonId)).teams.map((t) => t.name)).toEqual([
			'Blue',
			'Red'
		]);
	});

	it('one team name added on both nodes at once makes one team', async () => {
		const s = await season(node(0));
		const team = { color: '#123456', emoji: '⭐' };
		const results = await Promise.allSettled([
			addTeam(node(0), s.seasonId, { name: 'Stars', ...team }, manager),
			addTeam(node(1), s.seasonId, { name: 'STARS', ...team }, manager)
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const overview = await teamsOverview(node(0), s.seasonId);
		expect(overview.teams.filter((t) => t.name.toLowerCase() === 'stars')).toHaveLength(1);
		expect(await audits(node(1), 'team.create')).toHaveLength(
			(await audits(node(0), 'team.create')).length
		);
	});

	it('bad input and a closed season are refused and write nothing', async () => {
		const s = await season(node(0));
		const [red, blue] = s.teamIds;
		const before = await snapshot(node(1));
		const team = { color: '#000000', emoji: '🔴' };
		expect(
			await appErrorCode(() => addTeam(node(0), s.seasonId, { name: 'red', ...team }, manager))
		).toBe('conflict');
		expect(
			await appErrorCode(() =>
				updateTeam(node(1), s.seasonId, red, { name: 'Blue', ...team }, manager)
			)
		).toBe('conflict');
		// Red has a member: it cannot go.
		expect(await appErrorCode(() => deleteTeam(node(0), s.seasonId, red, manager))).toBe(
			'conflict'
		);
		expect(
			await appErrorCode(() => moveMember(node(1), s.seasonId, s.people[0].id, 999_999, manager))
		).toBe('not_found');
		expect(
			await appErrorCode(() =>
				inviteMember(
					node(0),
					s.seasonId,
					{ email: s.people[0].email, name: 'x', teamId: blue },
					manager
				)
			)
		).toBe('conflict');
		expect(await snapshot(node(1))).toEqual(before);

		const { season: seasons } = node(0).tables;
		await node(0).db.update(seasons).set({ status: 'ended' }).where(eq(seasons.id, s.seasonId));
		const ended = await snapshot(node(1));
		expect(
			await appErrorCode(() => addTeam(node(1), s.seasonId, { name: 'Late', ...team }, manager))
		).toBe('locked');
		expect(
			await appErrorCode(() => removeMember(node(0), s.seasonId, s.people[1].id, manager))
		).toBe('locked');
		expect(await snapshot(node(1))).toEqual(ended);
	});

	it('an invitation made on one node is a person, a membership, a link and a mail on the other', async () => {
		const s = await season(node(0));
		const email = newEmail();
		const outcome = await inviteMember(
			node(0),
			s.seasonId,
			{ email: email.toUpperCase(), name: 'Nina New', teamId: s.teamIds[1] },
			manager
		);
		expect(outcome).toMatchObject({ kind: 'invited', email, team: 'Blue' });
		if (outcome.kind !== 'invited') throw new Error('not invited');
		const { user, invite, outgoingMessage } = node(1).tables;
		const [person] = await node(1).db.select().from(user).where(eq(user.email, email));
		expect(person).toMatchObject({ displayName: 'Nina New', passwordHash: NO_PASSWORD });
		expect(await findInvite(node(1), outcome.token)).toMatchObject({ email, userId: person.id });
		const links = await node(1)
			.db.select()
			.from(invite)
			.where(and(eq(invite.userId, person.id), isNull(invite.voidedAt)));
		expect(links).toHaveLength(1);
		const mails = await node(1)
			.db.select()
			.from(outgoingMessage)
			.where(eq(outgoingMessage.userId, person.id));
		expect(mails.map((m) => m.kind)).toEqual(['invitation']);
		expect(await audits(node(1), 'member.invite', `user:${person.id}`)).toHaveLength(1);
		const overview = await teamsOverview(node(1), s.seasonId);
		expect(overview.members.find((m) => m.userId === person.id)).toMatchObject({
			joined: false,
			teamId: s.teamIds[1]
		});

		// Invited again (the console's "invite again"): one open link, the older one voided.
		await inviteMember(
			node(1),
			s.seasonId,
			{ email, name: 'Nina New', teamId: s.teamIds[1] },
			manager
		);
		const open = await node(0)
			.db.select()
			.from(invite)
			.where(and(eq(invite.userId, person.id), isNull(invite.voidedAt)));
		expect(open).toHaveLength(1);
	});

	it('one new person invited into two teams on both nodes at once lands in one', async () => {
		const s = await season(node(0));
		const email = newEmail();
		const results = await Promise.allSettled([
			inviteMember(node(0), s.seasonId, { email, name: 'Two', teamId: s.teamIds[0] }, manager),
			inviteMember(node(1), s.seasonId, { email, name: 'Two', teamId: s.teamIds[1] }, manager)
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const { user, seasonMember, invite, outgoingMessage } = node(0).tables;
		const people = await node(0).db.select().from(user).where(eq(user.email, email));
		expect(people).toHaveLength(1);
		const memberships = await node(1)
			.db.select()
			.from(seasonMember)
			.where(eq(seasonMember.userId, people[0].id));
		expect(memberships).toHaveLength(1);
		const links = await node(1).db.select().from(invite).where(eq(invite.userId, people[0].id));
		expect(links).toHaveLength(1);
		const mails = await node(1)
			.db.select()
			.from(outgoingMessage)
			.where(eq(outgoingMessage.userId, people[0].id));
		expect(mails).toHaveLength(1);
	});

	it('a member moved on one node and removed on the other; a removal sent twice removes once', async () => {
		const s = await season(node(0), 3);
		const [ann] = s.people;
		expect(await moveMember(node(1), s.seasonId, ann.id, s.teamIds[1], manager)).toEqual({
			moved: true,
			team: 'Blue'
		});
		expect(await moveMember(node(0), s.seasonId, ann.id, s.teamIds[1], manager)).toEqual({
			moved: false,
			team: 'Blue'
		});
		expect(await audits(node(0), 'member.move', `user:${ann.id}`)).toHaveLength(1);
		const results = await Promise.allSettled([
			removeMember(node(0), s.seasonId, ann.id, manager),
			removeMember(node(1), s.seasonId, ann.id, manager)
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		expect(await audits(node(1), 'member.remove', `user:${ann.id}`)).toHaveLength(1);
		const overview = await teamsOverview(node(1), s.seasonId);
		expect(overview.members.map((m) => m.userId)).not.toContain(ann.id);
	});

	it('the members file: refused whole when a number is taken, imported whole, read back on the other node', async () => {
		const s = await season(node(0), 2);
		const [ann, ben] = s.people;
		const { user } = node(0).tables;
		await node(0).db.update(user).set({ employeeNumber: 'B-2' }).where(eq(user.id, ben.id));
		const parse = (text: string) => parseMembersCsv(text, { teams: ['Red', 'Blue'] });
		const newcomer = newEmail();
		const before = await snapshot(node(1));
		const taken = parse(
			`email,name,team,employeeNumber\n${newcomer},New,Red,\n${ann.email},Ann,Red,b-2`
		);
		expect(taken.errors).toEqual([]);
		const refused = await importMembers(node(0), s.seasonId, taken.rows, manager);
		expect(refused).toMatchObject({ ok: false, errors: [{ row: 3, column: 'employeeNumber' }] });
		expect(await snapshot(node(1))).toEqual(before);

		const good = parse(
			`email,name,team,employeeNumber\n${newcomer},New,Blue,\n${ann.email},Ann,Red,a-1`
		);
		const imported = await importMembers(node(1), s.seasonId, good.rows, manager);
		expect(imported).toMatchObject({
			ok: true,
			outcomes: [
				{ kind: 'invited', email: newcomer, team: 'Blue' },
				{ kind: 'already', email: ann.email, team: 'Red' }
			]
		});
		const lines = (await membersCsv(node(0), s.seasonId)).split('\r\n');
		expect(lines).toEqual(
			expect.arrayContaining([
				'email,name,team,employeeNumber',
				`${ann.email},${ann.name},Red,A-1`,
				`${ben.email},${ben.name},Blue,B-2`,
				`${newcomer},New,Blue,`
			])
		);
	});
});
