import { describe, expect, it } from 'vitest';
import { createSaleSchema, leaderboardQuerySchema } from './schemas';
import { saleFormSchema } from '../scoring/sale-form';

const valid = {
	externalId: 'crm-1',
	seller: { email: 'rep1@demo.test' },
	occurredAt: '2026-11-20T10:00:00Z',
	lines: [{ sku: 'PH-PRO', quantity: 1, unitPrice: 1099 }]
};

describe('createSaleSchema', () => {
	it('accepts a valid sale, with an offset time or a customer reference', () => {
		expect(createSaleSchema.safeParse(valid).success).toBe(true);
		expect(
			createSaleSchema.safeParse({
				...valid,
				occurredAt: '2026-11-20T11:00:00+01:00',
				customerRef: 'A1'
			}).success
		).toBe(true);
	});

	it.each([
		{ title: 'missing externalId', body: { ...valid, externalId: undefined }, path: 'externalId' },
		{ title: 'blank externalId', body: { ...valid, externalId: '  ' }, path: 'externalId' },
		{ title: 'bad email', body: { ...valid, seller: { email: 'nope' } }, path: 'seller.email' },
		{
			title: 'date without time',
			body: { ...valid, occurredAt: '2026-11-20' },
			path: 'occurredAt'
		},
		{ title: 'not a date', body: { ...valid, occurredAt: 'yesterday' }, path: 'occurredAt' },
		{ title: 'no lines', body: { ...valid, lines: [] }, path: 'lines' },
		{
			title: 'zero quantity',
			body: { ...valid, lines: [{ ...valid.lines[0], quantity: 0 }] },
			path: 'lines.0.quantity'
		},
		{
			title: 'fractional quantity',
			body: { ...valid, lines: [{ ...valid.lines[0], quantity: 1.5 }] },
			path: 'lines.0.quantity'
		},
		{
			title: 'negative price',
			body: { ...valid, lines: [{ ...valid.lines[0], unitPrice: -1 }] },
			path: 'lines.0.unitPrice'
		},
		{
			title: 'price as string',
			body: { ...valid, lines: [{ ...valid.lines[0], unitPrice: '10' }] },
			path: 'lines.0.unitPrice'
		},
		{ title: 'body not an object', body: 'sale', path: '' }
	])('rejects $title', ({ body, path }) => {
		const result = createSaleSchema.safeParse(body);
		expect(result.success).toBe(false);
		expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
	});
});

describe('leaderboardQuerySchema', () => {
	it.each([
		{ query: {}, parsed: { scope: 'individual', limit: 100 } },
		{ query: { scope: 'team', limit: '5' }, parsed: { scope: 'team', limit: 5 } }
	])('parses $query', ({ query, parsed }) => {
		expect(leaderboardQuerySchema.parse(query)).toEqual(parsed);
	});

	it.each([{ scope: 'everyone' }, { limit: '0' }, { limit: 'ten' }, { limit: '5000' }])(
		'rejects %o',
		(query) => {
			expect(leaderboardQuerySchema.safeParse(query).success).toBe(false);
		}
	);
});

describe('saleFormSchema', () => {
	it('needs a product', () => {
		const result = saleFormSchema.safeParse({ requestId: 'abcdefgh-1', lines: [] });
		expect(result.error?.issues[0].message).toBe('Pick at least one product');
	});

	it.each([-1, 0, 100, 2.5, Number.NaN])('rejects quantity %s', (quantity) => {
		expect(
			saleFormSchema.safeParse({ requestId: 'abcdefgh-1', lines: [{ sku: 'A', quantity }] }).success
		).toBe(false);
	});
});
