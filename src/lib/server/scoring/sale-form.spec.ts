import { describe, expect, it } from 'vitest';
import { saleFormEcho, saleFormSchema, saleFormValues } from './sale-form';

const form = (fields: Record<string, string>) => {
	const data = new FormData();
	for (const [key, value] of Object.entries(fields)) data.append(key, value);
	return data;
};
const parse = (fields: Record<string, string>) =>
	saleFormSchema.safeParse(saleFormValues(form({ requestId: 'request-1234', ...fields })));

describe('the sell form', () => {
	it.each(['1', '7', '99', ' 12 ', '007'])('takes the quantity %j', (qty) => {
		const parsed = parse({ qty_CASE: qty });
		expect(parsed.success && parsed.data.lines).toEqual([
			{ sku: 'CASE', quantity: Number(qty.trim()) }
		]);
	});

	it.each(['0x10', '1e1', '2.5', '100', '100000', '-1', '+3', '1_0', 'Infinity', '３'])(
		'refuses the quantity %j with the one message',
		(qty) => {
			const parsed = parse({ qty_CASE: qty });
			expect(parsed.success).toBe(false);
			expect(parsed.error?.issues[0].message).toBe(
				'Quantities must be whole numbers from 1 to 99.'
			);
		}
	);

	it('skips empty and zero quantities, and wants at least one product', () => {
		const parsed = parse({ qty_CASE: '', qty_PHONE: '0' });
		expect(parsed.error?.issues[0].message).toBe('Pick at least one product');
	});

	it('echoes what was typed, to show the refused form again', () => {
		expect(
			saleFormEcho(form({ requestId: 'r-12345678', qty_CASE: '0x10', customerRef: 'K-7', x: 'y' }))
		).toEqual({ requestId: 'r-12345678', qty_CASE: '0x10', customerRef: 'K-7' });
	});
});
