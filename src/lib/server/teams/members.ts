import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Store, StoreDb } from '$lib/server/db/store';
import { auditInWrite, type Actor } from '$lib/server/audit/record';
import { createInviteInWrite } from '$lib/server/people/invites';
import {
	normalizeEmail,
	personWithEmployeeNumberIn,
	setEmployeeNumberInWrite
} from '$lib/server/people/users';
import { conflict, notFound } from '$lib/server/shared/errors';
import { writeCsv, type CsvError } from '$lib/csv';
import { systemClock, type Clock } from '$lib/server/shared/clock';
import type { MemberRow } from './members-csv';
import { changeTeams } from './open-season';
import { m } from '../../paraglide/messages.js';

// Who is in which team of a season: people brought in (invited, or added when they have an
// account), moved and removed. Through the store: each change is one write, so that the same
// person brought in on two nodes at once lands in one team.
// Note: an account that has a password never gets a link, since accepting one resets the
// password: a manager could otherwise take over any account, an admin's included.
// Note: ledger entries keep the team of the time, so a member who moves leaves their earlier
// points with the old team; only their new points count for the new one.

export type Outcome =
	| { kind: 'invited'; name: string; email: string; team: string; token: string }
	| { kind: 'added'; name: string; email: string; team: string }
	| { kind: 'already'; name: string; email: string; team: string };

interface Person {
	email: string;
	name: string;
	teamId: number;
}

type Plan =
	| { ok: false; error: string }
	| {
			ok: true;
			email: string;
			account: Store['tables']['user']['$inferSelect'] | undefined;
			member: boolean;
			hasPassword: boolean;
	  };

/** What adding this person would do, or why it cannot (they are in another team). */
async function plan(tx: StoreDb, store: Store, seasonId: number, person: Person): Promise<Plan> {
	const { seasonMember, team, user } = store.tables;
	const email = normalizeEmail(person.email);
	const [account] = await tx.select().from(user).where(eq(user.email, email));
	const [membership] = account
		? await tx
				.select({ teamId: seasonMember.teamId, team: team.name })
				.from(seasonMember)
				.innerJoin(team, eq(team.id, seasonMember.teamId))
				.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, account.id)))
		: [];
	if (membership && membership.teamId !== person.teamId) {
		return {
			ok: false,
			error: m.teams_error_in_other_team({
				name: account!.displayName,
				email,
				team: membership.team
			})
		};
	}
	const hasPassword = !!account && account.passwordHash !== '!';
	return { ok: true, email, account, member: !!membership, hasPassword };
}

async function apply(
	tx: StoreDb,
	store: Store,
	seasonId: number,
	person: Person,
	teamName: string,
	actor: Actor,
	clock: Clock
): Promise<Outcome> {
	const { seasonMember } = store.tables;
	const p = await plan(tx, store, seasonId, person);
	if (!p.ok) throw conflict('conflict', p.error);
	const name = p.account?.displayName ?? person.name.trim();
	if (p.hasPassword) {
		if (p.member) return { kind: 'already', name, email: p.email, team: teamName };
		await tx
			.insert(seasonMember)
			.values({ seasonId, userId: p.account!.id, teamId: person.teamId, joinedAt: clock() });
		await auditInWrite(
			tx,
			store,
			actor,
			'member.add',
			`user:${p.account!.id}`,
			{ seasonId, teamId: person.teamId },
			clock()
		);
		return { kind: 'added', name, email: p.email, team: teamName };
	}
	const { token } = await createInviteInWrite(
		tx,
		store,
		{ email: p.email, displayName: person.name, seasonId, teamId: person.teamId, actor },
		clock()
	);
	return { kind: 'invited', name, email: p.email, team: teamName, token };
}

/** Invites one person (or adds them, when they have an account) into a team of the season. */
export function inviteMember(
	store: Store,
	seasonId: number,
	person: Person,
	actor: Actor,
	clock: Clock = systemClock
): Promise<Outcome> {
	const { team } = store.tables;
	return changeTeams(
		store,
		seasonId,
		async (tx) => {
			const [t] = await tx
				.select()
				.from(team)
				.where(and(eq(team.id, person.teamId), eq(team.seasonId, seasonId)));
			if (!t) throw notFound('not_found', m.teams_error_team_not_in_season());
			return apply(tx, store, seasonId, person, t.name, actor, clock);
		},
		(outcome) => outcome.kind !== 'already'
	);
}

type ImportResult = { ok: true; outcomes: Outcome[] } | { ok: false; errors: CsvError[] };

/**
 * Imports the rows of a valid file, all or nothing: when anyone is already in another team
 * of the season, nothing changes and those rows are reported.
 */
