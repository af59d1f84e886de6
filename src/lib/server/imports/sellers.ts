import { eq } from 'drizzle-orm';
import { read, type Store } from '../db/store';
import { normalizeEmail, normalizeEmployeeNumber } from '../people/users';
import { m } from '../../paraglide/messages.js';
import type { Locale } from './wording';

// Who a sales file's seller column names: an e-mail address, an employee number, or a full name
// (as CRMs export the record's owner). A name must be unique among the members of the live
// seasons: two people of that name is an error that names both, never a guess.

/** A person, or why the cell names nobody: a sentence for the seller's column, in the reader's language. */
export type SellerMatch =
	{ userId: number } | { error: (column: string, locale?: Locale) => string; code: string };

/** A full name compared without case, accents or repeated spaces. */
export const normalizeName = (name: string) =>
	name
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.replace(/ł/g, 'l')
		.replace(/Ł/g, 'L')
		.toLowerCase()
		.replace(/\s+/g, ' ')
		.trim();

interface Person {
	id: number;
	email: string;
	displayName: string;
}

/** Everyone a seller cell may name, read once per import (in one snapshot). */
export async function readSellerDirectory(store: Store): Promise<SellerDirectory> {
	const { season, seasonMember, user } = store.tables;
	return read(store, async (tx) => {
		const people = await tx
			.select({ id: user.id, email: user.email, number: user.employeeNumber })
			.from(user);
		// Members of the live seasons: the seasons a sale can count in (scoring's seasonOf).
		const members = await tx
			.selectDistinct({ id: user.id, email: user.email, displayName: user.displayName })
			.from(seasonMember)
			.innerJoin(user, eq(user.id, seasonMember.userId))
			.innerJoin(season, eq(season.id, seasonMember.seasonId))
			.where(eq(season.status, 'live'));
		return new SellerDirectory(people, members);
	});
}

/** How many cells SellerDirectory remembers the person of. */
const FOUND_KEPT = 100_000;

/** Who each seller cell may name: every person by address and number, live members by name. */
export class SellerDirectory {
	private byEmail = new Map<string, number>();
	private byNumber = new Map<string, number>();
	private byName = new Map<string, Person[]>();
	/**
	 * The people the cells found so far, by cell: an import asks for each row's seller twice (its
	 * window's new sellers, then the row's sale), and a file names the same people again and again.
	 */
	private found = new Map<string, { userId: number }>();

	constructor(people: { id: number; email: string; number: string | null }[], members: Person[]) {
		for (const p of people) {
			this.byEmail.set(normalizeEmail(p.email), p.id);
			if (p.number) this.byNumber.set(normalizeEmployeeNumber(p.number), p.id);
		}
		for (const m of members) {
			const key = normalizeName(m.displayName);
			const found = this.byName.get(key) ?? [];
			if (!found.some((p) => p.id === m.id)) found.push(m);
			this.byName.set(key, found);
		}
	}

	find(value: string): SellerMatch {
		let match: SellerMatch | undefined = this.found.get(value);
		if (match) return match;
		match = this.lookUp(value);
		// Bounded: a file of a million different cells must not keep them all.
		if ('userId' in match && this.found.size < FOUND_KEPT) this.found.set(value, match);
		return match;
	}

	private lookUp(value: string): SellerMatch {
		const text = value.trim();
		if (text.includes('@')) {
			const id = this.byEmail.get(normalizeEmail(text));
			return id === undefined
				? {
						code: 'unknown_seller',
						error: (column, locale) => m.import_seller_no_email({ column, email: text }, { locale })
					}
				: { userId: id };
		}
		const byNumber = this.byNumber.get(normalizeEmployeeNumber(text));
		if (byNumber !== undefined) return { userId: byNumber };
		const named = this.byName.get(normalizeName(text)) ?? [];
		if (named.length === 1) return { userId: named[0].id };
		if (named.length > 1)
			return {
				code: 'ambiguous_seller',
				error: (column, locale) =>
					m.import_seller_ambiguous(
						{
							count: named.length,
							column,
							text,
							people: named.map((p) => `${p.displayName} <${p.email}>`).join(', ')
						},
						{ locale }
					)
			};
		return {
			code: 'unknown_seller',
			error: (column, locale) => m.import_seller_no_name({ column, text }, { locale })
		};
	}
}
