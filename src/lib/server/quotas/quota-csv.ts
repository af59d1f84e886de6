import { eq } from 'drizzle-orm';
import type { Store } from '../db/store';
import { readTable, writeCsv, type CsvError } from '../../csv';
import { MAX_TARGET, targetSchema } from './quota-form';
import { m } from '../../paraglide/messages.js';

// Quotas as a CSV file, one target per row: `email,team,target`. A row names a person of the
// season by e-mail or a team of the season by name (one of the two), and a whole number of
// points above zero. Rows are numbered as a spreadsheet shows them: the header is row 1. A
// file with any bad row imports nothing, and every problem is listed.

export const QUOTA_CSV_COLUMNS = ['email', 'team', 'target'] as const;
export const QUOTA_CSV_MAX_ROWS = 20_000;

export interface QuotaRow {
	subjectType: 'user' | 'team';
	subjectId: number;
	targetPoints: number;
}

export async function parseQuotaCsv(
	store: Store,
	seasonId: number,
	text: string
): Promise<{ quotas: QuotaRow[]; errors: CsvError[] }> {
	const { seasonMember, team, user } = store.tables;
	const table = readTable(text, {
		columns: QUOTA_CSV_COLUMNS,
		required: ['target'],
		maxRows: QUOTA_CSV_MAX_ROWS,
		rowsAre: 'quotas',
		whenEmpty: m.quotas_import_no_rows(),
		unescape: true
	});
	const errors = table.errors;
	const [memberRows, teamRows] = await Promise.all([
		store.db
			.select({ id: user.id, email: user.email })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.where(eq(seasonMember.seasonId, seasonId)),
		store.db.select({ id: team.id, name: team.name }).from(team).where(eq(team.seasonId, seasonId))
	]);
	const members = new Map(memberRows.map((u) => [u.email.toLowerCase(), u.id]));
	const teams = new Map(teamRows.map((t) => [t.name.toLowerCase(), t.id]));
	const seen = new Map<string, number>();
	const quotas: QuotaRow[] = [];
	for (const { row, cells } of table.rows) {
		const email = (cells.email ?? '').toLowerCase();
		const teamName = (cells.team ?? '').toLowerCase();
		const target = targetSchema.safeParse(cells.target ?? '');
		if (!target.success)
			errors.push({ row, column: 'target', message: m.quotas_error_target({ max: MAX_TARGET }) });
		let subject: { type: 'user' | 'team'; id: number } | null = null;
		if ((email === '') === (teamName === ''))
			errors.push({ row, column: null, message: m.quotas_import_one_subject() });
		else if (email !== '') {
			const id = members.get(email);
			if (id === undefined)
				errors.push({ row, column: 'email', message: m.quotas_import_unknown_person() });
			else subject = { type: 'user', id };
		} else {
			const id = teams.get(teamName);
			if (id === undefined)
				errors.push({ row, column: 'team', message: m.quotas_import_unknown_team() });
			else subject = { type: 'team', id };
		}
		if (!subject) continue;
		const key = `${subject.type}:${subject.id}`;
		const first = seen.get(key);
		if (first !== undefined) {
			errors.push({
				row,
				column: subject.type === 'user' ? 'email' : 'team',
				message: m.quotas_import_twice({ row: first })
			});
			continue;
		}
		seen.set(key, row);
		if (target.success)
			quotas.push({ subjectType: subject.type, subjectId: subject.id, targetPoints: target.data });
	}
	errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
	return { quotas: errors.length === 0 ? quotas : [], errors };
}

/** The downloadable example: two people and a team. */
export function exampleQuotaCsv(): string {
	return writeCsv(QUOTA_CSV_COLUMNS, [
		['rep1@demo.test', '', 1200],
		['rep2@demo.test', '', 800],
		['', 'North', 6000]
	]);
}