export function importMembers(
	store: Store,
	seasonId: number,
	rows: MemberRow[],
	actor: Actor,
	clock: Clock = systemClock
): Promise<ImportResult> {
	const { team, user } = store.tables;
	return changeTeams<ImportResult>(
		store,
		seasonId,
		async (tx) => {
			// Read in the write: a team renamed or deleted on another node meanwhile is seen.
			const teams = new Map(
				(await tx.select().from(team).where(eq(team.seasonId, seasonId))).map((t) => [t.name, t])
			);
			const people = rows.map((r) => ({
				row: r.row,
				email: r.email,
				name: r.name,
				teamId: teams.get(r.team)?.id ?? 0,
				team: r.team,
				employeeNumber: r.employeeNumber ?? null
			}));
			const errors: CsvError[] = [];
			for (const p of people) {
				if (!p.teamId)
					errors.push({
						row: p.row,
						column: 'team',
						message: m.teams_error_no_team_in_season({ team: p.team })
					});
				else {
					const checked = await plan(tx, store, seasonId, p);
					if (!checked.ok) errors.push({ row: p.row, column: 'team', message: checked.error });
				}
				// An employee number someone else has is refused, naming them.
				const holder = p.employeeNumber
					? await personWithEmployeeNumberIn(tx, store, p.employeeNumber)
					: undefined;
				if (holder && holder.email !== normalizeEmail(p.email))
					errors.push({
						row: p.row,
						column: 'employeeNumber',
						message: m.teams_error_number_taken_row({
							name: holder.displayName,
							email: holder.email,
							number: p.employeeNumber ?? ''
						})
					});
			}
			if (errors.length > 0) return { ok: false, errors };
			const outcomes: Outcome[] = [];
			for (const p of people) {
				outcomes.push(await apply(tx, store, seasonId, p, p.team, actor, clock));
				if (p.employeeNumber) {
					const [account] = await tx
						.select({ id: user.id })
						.from(user)
						.where(eq(user.email, normalizeEmail(p.email)));
					if (account) await setEmployeeNumberInWrite(tx, store, account.id, p.employeeNumber);
				}
			}
			return { ok: true, outcomes };
		},
		(result) => result.ok && result.outcomes.some((o) => o.kind !== 'already')
	);
}

export function moveMember(
	store: Store,
	seasonId: number,
	userId: number,
	teamId: number,
	actor: Actor,
	clock: Clock = systemClock
) {
	const { seasonMember, team } = store.tables;
	return changeTeams(store, seasonId, async (tx) => {
		const [member] = await tx
			.select()
			.from(seasonMember)
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)));
		if (!member) throw notFound('not_found', m.teams_error_person_not_in_season());
		const [target] = await tx
			.select()
			.from(team)
			.where(and(eq(team.id, teamId), eq(team.seasonId, seasonId)));
		if (!target) throw notFound('not_found', m.teams_error_this_team_not_in_season());
		if (member.teamId === teamId) return { moved: false as const, team: target.name };
		await tx
			.update(seasonMember)
			.set({ teamId })
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)));
		await auditInWrite(
			tx,
			store,
			actor,
			'member.move',
			`user:${userId}`,
			{ seasonId, fromTeamId: member.teamId, toTeamId: teamId },
			clock()
		);
		return { moved: true as const, team: target.name };
	});
}

/** Only someone who has not scored in the season: otherwise the ledger would lose its owner. */
export function removeMember(
	store: Store,
	seasonId: number,
	userId: number,
	actor: Actor,
	clock: Clock = systemClock
) {
	const { invite, ledgerEntry, sale, seasonMember, user } = store.tables;
	return changeTeams(store, seasonId, async (tx) => {
		const [member] = await tx
			.select({ teamId: seasonMember.teamId, name: user.displayName })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)));
		if (!member) throw notFound('not_found', m.teams_error_person_not_in_season());
		const [sales] = await tx
			.select({ n: sql<number>`count(*)` })
			.from(sale)
			.where(and(eq(sale.seasonId, seasonId), eq(sale.sellerId, userId)));
		const [entries] = await tx
			.select({ n: sql<number>`count(*)` })
			.from(ledgerEntry)
			.where(and(eq(ledgerEntry.seasonId, seasonId), eq(ledgerEntry.userId, userId)));
		if (sales.n + entries.n > 0)
			throw conflict('conflict', m.teams_error_has_points({ name: member.name }));
		await tx
			.delete(seasonMember)
			.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, userId)));
		// An unused invitation to this season must not outlive the membership.
		await tx
			.delete(invite)
			.where(
				and(eq(invite.userId, userId), eq(invite.seasonId, seasonId), isNull(invite.acceptedAt))
			);
		await auditInWrite(
			tx,
			store,
			actor,
			'member.remove',
			`user:${userId}`,
			{ seasonId, teamId: member.teamId },
			clock()
		);
		return member;
	});
}

/** A season's members as the members file (`email,name,team,employeeNumber`), to edit and re-import. */
export async function membersCsv(store: Store, seasonId: number): Promise<string> {
	const { seasonMember, team, user } = store.tables;
	const rows = await store.db
		.select({
			email: user.email,
			name: user.displayName,
			team: team.name,
			employeeNumber: user.employeeNumber
		})
		.from(seasonMember)
		.innerJoin(user, eq(user.id, seasonMember.userId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(eq(seasonMember.seasonId, seasonId))
		.orderBy(team.name, user.displayName);
	return writeCsv(
		['email', 'name', 'team', 'employeeNumber'],
		rows.map((r) => [r.email, r.name, r.team, r.employeeNumber ?? ''])
	);
}
