import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { getSeason } from '$lib/server/seasons/queries';
import { consoleSeason } from '$lib/server/seasons/choice';
import { listConsoleSeasons } from '$lib/server/seasons/queries';
import { parseMembersCsv, type CsvError } from '$lib/server/teams/members-csv';
import {
	addTeam,
	deleteTeam,
	moveMember,
	removeMember,
	teamSchema,
	teamsOverview,
	TeamsError,
	updateTeam
} from '$lib/server/teams/commands';
import { importMembers, inviteMember, inviteSchema, type Outcome } from '$lib/server/teams/members';

const MAX_FILE_BYTES = 512 * 1024;

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const seasons = listConsoleSeasons(db);
	const asked = Number(event.url.searchParams.get('season'));
	const live = consoleSeason();
	// The live season by default, else the next one being prepared, else the latest.
	const chosen =
		seasons.find((s) => s.id === asked) ??
		seasons.find((s) => s.id === live?.id) ??
		seasons.find((s) => s.status === 'scheduled' || s.status === 'draft') ??
		seasons[0];
	return {
		seasons: seasons.map((s) => ({ id: s.id, name: s.name, status: s.status })),
		season: chosen
			? {
					id: chosen.id,
					name: chosen.name,
					status: chosen.status,
					emoji: chosen.theme.emoji,
					open: chosen.status !== 'ended' && chosen.status !== 'archived'
				}
			: null,
		...(chosen ? teamsOverview(db, chosen.id) : { teams: [], members: [] })
	};
};

const id = z.coerce.number().int().positive();

/** The season a console form is about (a hidden field: the query string does not reach actions). */
function seasonFrom(form: FormData) {
	const parsed = id.safeParse(form.get('seasonId'));
	return parsed.success ? getSeason(getDb(), parsed.data) : undefined;
}

const text = (form: FormData, key: string) => String(form.get(key) ?? '');
/** The invitation link is shown once, in the answer to the manager who created it. */
const linkOf = (event: RequestEvent, o: Outcome) => ({
	kind: o.kind,
	name: o.name,
	email: o.email,
	team: o.team,
	link: o.kind === 'invited' ? `${event.url.origin}/invite/${o.token}` : null
});

function failure(form: string, e: unknown, extra: Record<string, unknown> = {}) {
	if (e instanceof TeamsError) {
		return fail(e.code === 'not_found' ? 404 : 409, {
			form,
			message: e.message,
			field: e.field ?? null,
			...extra
		});
	}
	throw e;
}

