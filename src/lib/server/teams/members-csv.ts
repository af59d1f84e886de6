import * as z from 'zod';
import { readTable, rowErrors, type CsvError } from '$lib/csv';
import { emailField, nameField } from './member-form';
import { employeeNumberProblem, normalizeEmployeeNumber } from '../people/users';
import { m } from '../../paraglide/messages.js';

// A season's members as a CSV file: `email,name,team[,employeeNumber]`, the team by its name in
// the season; the optional employee number (unique in the organisation) lets a sales file name
// the seller by it.
// Rows are numbered as a spreadsheet shows them: the header is row 1. Pure: what the database
// says about each person (already in another team, …) is checked by the import itself.

// Headers are matched without case: `employeeNumber`, `EmployeeNumber` and `employeenumber`.
const MEMBER_COLUMNS = ['email', 'name', 'team', 'employeenumber'] as const;
const REQUIRED_COLUMNS = ['email', 'name', 'team'] as const;

export const MAX_MEMBER_ROWS = 1000;

export interface MemberRow {
	row: number;
	/** Trimmed and lower-cased, as accounts store it. */
	email: string;
	name: string;
	/** The team's name as the season spells it. */
	team: string;
	/** Normalized (capitals); null when the file leaves it empty or has no such column. */
	employeeNumber?: string | null;
}

interface MembersCsvResult {
	rows: MemberRow[];
	errors: CsvError[];
}

const rowSchema = z.object({
	email: emailField({
		missing: m.teams_csv_email_required,
		tooLong: m.teams_csv_email_long,
		invalid: m.teams_csv_email_invalid
	}).transform((email) => email.toLowerCase()),
	name: nameField(m.teams_csv_name_required),
	team: z
		.string()
		.trim()
		.min(1, { error: () => m.teams_csv_team_required() }),
	employeenumber: z
		.string()
		.optional()
		.transform((value) => (value ? normalizeEmployeeNumber(value) : ''))
		.superRefine((value, ctx) => {
			const problem = value ? employeeNumberProblem(value) : null;
			if (problem) ctx.addIssue({ code: 'custom', message: problem });
		})
});

/**
 * Parses and validates a whole file against the season's team names (matched ignoring case).
 * `rows` is only filled when `errors` is empty: a file with any bad row imports nothing.
 */
export function parseMembersCsv(
	text: string,
	options: { teams: readonly string[] }
): MembersCsvResult {
	const table = readTable(text, {
		columns: MEMBER_COLUMNS,
		required: REQUIRED_COLUMNS,
		maxRows: MAX_MEMBER_ROWS,
		rowsAre: 'people',
		whenEmpty: m.teams_csv_empty()
	});
	const errors = table.errors;

	const teams = new Map(options.teams.map((name) => [name.trim().toLowerCase(), name]));
	const noTeam = (name: string) =>
		options.teams.length > 0
			? m.teams_csv_no_team({ team: name, teams: options.teams.join(', ') })
			: m.teams_csv_no_team_none({ team: name });
	const rows: MemberRow[] = [];
	const firstRowOf = new Map<string, number>();
	const numberRowOf = new Map<string, number>();
	for (const { row, cells } of table.rows) {
		const result = rowSchema.safeParse(cells);
		if (!result.success) {
			errors.push(...rowErrors(row, result.error.issues));
			continue;
		}
		const team = teams.get(result.data.team.toLowerCase());
		if (!team) {
			errors.push({
				row,
				column: 'team',
				message: noTeam(result.data.team)
			});
			continue;
		}
		const first = firstRowOf.get(result.data.email);
		if (first !== undefined) {
			errors.push({
				row,
				column: 'email',
				message: m.teams_csv_email_twice({ email: result.data.email, row: first })
			});
			continue;
		}
		const number = result.data.employeenumber || null;
		const numberRow = number ? numberRowOf.get(number) : undefined;
		if (number && numberRow !== undefined) {
			errors.push({
				row,
				column: 'employeenumber',
				message: m.teams_csv_number_twice({ number, row: numberRow })
			});
			continue;
		}
		firstRowOf.set(result.data.email, row);
		if (number) numberRowOf.set(number, row);
		rows.push({
			row,
			email: result.data.email,
			name: result.data.name,
			team,
			...(number ? { employeeNumber: number } : {})
		});
	}
	errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
	return { rows: errors.length === 0 ? rows : [], errors };
}
