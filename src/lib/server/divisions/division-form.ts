import * as z from 'zod';
import { formText } from '../shared/form';
import type { SeasonPrize } from '../db/schema';
import { m } from '../../paraglide/messages.js';

// The console's division forms: a division (create or edit), automatic placement, a move by
// hand. Values ↔ FormData ↔ schema, as every *-form.ts.

export const DIVISION_LIMITS = { name: 40, divisions: 8, move: 1000, prizes: 5, prize: 80 };

const whole = (min: number, max: number, message: () => string) =>
	z
		.string()
		.trim()
		.regex(/^\d+$/, { error: message })
		.transform(Number)
		.refine((n) => n >= min && n <= max, { error: message });

const id = z
	.string()
	.trim()
	.regex(/^\d+$/, { error: () => m.divisions_error_unknown() })
	.transform(Number);

const DIVISION_KEYS = ['id', 'seasonId', 'name', 'promote', 'relegate', 'prizes'] as const;
export type DivisionFormValues = Record<(typeof DIVISION_KEYS)[number], string>;

export const divisionFormValues = (form: FormData): DivisionFormValues =>
	formText(form, DIVISION_KEYS);

/** One prize per line: line 1 is the division winner's, line 2 the runner-up's… */
const prizeLines = z
	.string()
	.transform((text) =>
		text
			.split(/\r?\n/)
			.map((line) => line.trim())
			.filter(Boolean)
	)
	.refine((lines) => lines.length <= DIVISION_LIMITS.prizes, {
		error: () => m.divisions_error_prizes({ max: DIVISION_LIMITS.prizes })
	})
	.refine((lines) => lines.every((l) => l.length <= DIVISION_LIMITS.prize), {
		error: () => m.divisions_error_prize_long({ max: DIVISION_LIMITS.prize })
	})
	.transform((lines): SeasonPrize[] => lines.map((title, i) => ({ title, place: i + 1 })));

export const divisionFormSchema = z.object({
	id: z
		.string()
		.trim()
		.transform((t) => (t === '' ? null : t))
		.pipe(z.union([z.null(), id])),
	seasonId: id,
	name: z
		.string()
		.trim()
		.min(1, { error: () => m.divisions_error_name() })
		.max(DIVISION_LIMITS.name, {
			error: () => m.divisions_error_name_long({ max: DIVISION_LIMITS.name })
		}),
	promote: whole(0, DIVISION_LIMITS.move, () => m.divisions_error_count()),
	relegate: whole(0, DIVISION_LIMITS.move, () => m.divisions_error_count()),
	prizes: prizeLines
});
export type DivisionInput = z.infer<typeof divisionFormSchema>;

export const placeFormSchema = z.object({
	seasonId: id,
	method: z.enum(['tier', 'last_place'], { error: () => m.divisions_error_method() })
});

export const moveFormSchema = z.object({
	seasonId: id,
	userId: id,
	/** Empty: out of every division. */
	divisionId: z
		.string()
		.trim()
		.transform((t) => (t === '' ? null : t))
		.pipe(z.union([z.null(), id]))
});

export const deleteFormSchema = z.object({ id });
