import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '$lib/server/db';
import { seasonMember, team, user } from '$lib/server/db/schema';
import { audit, type Actor } from '$lib/server/audit/record';
import { createInvite, InviteError } from '$lib/server/people/invites';
import { normalizeEmail } from '$lib/server/people/users';
import { bumpVersion } from '$lib/server/scoring/standings';
import { notifyLeaderboard } from '$lib/server/realtime/publish';
import { systemClock, type Clock } from '$lib/server/shared/clock';
import type { CsvError, MemberRow } from '$lib/server/teams/members-csv';
import { openSeason, TeamsError } from './commands';

// Bringing people into a season's team: someone with an account is added and signs in as
// usual; anyone else (or anyone who never set a password) gets an invitation link to set one.
// Note: an account that has a password never gets a link, since accepting one resets the
// password: a manager could otherwise take over any account, an admin's included.

export const inviteSchema = z.object({
	name: z.string().trim().min(1, 'Enter their name').max(100, 'Keep the name under 100 characters'),
	email: z
		.string()
		.trim()
		.max(254, 'This email is too long')
		.pipe(z.email('Enter an email address like ana@example.com')),
	teamId: z.coerce.number({ message: 'Choose a team' }).int().positive('Choose a team')
});

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
			account: typeof user.$inferSelect | undefined;
			member: boolean;
			hasPassword: boolean;
	  };

/** What adding this person would do, or why it cannot (they are in another team). */
function plan(tx: Queryable, seasonId: number, person: Person): Plan {
	const email = normalizeEmail(person.email);
	const account = tx.select().from(user).where(eq(user.email, email)).get();
	const membership = account
		? tx
				.select({ teamId: seasonMember.teamId, team: team.name })
				.from(seasonMember)
				.innerJoin(team, eq(team.id, seasonMember.teamId))
				.where(and(eq(seasonMember.seasonId, seasonId), eq(seasonMember.userId, account.id)))
				.get()
		: undefined;
	if (membership && membership.teamId !== person.teamId) {
		return {
			ok: false,
			error: `${account!.displayName} (${email}) is already in team ${membership.team}: move them from the members list instead`
		};
	}
	const hasPassword = !!account && account.passwordHash !== '!';
	return { ok: true, email, account, member: !!membership, hasPassword };
}

function apply(
	db: Db,
	tx: Queryable,
	seasonId: number,
	person: Person,
	teamName: string,
	actor: Actor,
	clock: Clock
): Outcome {
	const p = plan(tx, seasonId, person);
	if (!p.ok) throw new TeamsError('conflict', p.error);
	const name = p.account?.displayName ?? person.name.trim();
	if (p.hasPassword) {
		if (p.member) return { kind: 'already', name, email: p.email, team: teamName };
		tx.insert(seasonMember)
			.values({ seasonId, userId: p.account!.id, teamId: person.teamId, joinedAt: clock() })
			.run();
		audit(
			tx,
			actor,
			'member.add',
			`user:${p.account!.id}`,
			{ seasonId, teamId: person.teamId },
			clock()
		);
		return { kind: 'added', name, email: p.email, team: teamName };
	}
	// better-sqlite3 nests createInvite's transaction as a savepoint of this one.
	const { token } = createInvite(
		db,
		{ email: p.email, displayName: person.name, seasonId, teamId: person.teamId, actor },
		clock
	);
	return { kind: 'invited', name, email: p.email, team: teamName, token };
}

/** Runs `run` in one transaction; boards hear about it when someone joined a team. */
function finish<T>(
	db: Db,
	seasonId: number,
	run: (tx: Queryable) => { value: T; joined: boolean }
): T {
	const result = db.transaction(
		(tx) => {
			openSeason(tx, seasonId);
			const out = run(tx);
			if (out.joined) bumpVersion(tx, seasonId);
			return out;
		},
		{ behavior: 'immediate' }
	);
	if (result.joined) notifyLeaderboard(seasonId);
	return result.value;
}

/** Invites one person (or adds them, when they have an account) into a team of the season. */
export function inviteMember(
	db: Db,
	seasonId: number,
	person: Person,
	actor: Actor,
	clock: Clock = systemClock
): Outcome {
	return finish(db, seasonId, (tx) => {
		const t = tx
			.select()
			.from(team)
			.where(and(eq(team.id, person.teamId), eq(team.seasonId, seasonId)))
			.get();
		if (!t) throw new TeamsError('not_found', 'That team is not in this season');
		try {
			const outcome = apply(db, tx, seasonId, person, t.name, actor, clock);
			return { value: outcome, joined: outcome.kind !== 'already' };
		} catch (e) {
			if (e instanceof InviteError) throw new TeamsError('conflict', e.message);
			throw e;
		}
	});
}

/**
 * Imports the rows of a valid file, all or nothing: when anyone is already in another team
 * of the season, nothing changes and those rows are reported.
 */
export function importMembers(
	db: Db,
	seasonId: number,
	rows: MemberRow[],
	actor: Actor,
	clock: Clock = systemClock
): { ok: true; outcomes: Outcome[] } | { ok: false; errors: CsvError[] } {
	const teams = new Map(
		db
			.select()
			.from(team)
			.where(eq(team.seasonId, seasonId))
			.all()
			.map((t) => [t.name, t])
	);
	const people = rows.map((r) => ({
		row: r.row,
		email: r.email,
		name: r.name,
		teamId: teams.get(r.team)?.id ?? 0,
		team: r.team
	}));
	type Result = { ok: true; outcomes: Outcome[] } | { ok: false; errors: CsvError[] };
	return finish<Result>(db, seasonId, (tx) => {
		const errors: CsvError[] = [];
		for (const p of people) {
			if (!p.teamId)
				errors.push({
					row: p.row,
					column: 'team',
					message: `No team named ${p.team} in this season`
				});
			else {
				const checked = plan(tx, seasonId, p);
				if (!checked.ok) errors.push({ row: p.row, column: 'team', message: checked.error });
			}
		}
		if (errors.length > 0) return { value: { ok: false, errors }, joined: false };
		const outcomes = people.map((p) => apply(db, tx, seasonId, p, p.team, actor, clock));
		return { value: { ok: true, outcomes }, joined: outcomes.some((o) => o.kind !== 'already') };
	});
}
