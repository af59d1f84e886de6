import * as z from 'zod';
import { formText } from '../shared/form';
import { productFields } from './products';

// The product form: one product, price in main units, "active" as a checkbox.

const TEXT_KEYS = ['sku', 'name', 'category', 'points', 'price'] as const;

/** What the form sends, as typed: shown again when the form is refused. */
export type ProductFormValues = Record<(typeof TEXT_KEYS)[number], string> & { active: boolean };

export function productFormValues(form: FormData): ProductFormValues {
	return { ...formText(form, TEXT_KEYS), active: form.get('active') === 'on' };
}

export const productFormSchema = z.object({ ...productFields, active: z.boolean() });
