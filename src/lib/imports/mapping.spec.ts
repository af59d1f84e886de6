import { describe, expect, it } from 'vitest';
import { guessMapping } from './mapping';

describe('guessMapping', () => {
	it.each([
		{
			headers: ['externalId', 'sellerEmail', 'occurredAt', 'sku', 'quantity', 'unitPrice'],
			sku: 'sku',
			email: 'sellerEmail'
		},
		{ headers: ['Order', 'Email', 'When', 'Item', 'Qty', 'Price'], sku: 'Item', email: 'Email' },
		{
			headers: ['ORDER ID', 'E-mail', 'Date', 'Product code', 'Units', 'Unit price'],
			sku: 'Product code',
			email: 'E-mail'
		},
		{ headers: ['a', 'b'], sku: undefined, email: undefined }
	])('maps $headers', ({ headers, sku, email }) => {
		const mapping = guessMapping(headers);
		expect(mapping.sku).toBe(sku);
		expect(mapping.sellerEmail).toBe(email);
		expect(new Set(Object.values(mapping)).size).toBe(Object.values(mapping).length);
	});
});
