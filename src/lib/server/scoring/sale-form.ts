import { z } from 'zod';
import { saleFields } from './sales';

// The "register a sale" form: its FormData as values, and the schema they must meet.

/** At most this many of one product per sale from the form (the stepper's range). */
export const FORM_MAX_QUANTITY = 99;

export const saleFormSchema = z.object({
	requestId: z.string().trim().min(8).max(100),
	customerRef: saleFields.customerRef.optional(),
	lines: z
		.array(
			z.object({ sku: saleFields.sku, quantity: z.number().int().min(1).max(FORM_MAX_QUANTITY) })
		)
		.min(1, 'Pick at least one product')
		.max(30)
});

/** Reads `qty_<SKU>` fields: number inputs work without JavaScript on any phone. */
function linesFrom(form: FormData) {
	const lines: { sku: string; quantity: number }[] = [];
	for (const [key, value] of form) {
		if (!key.startsWith('qty_') || typeof value !== 'string' || value.trim() === '') continue;
		const quantity = Number(value);
		if (quantity !== 0) lines.push({ sku: key.slice(4), quantity });
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