export const actions: Actions = {
	addTeam: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const values = {
			name: text(form, 'name'),
			color: text(form, 'color'),
			emoji: text(form, 'emoji')
		};
		const s = seasonFrom(form);
		if (!s) return fail(404, { form: 'addTeam', message: 'Choose a season first.', values });
		const parsed = teamSchema.safeParse(values);
		if (!parsed.success)
			return fail(400, {
				form: 'addTeam',
				message: parsed.error.issues[0].message,
				field: parsed.error.issues[0].path[0],
				values
			});
		try {
			const row = addTeam(getDb(), s.id, parsed.data, { userId: user.id });
			return { form: 'addTeam', ok: true, message: `Team ${row.emoji} ${row.name} added.` };
		} catch (e) {
			return failure('addTeam', e, { values });
		}
	},

	updateTeam: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const teamId = id.safeParse(form.get('teamId'));
		const values = {
			name: text(form, 'name'),
			color: text(form, 'color'),
			emoji: text(form, 'emoji')
		};
		const s = seasonFrom(form);
		if (!s || !teamId.success)
			return fail(404, { form: 'updateTeam', message: 'This team no longer exists.', values });
		const parsed = teamSchema.safeParse(values);
		if (!parsed.success)
			return fail(400, {
				form: 'updateTeam',
				teamId: teamId.data,
				message: parsed.error.issues[0].message,
				values
			});
		try {
			const row = updateTeam(getDb(), s.id, teamId.data, parsed.data, { userId: user.id });
			return { form: 'updateTeam', message: `Team ${row.name} saved.` };
		} catch (e) {
			return failure('updateTeam', e, { teamId: teamId.data, values });
		}
	},

	deleteTeam: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const teamId = id.safeParse(form.get('teamId'));
		const s = seasonFrom(form);
		if (!s || !teamId.success)
			return fail(404, { form: 'deleteTeam', message: 'This team no longer exists.' });
		try {
			const row = deleteTeam(getDb(), s.id, teamId.data, { userId: user.id });
			return { form: 'deleteTeam', message: `Team ${row.name} deleted.` };
		} catch (e) {
			return failure('deleteTeam', e);
		}
	},

	moveMember: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const userId = id.safeParse(form.get('userId'));
		const teamId = id.safeParse(form.get('teamId'));
		const s = seasonFrom(form);
		if (!s || !userId.success || !teamId.success)
			return fail(400, { form: 'moveMember', message: 'Choose a team to move them to.' });
		try {
			const result = moveMember(getDb(), s.id, userId.data, teamId.data, { userId: user.id });
			return {
				form: 'moveMember',
				message: result.moved
					? `Moved to ${result.team}. Points scored so far stay with the old team.`
					: `Already in ${result.team}.`
			};
		} catch (e) {
			return failure('moveMember', e);
		}
	},

	removeMember: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const userId = id.safeParse(form.get('userId'));
		const s = seasonFrom(form);
		if (!s || !userId.success)
			return fail(404, { form: 'removeMember', message: 'This person is not in the season.' });
		try {
			const removed = removeMember(getDb(), s.id, userId.data, { userId: user.id });
			return { form: 'removeMember', message: `${removed.name} was removed from ${s.name}.` };
		} catch (e) {
			return failure('removeMember', e);
		}
	},

	invite: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const values = {
			name: text(form, 'name'),
			email: text(form, 'email'),
			teamId: text(form, 'teamId')
		};
		const s = seasonFrom(form);
		if (!s) return fail(404, { form: 'invite', message: 'Choose a season first.', values });
		const parsed = inviteSchema.safeParse(values);
		if (!parsed.success) {
			return fail(400, {
				form: 'invite',
				message: parsed.error.issues[0].message,
				field: String(parsed.error.issues[0].path[0]),
				values
			});
		}
		try {
			const outcome = inviteMember(getDb(), s.id, parsed.data, { userId: user.id });
			return { form: 'invite', outcome: linkOf(event, outcome) };
		} catch (e) {
			return failure('invite', e, { values });
		}
	},

	reinvite: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const s = seasonFrom(form);
		const userId = id.safeParse(form.get('userId'));
		const member =
			s && userId.success
				? teamsOverview(getDb(), s.id).members.find((m) => m.userId === userId.data)
				: undefined;
		if (!s || !member)
			return fail(404, { form: 'invite', message: 'This person is not in the season.' });
		if (member.joined)
			return fail(409, {
				form: 'invite',
				message: `${member.name} has already set a password: they sign in as usual.`
			});
		try {
			const outcome = inviteMember(
				getDb(),
				s.id,
				{ email: member.email, name: member.name, teamId: member.teamId },
				{ userId: user.id }
			);
			return { form: 'invite', outcome: linkOf(event, outcome) };
		} catch (e) {
			return failure('invite', e);
		}
	},

	import: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const pasted = text(form, 'csv');
		const s = seasonFrom(form);
		const refuse = (errors: CsvError[]) => fail(400, { form: 'import', pasted, errors });
		if (!s) return refuse([{ row: null, column: null, message: 'Choose a season first' }]);
		let csv = pasted;
		const file = form.get('file');
		if (file instanceof File && file.size > 0) {
			if (file.size > MAX_FILE_BYTES)
				return refuse([{ row: null, column: null, message: 'The file is larger than 512 KB' }]);
			csv = await file.text();
		}
		if (csv.trim() === '')
			return refuse([{ row: null, column: null, message: 'Choose a CSV file or paste its text' }]);
		const db = getDb();
		const parsed = parseMembersCsv(csv, {
			teams: teamsOverview(db, s.id).teams.map((t) => t.name)
		});
		if (parsed.errors.length > 0) return refuse(parsed.errors);
		try {
			const result = importMembers(db, s.id, parsed.rows, { userId: user.id });
			if (!result.ok) return refuse(result.errors);
			return { form: 'import', outcomes: result.outcomes.map((o) => linkOf(event, o)) };
		} catch (e) {
			if (e instanceof TeamsError) return refuse([{ row: null, column: null, message: e.message }]);
			throw e;
		}
	}
};
