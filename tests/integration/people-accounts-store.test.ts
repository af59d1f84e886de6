// The people's accounts ported onto the store (#20, people/users.ts): creating and updating an
// account, finding it by email, the admins' names, a person's account and employee number, with
// the same assertions on a temp SQLite file and a throwaway PostgreSQL. "Two nodes" are two
// stores on one database: two SQLite connections to one file, two PostgreSQL pools.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Store } from '../../src/lib/server/db/store';
import {
	accountOf,
	adminNames,
	createUser,
	employeeNumberOf,
	readUserByEmail,
	setEmployeeNumber,
	upsertUser
} from '../../src/lib/server/people/users';
import { NO_PASSWORD } from '../../src/lib/server/auth/links';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode } from '../helpers/store-season';

const nodes = twoNodesPerDialect('people-accounts-store');
let serial = 0;
const newEmail = (what = 'person') => `${what}${++serial}@example.test`;
const PASSWORD = 'a-good-password';

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
	const node = (i: 0 | 1) => nodes[dialect][i];
	const rowsWithEmail = async (store: Store, email: string) => {
		const { user } = store.tables;
		return store.db.select().from(user).where(eq(user.email, email));
	};

	it('an account created on one node is found on the other by its email, as typed', async () => {
		const email = newEmail('ada');
		const created = await createUser(node(0), {
			email: `  ${email.toUpperCase()} `,
			displayName: ' Ada Admin ',
			role: 'admin',
			password: PASSWORD
		});
		expect(created).toMatchObject({ email, displayName: 'Ada Admin', role: 'admin' });
		expect(created.passwordHash).not.toContain(PASSWORD);
		expect(await readUserByEmail(node(1), email.toUpperCase())).toMatchObject({
			id: created.id
		});
		expect(await readUserByEmail(node(1), newEmail('nobody'))).toBeUndefined();
		expect(await accountOf(node(1), created.id)).toEqual({
			id: created.id,
			role: 'admin',
			hasPassword: true
		});
		expect(await accountOf(node(1), 999_999)).toBeUndefined();
	});

	it('the sign-in page names admins with a password only, the first three', async () => {
		const { user } = node(0).tables;
		await node(0)
			.db.insert(user)
			.values({
				email: newEmail('invited-admin'),
				displayName: 'Invited Admin',
				role: 'admin',
				passwordHash: NO_PASSWORD
			});
		for (const name of ['Bo', 'Cy', 'Di', 'Ed'])
			await createUser(node(0), {
				email: newEmail(),
				displayName: name,
				role: 'admin',
				password: PASSWORD
			});
		const names = await adminNames(node(1));
		expect(names).toHaveLength(3);
		expect(names).not.toContain('Invited Admin');
		expect(await adminNames(node(1), 10)).toEqual(expect.arrayContaining(['Bo', 'Cy', 'Di', 'Ed']));
	});

	it('one email created on both nodes at once makes one account; the other is refused', async () => {
		const email = newEmail('twice');
		const input = { email, displayName: 'Twice', role: 'participant' as const, password: PASSWORD };
		const results = await Promise.allSettled([
			createUser(node(0), input),
			createUser(node(1), input)
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		expect(await rowsWithEmail(node(0), email)).toHaveLength(1);
		expect(await appErrorCode(() => createUser(node(1), input))).toBe('email_taken');
		expect(await rowsWithEmail(node(1), email)).toHaveLength(1);
	});

	it('upsertUser changes the name and role of an account and leaves its password', async () => {
		const email = newEmail('rep');
		const first = await upsertUser(node(0), {
			email,
			displayName: 'Rep',
			role: 'participant',
			password: PASSWORD
		});
		const again = await upsertUser(node(1), {
			email,
			displayName: 'Rep Lead',
			role: 'manager',
			password: 'another-password'
		});
		expect(again).toMatchObject({ id: first.id, displayName: 'Rep Lead', role: 'manager' });
		expect(again.passwordHash).toBe(first.passwordHash);
	});

	it('an employee number set on one node is read on the other; a taken or bad one changes nothing', async () => {
		const ann = await createUser(node(0), {
			email: newEmail(),
			displayName: 'Ann',
			role: 'participant',
			password: PASSWORD
		});
		const ben = await createUser(node(0), {
			email: newEmail(),
			displayName: 'Ben',
			role: 'participant',
			password: PASSWORD
		});
		const number = `E-${serial}`;
		expect(await setEmployeeNumber(node(0), ann.id, ` ${number.toLowerCase()} `)).toBe(number);
		expect(await employeeNumberOf(node(1), ann.id)).toBe(number);
		expect(await appErrorCode(() => setEmployeeNumber(node(1), ben.id, number))).toBe(
			'employee_number_taken'
		);
		expect(await appErrorCode(() => setEmployeeNumber(node(1), ben.id, 'x@y'))).toBe(
			'invalid_employee_number'
		);
		expect(await employeeNumberOf(node(0), ben.id)).toBeNull();
		expect(await setEmployeeNumber(node(1), ann.id, '')).toBeNull();
		expect(await employeeNumberOf(node(0), ann.id)).toBeNull();

		// One free number given to two people on two nodes at once: one holds it.
		const free = `F-${serial}`;
		const results = await Promise.allSettled([
			setEmployeeNumber(node(0), ann.id, free),
			setEmployeeNumber(node(1), ben.id, free)
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const held = [await employeeNumberOf(node(0), ann.id), await employeeNumberOf(node(0), ben.id)];
		expect(held.filter((n) => n === free)).toHaveLength(1);
	});
});
