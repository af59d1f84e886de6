import { and, asc, eq, ne } from 'drizzle-orm';
import type { Db, Queryable } from '../db';
import type { Store, StoreDb } from '../db/store';
import { AppError, conflict } from '../shared/errors';
import { user } from '../db/schema';
import type { Role } from '../../contest/types';
import { hashPassword } from '../auth/password';
import { NO_PASSWORD } from '../auth/links';
import { m } from '../../paraglide/messages.js';

export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

export function findUserByEmail(db: Db, email: string) {
	return db
		.select()
		.from(user)
		.where(eq(user.email, normalizeEmail(email)))
		.get();
}

interface NewUser {
	email: string;
	displayName: string;
	role: Role;
	password: string;
}

export async function createUser(db: Db, input: NewUser) {
	const passwordHash = await hashPassword(input.password);
	return db
		.insert(user)
		.values({
			email: normalizeEmail(input.email),
			displayName: input.displayName.trim(),
			role: input.role,
			passwordHash
		})
		.returning()
		.get();
}

/** Creates the user, or updates name and role of an existing one (password left alone). */
export async function upsertUser(db: Db, input: NewUser) {
	const existing = findUserByEmail(db, input.email);
	if (!existing) return createUser(db, input);
	return db
		.update(user)
		.set({ displayName: input.displayName.trim(), role: input.role })
		.where(eq(user.id, existing.id))
		.returning()
		.get();
}

/** The admins' names, for "ask an admin" on the sign-in page (names only: it is public). */
export function adminNames(db: Db, limit = 3): string[] {
	return db
		.select({ name: user.displayName })
		.from(user)
		.where(and(eq(user.role, 'admin'), ne(user.passwordHash, NO_PASSWORD)))
		.orderBy(asc(user.id))
		.limit(limit)
		.all()
		.map((u) => u.name);
}

/** A person's role and whether they have set a password (for the reset link on their page). */
export function accountOf(db: Db, id: number) {
	const row = db
		.select({ id: user.id, role: user.role, passwordHash: user.passwordHash })
		.from(user)
		.where(eq(user.id, id))
		.get();
	return row && { id: row.id, role: row.role, hasPassword: row.passwordHash !== NO_PASSWORD };
}

// ---------------------------------------------------------------- employee numbers

/** The organisation's number for a person (payroll, HR), compared and stored in capitals. */
export const normalizeEmployeeNumber = (value: string) => value.trim().toUpperCase();

export const EMPLOYEE_NUMBER_MAX = 40;

/** Why an employee number cannot be used (null: it can), before it is stored. */
export function employeeNumberProblem(value: string): string | null {
	const number = normalizeEmployeeNumber(value);
	if (number.length > EMPLOYEE_NUMBER_MAX)
		return m.teams_error_number_long({ max: EMPLOYEE_NUMBER_MAX });
	if (number.includes('@')) return m.teams_error_number_at();
	if (/[\p{C}]/u.test(number)) return m.teams_error_number_control();
	return null;
}

/** The person who has this employee number, if anyone. */
export function personWithEmployeeNumber(db: Queryable, value: string) {
	return db
		.select({ id: user.id, displayName: user.displayName, email: user.email })
		.from(user)
		.where(eq(user.employeeNumber, normalizeEmployeeNumber(value)))
		.get();
}

/**
 * Sets (or with '' clears) a person's employee number: unique in the organisation, so a sales
 * file's seller column can name them by it. Refuses a number someone else has, naming them.
 */
export function setEmployeeNumber(db: Queryable, userId: number, value: string): string | null {
	const number = normalizeEmployeeNumber(value);
	if (number === '') {
		db.update(user).set({ employeeNumber: null }).where(eq(user.id, userId)).run();
		return null;
	}
	const problem = employeeNumberProblem(number);
	if (problem)
		throw new AppError(400, 'invalid_employee_number', problem, { field: 'employeeNumber' });
	const holder = personWithEmployeeNumber(db, number);
	if (holder && holder.id !== userId)
		throw conflict(
			'employee_number_taken',
			m.teams_error_number_taken({ name: holder.displayName, email: holder.email, number }),
			{ field: 'employeeNumber' }
		);
	db.update(user).set({ employeeNumber: number }).where(eq(user.id, userId)).run();
	return number;
}

/** `personWithEmployeeNumber` through the store (a write's `tx` or `store.db`). */
export async function personWithEmployeeNumberIn(db: StoreDb, store: Store, value: string) {
	const { user: people } = store.tables;
	const [row] = await db
		.select({ id: people.id, displayName: people.displayName, email: people.email })
		.from(people)
		.where(eq(people.employeeNumber, normalizeEmployeeNumber(value)));
	return row;
}

/** `setEmployeeNumber` inside a store's write (teams/members.ts, importing the members file). */
export async function setEmployeeNumberInWrite(
	tx: StoreDb,
	store: Store,
	userId: number,
	value: string
): Promise<string | null> {
	const { user: people } = store.tables;
	const number = normalizeEmployeeNumber(value);
	if (number === '') {
		await tx.update(people).set({ employeeNumber: null }).where(eq(people.id, userId));
		return null;
	}
	const problem = employeeNumberProblem(number);
	if (problem)
		throw new AppError(400, 'invalid_employee_number', problem, { field: 'employeeNumber' });
	const holder = await personWithEmployeeNumberIn(tx, store, number);
	if (holder && holder.id !== userId)
		throw conflict(
			'employee_number_taken',
			m.teams_error_number_taken({ name: holder.displayName, email: holder.email, number }),
			{ field: 'employeeNumber' }
		);
	await tx.update(people).set({ employeeNumber: number }).where(eq(people.id, userId));
	return number;
}

export function employeeNumberOf(db: Queryable, userId: number): string | null {
	return (
		db.select({ n: user.employeeNumber }).from(user).where(eq(user.id, userId)).get()?.n ?? null
	);
}
