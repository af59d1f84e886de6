import { z } from 'zod';
import { isBlankRecord, readCsv, type CsvError } from '$lib/server/shared/csv';
import { emailField, nameField } from './member-form';

// A season's members as a CSV file: `email,name,team`, the team by its name in the season.
// Rows are numbered as a spreadsheet shows them: the header is row 1. Pure: what the database
// says about each person (already in another team, …) is checked by the import itself.

const MEMBER_COLUMNS = ['email', 'name', 'team'] as const;
type Column = (typeof MEMBER_COLUMNS)[number];

export const MAX_MEMBER_ROWS = 1000;

export interface MemberRow {
	row: number;
	/** Trimmed and lower-cased, as accounts store it. */
	email: string;
	name: string;
	/** The team's name as the season spells it. */
	team: string;
}

interface MembersCsvResult {
	rows: MemberRow[];
	errors: CsvError[];
}

const rowSchema = z.object({
	email: emailField({
		missing: 'Email is required',
		tooLong: 'Email is too long',
		invalid: 'This is not an email address'
	}).transform((email) => email.toLowerCase()),
	name: nameField('Name is required'),
	team: z.string().trim().min(1, 'Team is required')
});

/**
 * Parses and validates a whole file against the season's team names (matched ignoring case).
 * `rows` is only filled when `errors` is empty: a file with any bad row imports nothing.
 */
export function parseMembersCsv(
	text: string,
	options: { teams: readonly string[] }
): MembersCsvResult {
	if (text.replace(/^\uFEFF/, '').trim() === '')
		return { rows: [], errors: [{ row: null, column: null, message: 'The file is empty' }] };
	const { records, errors } = readCsv(text);
	const unreadable = new Set(errors.map((e) => e.row));

	const header = (records[0] ?? []).map((cell) => cell.trim().toLowerCase());
	const seen = new Set<string>();
	for (const name of header) {
		if (name === '')
			errors.push({ row: 1, column: null, message: 'The header has an empty column name' });
		else if (!(MEMBER_COLUMNS as readonly string[]).includes(name)) {
			errors.push({
				row: 1,
				column: name,
				message: `Unknown column; expected ${MEMBER_COLUMNS.join(',')}`
			});
		} else if (seen.has(name))
			errors.push({ row: 1, column: name, message: 'This column appears twice' });
		seen.add(name);
	}
	for (const name of MEMBER_COLUMNS) {
		if (!seen.has(name))
			errors.push({ row: 1, column: name, message: 'This column is missing from the header' });
	}
	if (errors.some((e) => e.row === 1)) return { rows: [], errors };

	const teams = new Map(options.teams.map((name) => [name.trim().toLowerCase(), name]));
	const known =
		options.teams.length > 0
			? `the season's teams are ${options.teams.join(', ')}`
			: 'the season has no teams yet: add them first';
	const rows: MemberRow[] = [];
	const firstRowOf = new Map<string, number>();
	let dataRows = 0;
	for (let index = 1; index < records.length; index++) {
		const record = records[index];
		if (isBlankRecord(record)) continue;
		const row = index + 1;
		dataRows += 1;
		if (unreadable.has(row)) continue;
		if (dataRows > MAX_MEMBER_ROWS) {
			errors.push({
				row,
				column: null,
				message: `A file can hold at most ${MAX_MEMBER_ROWS} people`
			});
			break;
		}
		if (record.slice(header.length).some((cell) => cell.trim() !== '')) {
			errors.push({
				row,
				column: null,
				message: `This row has ${record.length} values but the header has ${header.length} columns (a comma inside a name needs "quotes")`
			});
			continue;
		}
		const cell = (name: Column) => (record[header.indexOf(name)] ?? '').trim();
		const result = rowSchema.safeParse({
			email: cell('email'),
			name: cell('name'),
			team: cell('team')
		});
		if (!result.success) {
			const reported = new Set<string>();
			for (const issue of result.error.issues) {
				const column = String(issue.path[0]);
				if (reported.has(column)) continue;
				reported.add(column);
				errors.push({ row, column, message: issue.message });
			}
			continue;
		}
		const team = teams.get(result.data.team.toLowerCase());
		if (!team) {
			errors.push({
				row,
				column: 'team',
				message: `No team named “${result.data.team}”: ${known}`
			});
			continue;
		}
		const first = firstRowOf.get(result.data.email);
		if (first !== undefined) {
			errors.push({
				row,
				column: 'email',
				message: `${result.data.email} is already on row ${first}`
			});
			continue;
		}
		firstRowOf.set(result.data.email, row);
		rows.push({ row, email: result.data.email, name: result.data.name, team });
	}
	if (dataRows === 0 && errors.length === 0)
		errors.push({ row: null, column: null, message: 'The file has a header but nobody in it' });
	errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
	return { rows: errors.length === 0 ? rows : [], errors };
}
