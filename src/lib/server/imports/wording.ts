import { m } from '../../paraglide/messages.js';
import type { Locale } from '../../paraglide/runtime.js';
import type { DateOrder } from '../../imports/formats';

// What an import's report says about a row, in the language of the person who started it. An
// import may run after its request has ended (a job), so the locale is captured at upload and
// passed here, never read from the request. Every message is a whole sentence with the file's
// own column name in it.

export type { Locale };

const number = (n: number, locale: Locale | undefined) =>
	new Intl.NumberFormat(locale ?? 'en').format(n);

/** What a row's value is wrong with: a code and what its message needs. */
export type RowProblem =
	| { code: 'required' | 'not_whole' | 'too_small' | 'too_many_decimals' }
	| { code: 'too_long' | 'above_max' | 'too_large'; max: number }
	| { code: 'not_an_amount'; example: string }
	| { code: `date_${string}`; order: DateOrder | null };

export function rowMessage(problem: RowProblem, column: string, locale?: Locale): string {
	const o = { locale };
	switch (problem.code) {
		case 'required':
			return m.import_row_required({ column }, o);
		case 'not_whole':
			return m.import_row_not_whole({ column }, o);
		case 'too_small':
			return m.import_row_at_least_one({ column }, o);
		case 'too_many_decimals':
			return m.import_row_two_decimals({ column }, o);
		case 'too_long':
			return m.import_row_too_long({ count: problem.max, column, max: problem.max }, o);
		case 'above_max':
			return m.import_row_at_most({ column, max: number(problem.max, locale) }, o);
		case 'too_large':
			return m.import_row_too_large({ column, max: number(problem.max, locale) }, o);
		case 'not_an_amount':
			return m.import_row_not_amount({ column, example: problem.example }, o);
	}
	const order = 'order' in problem ? problem.order : null;
	switch (problem.code) {
		case 'date_needs_order':
			return m.import_date_needs_order({ column }, o);
		case 'date_not_year_first':
			return m.import_date_not_year_first({ column }, o);
		case 'date_not_real':
			return m.import_date_not_real({ column, order: order ?? 'YMD' }, o);
		case 'date_hour_outside_ampm':
			return m.import_date_hour_ampm({ column }, o);
		case 'date_no_such_time':
			return m.import_date_no_time({ column }, o);
		default:
			return m.import_date_not_a_date({ column }, o);
	}
}

/** A row with too many or too few values for the header. */
export function fieldCountMessage(
	expected: number,
	parsed: number,
	delimiter: string,
	locale?: Locale
): string {
	const input = { count: expected, parsed };
	const o = { locale };
	const semicolon = delimiter === ';';
	if (parsed < expected)
		return semicolon
			? m.import_row_too_few_fields_semicolon(input, o)
			: m.import_row_too_few_fields_comma(input, o);
	return semicolon
		? m.import_row_too_many_fields_semicolon(input, o)
		: m.import_row_too_many_fields_comma(input, o);
}

/** A record that could not be read (Papa's code), or null when Papa's own message is all there is. */
export function quoteMessage(code: string, locale?: Locale): string | null {
	if (code === 'MissingQuotes') return m.import_row_quote_missing({}, { locale });
	if (code === 'InvalidQuotes') return m.import_row_quote_misplaced({}, { locale });
	return null;
}
