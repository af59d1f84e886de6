import { describe, expect, it } from 'vitest';
import type { CsvError } from '$lib/csv';
import { MAX_MEMBER_ROWS, parseMembersCsv, type MemberRow } from './members-csv';

const TEAMS = ['Falcons', 'Wolves', 'Orcas'];
const csv = (...lines: string[]) => lines.join('\n');
const parse = (text: string, teams: readonly string[] = TEAMS) => parseMembersCsv(text, { teams });

describe('parseMembersCsv: files that import', () => {
	const cases: { name: string; text: string; rows: MemberRow[] }[] = [
		{
			name: 'one person per line',
			text: csv(
				'email,name,team',
				'ana@example.com,Ana Silva,Falcons',
				'ben@example.com,Ben Okafor,Wolves'
			),
			rows: [
				{ row: 2, email: 'ana@example.com', name: 'Ana Silva', team: 'Falcons' },
				{ row: 3, email: 'ben@example.com', name: 'Ben Okafor', team: 'Wolves' }
			]
		},
		{
			name: 'an optional employee number, stored in capitals',
			text: csv(
				'email,name,team,employeeNumber',
				'ana@example.com,Ana Silva,Falcons, pl-0042 ',
				'ben@example.com,Ben Okafor,Wolves,'
			),
			rows: [
				{
					row: 2,
					email: 'ana@example.com',
					name: 'Ana Silva',
					team: 'Falcons',
					employeeNumber: 'PL-0042'
				},
				{ row: 3, email: 'ben@example.com', name: 'Ben Okafor', team: 'Wolves' }
			]
		},
		{
			name: 'header in any order, case and spacing',
			text: csv(' Team ,NAME,Email', 'Orcas,Ana Silva,ana@example.com'),
			rows: [{ row: 2, email: 'ana@example.com', name: 'Ana Silva', team: 'Orcas' }]
		},
		{
			name: 'team matched ignoring case, spelled as the season does',
			text: csv('email,name,team', 'ana@example.com,Ana Silva,  falcons '),
			rows: [{ row: 2, email: 'ana@example.com', name: 'Ana Silva', team: 'Falcons' }]
		},
		{
			name: 'email trimmed and lower-cased',
			text: csv('email,name,team', '  Ana.Silva@Example.COM ,Ana Silva,Falcons'),
			rows: [{ row: 2, email: 'ana.silva@example.com', name: 'Ana Silva', team: 'Falcons' }]
		},
		{
			name: 'semicolons, as European spreadsheets save them',
			text: csv('email;name;team', 'ana@example.com;Silva, Ana;Wolves'),
			rows: [{ row: 2, email: 'ana@example.com', name: 'Silva, Ana', team: 'Wolves' }]
		},
		{
			name: 'quoted name with a comma and quotes',
			text: csv('email,name,team', 'ana@example.com,"Ana ""Ace"" Silva, Jr.",Orcas'),
			rows: [{ row: 2, email: 'ana@example.com', name: 'Ana "Ace" Silva, Jr.', team: 'Orcas' }]
		},
		{
			name: 'BOM, CRLF, blank lines and trailing newline: rows keep their spreadsheet numbers',
			text:
				'\uFEFF' +
				[
					'email,name,team',
					'',
					'ana@example.com,Ana Silva,Falcons',
					',,',
					'ben@example.com,Ben,Wolves',
					''
				].join('\r\n'),
			rows: [
				{ row: 3, email: 'ana@example.com', name: 'Ana Silva', team: 'Falcons' },
				{ row: 5, email: 'ben@example.com', name: 'Ben', team: 'Wolves' }
			]
		},
		{
			name: 'non-ASCII names',
			text: csv(
				'email,name,team',
				'kasia@example.com,Kasia Wiśniewska,Falcons',
				'chloe@example.com,Chloé Martin,Orcas'
			),
			rows: [
				{ row: 2, email: 'kasia@example.com', name: 'Kasia Wiśniewska', team: 'Falcons' },
				{ row: 3, email: 'chloe@example.com', name: 'Chloé Martin', team: 'Orcas' }
			]
		}
	];
	it.each(cases)('$name', ({ text, rows }) => {
		expect(parse(text)).toEqual({ rows, errors: [] });
	});
});

