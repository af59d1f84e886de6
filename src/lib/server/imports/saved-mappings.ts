import { asc, eq } from 'drizzle-orm';
import * as z from 'zod';
import { write, type Store } from '../db/store';
import {
	IMPORT_FIELDS,
	MAPPABLE_FIELDS,
	headerKey,
	type ColumnMapping
} from '../../imports/mapping';
import type { ReadingOptions } from './options';
import { badRequest } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { m } from '../../paraglide/messages.js';

// Mappings the console remembers, one per set of headers: a CRM's export comes back with the
// same header every week, and maps itself with the name it was saved under.

export const MAPPING_NAME_MAX = 80;
const nameSchema = z
	.string()
	.trim()
	.min(1, 'Name the mapping, e.g. "Salesforce opportunities".')
	.max(MAPPING_NAME_MAX, `Keep the name under ${MAPPING_NAME_MAX} characters.`);

export interface SavedMapping {
	id: number;
	name: string;
	headerKey: string;
	mapping: ColumnMapping;
	dateOrder: ReadingOptions['dateOrder'] | null;
	decimal: ReadingOptions['decimal'] | null;
	encoding: ReadingOptions['encoding'] | null;
	updatedAt: number;
}

export async function listSavedMappings(store: Store): Promise<SavedMapping[]> {
	const { importMapping } = store.tables;
	return store.db.select().from(importMapping).orderBy(asc(importMapping.name));
}

/**
 * Remembers (or replaces) the mapping of a file with these headers, under a name. Every field's
 * column must be one of the headers.
 */
export async function saveMapping(
	store: Store,
	input: {
		name: string;
		headers: string[];
		mapping: ColumnMapping;
		reading: ReadingOptions;
		userId: number;
	},
	clock: Clock = systemClock
): Promise<SavedMapping> {
	const name = nameSchema.safeParse(input.name);
	if (!name.success)
		throw badRequest('invalid_name', name.error.issues[0].message, { field: 'mappingName' });
	for (const field of IMPORT_FIELDS) {
		const column = input.mapping[field];
		if (!column || !input.headers.includes(column))
			throw badRequest('invalid_mapping', m.import_form_choose_column({ field }));
	}
	const values = {
		name: name.data,
		headerKey: headerKey(input.headers),
		mapping: Object.fromEntries(
			MAPPABLE_FIELDS.filter((f) => input.mapping[f]).map((f) => [f, input.mapping[f]])
		) as ColumnMapping,
		dateOrder: input.reading.dateOrder ?? null,
		decimal: input.reading.decimal ?? null,
		encoding: input.reading.encoding ?? null,
		updatedById: input.userId,
		updatedAt: clock()
	};
	const { importMapping } = store.tables;
	// One statement: two nodes saving the same headers at once leave one mapping, the later one.
	return write(store, async (tx) => {
		const [saved] = await tx
			.insert(importMapping)
			.values(values)
			.onConflictDoUpdate({ target: importMapping.headerKey, set: values })
			.returning();
		return saved;
	});
}

/** Forgets a saved mapping; false when there was none (another node removed it first). */
export async function deleteMapping(store: Store, id: number): Promise<boolean> {
	const { importMapping } = store.tables;
	return write(store, async (tx) => {
		const gone = await tx
			.delete(importMapping)
			.where(eq(importMapping.id, id))
			.returning({ id: importMapping.id });
		return gone.length > 0;
	});
}
