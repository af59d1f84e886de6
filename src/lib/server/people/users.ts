import { and, asc, eq, ne } from 'drizzle-orm';
import type { Db } from '../db';
import { user } from '../db/schema';
import type { Role } from '../../contest/types';
import { hashPassword } from '../auth/password';
import { NO_PASSWORD } from '../auth/links';

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
