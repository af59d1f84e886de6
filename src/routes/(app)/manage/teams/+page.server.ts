import * as z from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import { listConsoleSeasons, readSeason } from '$lib/server/seasons/queries';
import { parseForm, refuse, refuseError } from '$lib/server/shared/form';
import type { CsvError } from '$lib/csv';
import { AppError } from '$lib/server/shared/errors';
import { teamsOverview } from '$lib/server/teams/queries';
import { addTeam, deleteTeam, updateTeam } from '$lib/server/teams/commands';
import {
	importMembers,
	inviteMember,
	moveMember,
	removeMember,
	type Outcome
} from '$lib/server/teams/members';
import { teamSchema, teamValues } from '$lib/server/teams/team-form';
import { inviteSchema, inviteValues } from '$lib/server/teams/member-form';
import { parseMembersCsv } from '$lib/server/teams/members-csv';
import { m } from '$lib/paraglide/messages.js';

const MAX_FILE_BYTES = 512 * 1024;

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const seasons = await listConsoleSeasons(getStore());
	const asked = Number(event.url.searchParams.get('season'));
	const live = await consoleSeason();
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
		...(chosen ? await teamsOverview(getStore(), chosen.id) : { teams: [], members: [] })
	};
};

const id = z.coerce.number().int().positive();

/** The season a console form is about (a hidden field: the query string does not reach actions). */
async function seasonFrom(form: FormData) {
	const parsed = id.safeParse(form.get('seasonId'));
	return parsed.success ? readSeason(getStore(), parsed.data) : undefined;
}

/** The invitation link is shown once, in the answer to the manager who created it. */
const linkOf = (event: RequestEvent, o: Outcome) => ({
	kind: o.kind,
	name: o.name,
	email: o.email,
	team: o.team,
	link: o.kind === 'invited' ? `${event.url.origin}/invite/${o.token}` : null
});

/**
 * A file that imports nothing: the one failure payload, with the file's problems row by row
 * for the report (and the pasted text, to show again).
 */
function refuseFile(csv: string, problems: CsvError[]) {
	return refuse(400, 'import', m.teams_import_failed(), {
		values: { csv },
		problems
	});
}

export const actions: Actions = {
	addTeam: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const values = teamValues(form);
		const s = await seasonFrom(form);
		if (!s) return refuse(404, 'addTeam', m.teams_choose_season(), { values });
		const parsed = parseForm(teamSchema, values, 'addTeam', values);
		if (!parsed.ok) return parsed.failure;
		try {
			const row = await addTeam(getStore(), s.id, parsed.data, { userId: user.id });
			return { action: 'addTeam', message: m.teams_added({ emoji: row.emoji, name: row.name }) };
		} catch (e) {
			return refuseError(e, 'addTeam', values);
		}
	},

	updateTeam: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const teamId = id.safeParse(form.get('teamId'));
		const values = teamValues(form);
		const s = await seasonFrom(form);
		if (!s || !teamId.success) return refuse(404, 'updateTeam', m.teams_gone(), { values });
		const parsed = parseForm(teamSchema, values, 'updateTeam', values);
		if (!parsed.ok) return parsed.failure;
		try {
			const row = await updateTeam(getStore(), s.id, teamId.data, parsed.data, { userId: user.id });
			return { action: 'updateTeam', message: m.teams_saved({ name: row.name }) };
		} catch (e) {
			return refuseError(e, 'updateTeam', values);
		}
	},

	deleteTeam: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const teamId = id.safeParse(form.get('teamId'));
		const s = await seasonFrom(form);
		if (!s || !teamId.success) return refuse(404, 'deleteTeam', m.teams_gone());
		try {
			const row = await deleteTeam(getStore(), s.id, teamId.data, { userId: user.id });
			return { action: 'deleteTeam', message: m.teams_deleted({ name: row.name }) };
		} catch (e) {
			return refuseError(e, 'deleteTeam');
		}
	},

	moveMember: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const userId = id.safeParse(form.get('userId'));
		const teamId = id.safeParse(form.get('teamId'));
		const s = await seasonFrom(form);
		if (!s || !userId.success || !teamId.success)
			return refuse(400, 'moveMember', m.teams_choose_move());
		try {
			const result = await moveMember(getStore(), s.id, userId.data, teamId.data, {
				userId: user.id
			});
			return {
				action: 'moveMember',
				message: result.moved
					? m.teams_moved({ team: result.team })
					: m.teams_already_in({ team: result.team })
			};
		} catch (e) {
			return refuseError(e, 'moveMember');
		}
	},

	removeMember: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const userId = id.safeParse(form.get('userId'));
		const s = await seasonFrom(form);
		if (!s || !userId.success) return refuse(404, 'removeMember', m.teams_person_not_in_season());
		try {
			const removed = await removeMember(getStore(), s.id, userId.data, { userId: user.id });
			return {
				action: 'removeMember',
				message: m.teams_removed({ name: removed.name, season: s.name })
			};
		} catch (e) {
			return refuseError(e, 'removeMember');
		}
	},

	invite: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const values = inviteValues(form);
		const s = await seasonFrom(form);
		if (!s) return refuse(404, 'invite', m.teams_choose_season(), { values });
		const parsed = parseForm(inviteSchema, values, 'invite', values);
		if (!parsed.ok) return parsed.failure;
		try {
			const outcome = await inviteMember(getStore(), s.id, parsed.data, { userId: user.id });
			return { action: 'invite', outcome: linkOf(event, outcome) };
		} catch (e) {
			return refuseError(e, 'invite', values);
		}
	},

	reinvite: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const s = await seasonFrom(form);
		const userId = id.safeParse(form.get('userId'));
		const member =
			s && userId.success
				? (await teamsOverview(getStore(), s.id)).members.find((row) => row.userId === userId.data)
				: undefined;
		if (!s || !member) return refuse(404, 'invite', m.teams_person_not_in_season());
		if (member.joined) return refuse(409, 'invite', m.teams_already_joined({ name: member.name }));
		try {
			const outcome = await inviteMember(
				getStore(),
				s.id,
				{ email: member.email, name: member.name, teamId: member.teamId },
				{ userId: user.id }
			);
			return { action: 'invite', outcome: linkOf(event, outcome) };
		} catch (e) {
			return refuseError(e, 'invite');
		}
	},

	import: async (event) => {
		const user = requireRole(event, MANAGERS);
		const form = await event.request.formData();
		const pasted = String(form.get('csv') ?? '');
		const s = await seasonFrom(form);
		const whole = (message: string) => refuseFile(pasted, [{ row: null, column: null, message }]);
		if (!s) return whole(m.teams_choose_season());
		let csv = pasted;
		const file = form.get('file');
		if (file instanceof File && file.size > 0) {
			if (file.size > MAX_FILE_BYTES) return whole(m.teams_file_too_big());
			csv = await file.text();
		}
		if (csv.trim() === '') return whole(m.teams_no_csv());
		const parsed = parseMembersCsv(csv, {
			teams: (await teamsOverview(getStore(), s.id)).teams.map((t) => t.name)
		});
		if (parsed.errors.length > 0) return refuseFile(pasted, parsed.errors);
		try {
			const result = await importMembers(getStore(), s.id, parsed.rows, { userId: user.id });
			if (!result.ok) return refuseFile(pasted, result.errors);
			return { action: 'import', outcomes: result.outcomes.map((o) => linkOf(event, o)) };
		} catch (e) {
			if (e instanceof AppError) return whole(e.message);
			throw e;
		}
	}
};
