import { and, asc, eq, ne } from 'drizzle-orm';
import { write, type Store, type StoreDb } from '../db/store';
import { AppError, conflict } from '../shared/errors';
import type { Role } from '../../contest/types';
import { hashPassword } from '../auth/password';
import { NO_PASSWORD } from '../auth/links';
import { m } from '../../paraglide/messages.js';

export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

/** The account with this email (compared normalized), if any: sign-in and the CLI. */
export async function readUserByEmail(store: Store, email: string) {
	const { user: people } = store.tables;
	const [row] = await store.db
		.select()
		.from(people)
		.where(eq(people.email, normalizeEmail(email)));
	return row;
}

interface NewUser {
	email: string;
	displayName: string;
	role: Role;
	password: string;
}

/** Creates an account; an email in use already is refused (`email_taken`) and writes nothing. */
export async function createUser(store: Store, input: NewUser) {
	// Hashed before the write: a write awaits nothing but its transaction.
	const passwordHash = await hashPassword(input.password);
	const { user: people } = store.tables;
	const email = normalizeEmail(input.email);
	return write(store, async (tx) => {
		const [taken] = await tx.select({ id: people.id }).from(people).where(eq(people.email, email));
		if (taken) throw conflict('email_taken', `A user with email ${email} exists already`);
		const [row] = await tx
			.insert(people)
			.values({ email, displayName: input.displayName.trim(), role: input.role, passwordHash })
			.returning();
		return row;
	});
}

/** Creates the user, or updates name and role of an existing one (password left alone). */
export async function upsertUser(store: Store, input: NewUser) {
	const passwordHash = await hashPassword(input.password);
	const { user: people } = store.tables;
	const email = normalizeEmail(input.email);
	return write(store, async (tx) => {
		const [existing] = await tx
			.select({ id: people.id })
			.from(people)
			.where(eq(people.email, email));
		const values = { displayName: input.displayName.trim(), role: input.role };
		const [row] = existing
			? await tx.update(people).set(values).where(eq(people.id, existing.id)).returning()
			: await tx
					.insert(people)
					.values({ email, ...values, passwordHash })
					.returning();
		return row;
	});
}

/** The admins' names, for "ask an admin" on the sign-in page (names only: it is public). */
export async function adminNames(store: Store, limit = 3): Promise<string[]> {
	const { user: people } = store.tables;
	const rows = await store.db
		.select({ name: people.displayName })
		.from(people)
		.where(and(eq(people.role, 'admin'), ne(people.passwordHash, NO_PASSWORD)))
		.orderBy(asc(people.id))
		.limit(limit);
	return rows.map((u) => u.name);
}

/** A person's role and whether they have set a password (for the reset link on their page). */
export async function accountOf(store: Store, id: number) {
	const { user: people } = store.tables;
	const [row] = await store.db
		.select({ id: people.id, role: people.role, passwordHash: people.passwordHash })
		.from(people)
		.where(eq(people.id, id));
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

/** The person who has this employee number, if anyone (a write's `tx` or `store.db`). */
export async function personWithEmployeeNumberIn(db: StoreDb, store: Store, value: string) {
	const { user: people } = store.tables;
	const [row] = await db
		.select({ id: people.id, displayName: people.displayName, email: people.email })
		.from(people)
		.where(eq(people.employeeNumber, normalizeEmployeeNumber(value)));
	return row;
}

/**
 * Sets (or with '' clears) a person's employee number: unique in the organisation, so a sales
 * file's seller column can name them by it. Refuses a number someone else has, naming them.
 */
export function setEmployeeNumber(store: Store, userId: number, value: string) {
	return write(store, (tx) => setEmployeeNumberInWrite(tx, store, userId, value));
}

export async function employeeNumberOf(store: Store, userId: number): Promise<string | null> {
	const { user: people } = store.tables;
	const [row] = await store.db
		.select({ n: people.employeeNumber })
		.from(people)
		.where(eq(people.id, userId));
	return row?.n ?? null;
}