describe('parseMembersCsv: files that import nothing', () => {
	const cases: { name: string; text: string; teams?: string[]; errors: CsvError[] }[] = [
		{
			name: 'empty file',
			text: ' \n ',
			errors: [{ row: null, column: null, message: 'The file is empty' }]
		},
		{
			name: 'header only',
			text: 'email,name,team\n',
			errors: [{ row: null, column: null, message: 'The file has a header but nobody in it' }]
		},
		{
			name: 'an employee number twice, or one that is an e-mail',
			text: csv(
				'email,name,team,employeeNumber',
				'ana@example.com,Ana,Falcons,10042',
				'ben@example.com,Ben,Wolves,10042',
				'cy@example.com,Cy,Orcas,cy@example.com'
			),
			errors: [
				{ row: 3, column: 'employeenumber', message: 'Employee number 10042 is already on row 2' },
				{
					row: 4,
					column: 'employeenumber',
					message: 'An employee number cannot hold "@" (that is an e-mail).'
				}
			]
		},
		{
			name: 'missing column',
			text: csv('email,name', 'ana@example.com,Ana'),
			errors: [{ row: 1, column: 'team', message: 'This column is missing from the header' }]
		},
		{
			name: 'unknown column (a typo)',
			text: csv('email,name,teem', 'ana@example.com,Ana,Falcons'),
			errors: [
				{
					row: 1,
					column: 'teem',
					message: 'Unknown column; expected email,name,team,employeenumber'
				},
				{ row: 1, column: 'team', message: 'This column is missing from the header' }
			]
		},
		{
			name: 'column twice',
			text: csv('email,name,team,email', 'a@example.com,A,Falcons,a@example.com'),
			errors: [{ row: 1, column: 'email', message: 'This column appears twice' }]
		},
		{
			name: 'empty column name',
			text: csv('email,,name,team', 'a@example.com,,A,Falcons'),
			errors: [{ row: 1, column: null, message: 'The header has an empty column name' }]
		},
		{
			name: 'not an email',
			text: csv('email,name,team', 'ana.example.com,Ana,Falcons'),
			errors: [{ row: 2, column: 'email', message: 'This is not an email address' }]
		},
		{
			name: 'email missing',
			text: csv('email,name,team', ',Ana,Falcons'),
			errors: [{ row: 2, column: 'email', message: 'Email is required' }]
		},
		{
			name: 'name and team missing: each reported',
			text: csv('email,name,team', 'ana@example.com,Ana,Falcons', 'ben@example.com, , '),
			errors: [
				{ row: 3, column: 'name', message: 'Name is required' },
				{ row: 3, column: 'team', message: 'Team is required' }
			]
		},
		{
			name: 'name too long',
			text: csv('email,name,team', `ana@example.com,${'A'.repeat(101)},Falcons`),
			errors: [{ row: 2, column: 'name', message: 'Keep the name under 100 characters' }]
		},
		{
			name: "unknown team names the season's teams",
			text: csv('email,name,team', 'ana@example.com,Ana,Eagles'),
			errors: [
				{
					row: 2,
					column: 'team',
					message: "No team named “Eagles”: the season's teams are Falcons, Wolves, Orcas"
				}
			]
		},
		{
			name: 'a season without teams',
			text: csv('email,name,team', 'ana@example.com,Ana,Falcons'),
			teams: [],
			errors: [
				{
					row: 2,
					column: 'team',
					message: 'No team named “Falcons”: the season has no teams yet: add them first'
				}
			]
		},
		{
			name: 'the same person twice (any case)',
			text: csv(
				'email,name,team',
				'ana@example.com,Ana,Falcons',
				'ben@example.com,Ben,Wolves',
				'ANA@example.com,Ana S,Orcas'
			),
			errors: [{ row: 4, column: 'email', message: 'ana@example.com is already on row 2' }]
		},
		{
			name: 'more values than columns',
			text: csv('email,name,team', 'ana@example.com,Silva, Ana,Falcons'),
			errors: [
				{
					row: 2,
					column: null,
					message:
						'This row has 4 values but the header has 3 columns (a comma inside a name needs "quotes")'
				}
			]
		},
		{
			name: 'an unclosed quote',
			text: csv('email,name,team', 'ana@example.com,"Ana,Falcons'),
			errors: [{ row: 2, column: null, message: 'A quoted value is never closed (a " is missing)' }]
		},
		{
			name: 'one bad row among good ones: nothing imports, all problems listed in row order',
			text: csv(
				'email,name,team',
				'ana@example.com,Ana,Falcons',
				'bad-email,Ben,Wolves',
				'cy@example.com,Cy,Pumas',
				'dee@example.com,Dee,Orcas'
			),
			errors: [
				{ row: 3, column: 'email', message: 'This is not an email address' },
				{
					row: 4,
					column: 'team',
					message: "No team named “Pumas”: the season's teams are Falcons, Wolves, Orcas"
				}
			]
		}
	];
	it.each(cases)('$name', ({ text, teams, errors }) => {
		expect(parse(text, teams)).toEqual({ rows: [], errors });
	});

	it(`refuses more than ${MAX_MEMBER_ROWS} people`, () => {
		const lines = Array.from(
			{ length: MAX_MEMBER_ROWS + 1 },
			(_, i) => `p${i}@example.com,P ${i},Falcons`
		);
		const result = parse(csv('email,name,team', ...lines));
		expect(result.rows).toEqual([]);
		expect(result.errors).toEqual([
			{
				row: MAX_MEMBER_ROWS + 2,
				column: null,
				message: `A file can hold at most ${MAX_MEMBER_ROWS} people`
			}
		]);
	});
});
