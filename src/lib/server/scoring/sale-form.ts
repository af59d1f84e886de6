import * as z from 'zod';
import { m } from '../../paraglide/messages.js';
import { saleFields, WHOLE_NUMBER } from './sales';

// The "register a sale" form: its FormData as values, and the schema they must meet.

/** At most this many of one product per sale from the form (the stepper's range). */
export const FORM_MAX_QUANTITY = 99;

// Worded when a form is checked, in the language of the person who sent it.
const QUANTITY_MESSAGE = { error: () => m.sell_quantities_invalid({ max: FORM_MAX_QUANTITY }) };

/**
 * One product's quantity as typed: decimal digits only (Number() would read "0x10" as 16 and
 * "1e1" as 10), from 1 to FORM_MAX_QUANTITY.
 */
const quantityText = z
	.string()
	.trim()
	.regex(WHOLE_NUMBER, QUANTITY_MESSAGE)
	.transform(Number)
	.pipe(z.number().int().min(1, QUANTITY_MESSAGE).max(FORM_MAX_QUANTITY, QUANTITY_MESSAGE));

export const saleFormSchema = z.object({
	requestId: z.string().trim().min(8).max(100),
	customerRef: saleFields.customerRef.optional(),
	lines: z
		.array(z.object({ sku: saleFields.sku, quantity: quantityText }))
		.min(1, { error: () => m.sell_pick_at_least_one() })
		.max(30)
});

/**
 * Reads `qty_<SKU>` fields as typed: number inputs work without JavaScript on any phone. An empty
 * field or a plain 0 means "none of this one"; anything else is checked by saleFormSchema.
 */
function linesFrom(form: FormData) {
	const lines: { sku: string; quantity: string }[] = [];
	for (const [key, value] of form) {
		if (!key.startsWith('qty_') || typeof value !== 'string') continue;
		const quantity = value.trim();
		if (quantity === '' || /^0+$/.test(quantity)) continue;
		lines.push({ sku: key.slice(4), quantity });
	}
	return lines;
}

/** The form's values, in the shape saleFormSchema checks. */
export function saleFormValues(form: FormData) {
	return {
		requestId: form.get('requestId'),
		customerRef: String(form.get('customerRef') ?? '') || undefined,
		lines: linesFrom(form)
	};
}

/** What was typed, to show the refused form again: the quantities and the customer reference. */
export function saleFormEcho(form: FormData): Record<string, string> {
	const values: Record<string, string> = {};
	for (const [key, value] of form) {
		if (typeof value !== 'string') continue;
		if (key.startsWith('qty_') || key === 'customerRef' || key === 'requestId')
			values[key] = value.slice(0, 200);
	}
	return values;
}
