// Targets (quotas) on the store (#20, db/store.ts): the console's sheet, setting and removing
// one, and a CSV file read and imported, with the same assertions on a temp SQLite file and a
// throwaway PostgreSQL (tests/helpers/postgres.ts). "Two nodes" are two stores on one database:
// two SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import {
	importQuotas,
	quotaSheet,
	removeQuota,
	setQuota
} from '../../src/lib/server/quotas/commands';
import { parseQuotaCsv } from '../../src/lib/server/quotas/quota-csv';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, auditsOf, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('quotas-store');

const MANAGER = {};

const targets = (sheet: Awaited<ReturnType<typeof quotaSheet>>) =>
	sheet.map((r) => [r.subjectType, r.name, r.target, r.points]);

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: number) => nodes[dialect][i];

	it('a target set on one node is on the other’s sheet with the points so far; set again, it changes', async () => {
		const s = await liveSeasonOn(node(0), {
			size: 2,
			teams: ['North'],
			endsAt: 1e13,
			points: [120, 40]
		});
		const subject = { type: 'user' as const, id: s.people[0].id };
		await setQuota(node(0), { seasonId: s.seasonId, subject, target: 200 }, MANAGER, 1_000);
		await setQuota(
			node(1),
			{ seasonId: s.seasonId, subject: { type: 'team', id: s.teamIds[0] }, target: 900 },
			MANAGER,
			1_000
		);
		expect(targets(await quotaSheet(node(1), s.seasonId))).toEqual([
			['team', 'North', 900, 0],
			['user', s.people[0].name, 200, 120],
			['user', s.people[1].name, null, 40]
		]);
		await setQuota(node(1), { seasonId: s.seasonId, subject, target: 250 }, MANAGER, 2_000);
		const [, mine] = await quotaSheet(node(0), s.seasonId);
		expect(mine.target).toBe(250);
		expect((await auditsOf(node(0), `user:${subject.id}`)).map((a) => a.data)).toEqual([
			{ seasonId: s.seasonId, target: 200 },
			{ seasonId: s.seasonId, target: 250 }
		]);
	});

	it('a target for someone not in the season, or a season that is not there, is refused and nothing is written', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		const other = await liveSeasonOn(node(0), { size: 1, teams: ['B'], endsAt: 1e13 });
		const outsider = { type: 'user' as const, id: other.people[0].id };
		expect(
			await appErrorCode(() =>
				setQuota(node(1), { seasonId: s.seasonId, subject: outsider, target: 5 }, MANAGER, 1)
			)
		).toBe('unknown_subject');
		expect(
			await appErrorCode(() =>
				setQuota(
					node(1),
					{ seasonId: 1e9, subject: { type: 'team', id: s.teamIds[0] }, target: 5 },
					MANAGER,
					1
				)
			)
		).toBe('unknown_season');
		expect((await quotaSheet(node(0), s.seasonId)).every((r) => r.target === null)).toBe(true);
		expect(await auditsOf(node(0), `user:${outsider.id}`)).toEqual([]);
	});

	it('a removal sent to two nodes at once removes and audits once', async () => {
		const s = await liveSeasonOn(node(0), { size: 1, teams: ['A'], endsAt: 1e13 });
		const subject = { type: 'team' as const, id: s.teamIds[0] };
		await setQuota(node(0), { seasonId: s.seasonId, subject, target: 50 }, MANAGER, 1);
		await Promise.all([
			removeQuota(node(0), { seasonId: s.seasonId, subject }, MANAGER, 2),
			removeQuota(node(1), { seasonId: s.seasonId, subject }, MANAGER, 2)
		]);
		expect((await quotaSheet(node(1), s.seasonId))[0].target).toBeNull();
		expect((await auditsOf(node(1), `team:${subject.id}`)).map((a) => a.action)).toEqual([
			'quota.set',
			'quota.remove'
		]);
	});

	it('a file read on one node is imported whole on the other; sent twice at once, targets are set once each', async () => {
		const s = await liveSeasonOn(node(0), { size: 2, teams: ['North', 'South'], endsAt: 1e13 });
		const file = [
			'Email;Team;Target',
			`${s.people[0].email.toUpperCase()};;1000`,
			`${s.people[1].email};;700`,
			';north;6000'
		].join('\r\n');
		const { quotas, errors } = await parseQuotaCsv(node(1), s.seasonId, file);
		expect(errors).toEqual([]);
		const counts = await Promise.all([
			importQuotas(node(0), s.seasonId, quotas, MANAGER, 1),
			importQuotas(node(1), s.seasonId, quotas, MANAGER, 2)
		]);
		expect(counts).toEqual([3, 3]);
		expect(targets(await quotaSheet(node(0), s.seasonId))).toEqual([
			['team', 'North', 6000, 0],
			['team', 'South', null, 0],
			['user', s.people[0].name, 1000, 0],
			['user', s.people[1].name, 700, 0]
		]);
		const { quota } = node(1).tables;
		expect(
			await node(1).db.select().from(quota).where(eq(quota.seasonId, s.seasonId))
		).toHaveLength(3);
		expect(await auditsOf(node(1), `season:${s.seasonId}`)).toHaveLength(2);
	});

	it('a file with a bad row imports nothing and says which rows; one whose person left since is refused whole', async () => {
		const s = await liveSeasonOn(node(0), { size: 2, teams: ['North'], endsAt: 1e13 });
		const bad = await parseQuotaCsv(
			node(0),
			s.seasonId,
			`email,team,target\n${s.people[0].email},,1000\nnobody@x.test,,5\n${s.people[1].email},,-3\n`
		);
		expect(bad.quotas).toEqual([]);
		expect(bad.errors.map((e) => [e.row, e.column])).toEqual([
			[3, 'email'],
			[4, 'target']
		]);
		const good = await parseQuotaCsv(
			node(0),
			s.seasonId,
			`email,team,target\n${s.people[0].email},,1000\n${s.people[1].email},,300\n`
		);
		// The second person leaves the season on the other node before the import.
		const { seasonMember } = node(1).tables;
		await node(1)
			.db.delete(seasonMember)
			.where(and(eq(seasonMember.seasonId, s.seasonId), eq(seasonMember.userId, s.people[1].id)));
		expect(
			await appErrorCode(() => importQuotas(node(0), s.seasonId, good.quotas, MANAGER, 1))
		).toBe('unknown_subject');
		expect((await quotaSheet(node(1), s.seasonId)).every((r) => r.target === null)).toBe(true);
		expect(await auditsOf(node(1), `season:${s.seasonId}`)).toEqual([]);
	});

	it('a file of more targets than one statement holds goes in whole', async () => {
		const names = Array.from({ length: 1_200 }, (_, i) => `Team ${i}`);
		const s = await liveSeasonOn(node(0), { size: 0, teams: names, endsAt: 1e13 });
		const file = ['team,target', ...names.map((name, i) => `${name},${100 + i}`)].join('\n');
		const { quotas, errors } = await parseQuotaCsv(node(1), s.seasonId, file);
		expect(errors).toEqual([]);
		expect(await importQuotas(node(0), s.seasonId, quotas, MANAGER, 1)).toBe(1_200);
		const sheet = await quotaSheet(node(1), s.seasonId);
		expect(sheet.filter((r) => r.target !== null)).toHaveLength(1_200);
		expect(sheet.find((r) => r.name === 'Team 1199')?.target).toBe(1_299);
	});
});
