// The employee number through the members file: imported (unique, a taken number refused
// naming its holder, nothing changed), and written back by the members download.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { importMembers, membersCsv } from '../../src/lib/server/teams/members';
import { sqliteStore } from '../../src/lib/server/db/store';
import { parseMembersCsv } from '../../src/lib/server/teams/members-csv';
import { employeeNumberOf, setEmployeeNumber } from '../../src/lib/server/people/users';

let a: ReturnType<typeof tempDb>;
beforeEach(() => (a = tempDb()));
afterEach(() => a.cleanup());

describe('employee numbers in the members file', () => {
	it('are imported, refused when taken, and downloaded', async () => {
		const c = await makeContest(a.db, { teams: 1, people: 2 });
		const team = c.teams[0].name;
		const [ann, ben] = c.people;
		await setEmployeeNumber(sqliteStore(a.db), ben.id, 'B-2');
		const parse = (text: string) => parseMembersCsv(text, { teams: [team] });

		const taken = parse(`email,name,team,employeeNumber\n${ann.email},Ann,${team},b-2`);
		expect(taken.errors).toEqual([]);
		const refused = await importMembers(sqliteStore(a.db), c.season.id, taken.rows, {});
		expect(refused).toMatchObject({
			ok: false,
			errors: [{ row: 2, column: 'employeeNumber' }]
		});
		expect(!refused.ok && refused.errors[0].message).toContain(ben.email);
		expect(await employeeNumberOf(sqliteStore(a.db), ann.id)).toBeNull();

		const good = parse(`email,name,team,EmployeeNumber\n${ann.email},Ann,${team}, a-1 `);
		expect(await importMembers(sqliteStore(a.db), c.season.id, good.rows, {})).toMatchObject({
			ok: true
		});
		expect(await employeeNumberOf(sqliteStore(a.db), ann.id)).toBe('A-1');
		expect((await membersCsv(sqliteStore(a.db), c.season.id)).split('\r\n')).toEqual(
			expect.arrayContaining([
				'email,name,team,employeeNumber',
				`${ann.email},${ann.displayName},${team},A-1`,
				`${ben.email},${ben.displayName},${team},B-2`
			])
		);
	});
});
