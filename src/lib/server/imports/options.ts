import * as z from 'zod';
import {
	IMPORT_FIELDS,
	MAPPABLE_FIELDS,
	guessMapping,
	type ColumnMapping,
	type MappableField
} from '../../imports/mapping';
import { DATE_ORDERS, DECIMAL_MARKS, ENCODINGS } from '../../imports/formats';
import { AppError } from '../shared/errors';

// How a file is to be read, chosen by the person (the import page's choices) or the
// integration (the API's query parameters): which column holds each field, the day/month order
// of its dates, its decimal mark and its encoding. Anything not chosen is found from the file.

/** `dateOrder`, `decimal` and `encoding`: empty or absent means "find it from the file". */
export const readingOptions = z.object({
	dateOrder: z
		.enum(DATE_ORDERS)
		.or(z.literal('').transform(() => undefined))
		.optional(),
	decimal: z
		.enum(DECIMAL_MARKS)
		.or(z.literal('').transform(() => undefined))
		.optional(),
	encoding: z
		.enum(ENCODINGS)
		.or(z.literal('').transform(() => undefined))
		.optional()
});
export type ReadingOptions = z.infer<typeof readingOptions>;

/** The `map.<field>=<header>` pairs of a query string or a form (unknown fields refused). */
export function chosenMapping(entries: Iterable<[string, unknown]>): ColumnMapping {
	const mapping: ColumnMapping = {};
	for (const [key, value] of entries) {
		if (!key.startsWith('map.')) continue;
		const field = key.slice(4) as MappableField;
		if (!MAPPABLE_FIELDS.includes(field))
			throw new AppError(
				400,
				'invalid_query',
				`${key} is not a field: map.<field> takes ${MAPPABLE_FIELDS.join(', ')}`
			);
		const column = String(value ?? '').trim();
		if (column) mapping[field] = column;
	}
	return mapping;
}

/**
 * The column of every field: the chosen ones, the rest guessed from the header. A field whose
 * column is not in the header (or none is found) answers 422 missing_columns: nothing is read.
 */
export function mappingOrRefuse(headers: string[], chosen: ColumnMapping): ColumnMapping {
	const guessed = guessMapping(headers.filter((h) => !Object.values(chosen).includes(h)));
	const mapping: ColumnMapping = { ...guessed, ...chosen };
	const missing = IMPORT_FIELDS.filter((f) => !mapping[f] || !headers.includes(mapping[f]!));
	if (missing.length > 0) {
		const named = missing.filter((f) => chosen[f]);
		throw new AppError(
			422,
			'missing_columns',
			`The header lacks ${missing.join(', ')}` +
				(named.length
					? ` (${named.map((f) => `map.${f}=${chosen[f]} is not a column`).join('; ')})`
					: '') +
				`: name the columns with map.<field>=<header>, e.g. map.occurredAt=Close Date`,
			{ details: { missing, header: headers } }
		);
	}
	return mapping;
}
