import { describe, expect, it } from 'vitest';
import type { ActionResult } from '@sveltejs/kit';
import {
	isNetworkFailure,
	newSaleKey,
	outcomeOf,
	saleBody,
	saleFromForm,
	salesOf,
	type QueuedSale
} from './sale-queue';

const names = new Map([
	['HP-1', 'Headphones'],
	['CB-2', 'Cable']
]);

function form(entries: [string, string][]) {
	const data = new FormData();
	for (const [key, value] of entries) data.append(key, value);
	return data;
}

describe('saleFromForm', () => {
	it('keeps the key, the picked products with their names and the customer reference', () => {
		const sale = saleFromForm(
			form([
				['requestId', 'key-123456'],
				['qty_HP-1', '2'],
				['qty_CB-2', ''],
				['qty_XX', '0'],
				['customerRef', ' Acme ']
			]),
			names,
			7,
			1000
		);
		expect(sale).toEqual({
			key: 'key-123456',
			userId: 7,
			at: 1000,
			lines: [{ sku: 'HP-1', name: 'Headphones', quantity: 2 }],
			customerRef: 'Acme'
		});
	});

	it.each([
		['no key', [['qty_HP-1', '1']]],
		['no product', [['requestId', 'key-123456']]],
		[
			'only quantities that are not whole numbers',
			[
				['requestId', 'key-123456'],
				['qty_HP-1', '1.5'],
				['qty_CB-2', '-1']
			]
		]
	] as [string, [string, string][]][])('is null with %s', (_name, entries) => {
		expect(saleFromForm(form(entries), names, 7, 1000)).toBeNull();
	});

	it('names an unknown product by its SKU', () => {
		const sale = saleFromForm(
			form([
				['requestId', 'key-123456'],
				['qty_NEW', '1']
			]),
			names,
			7,
			1
		);
		expect(sale?.lines).toEqual([{ sku: 'NEW', name: 'NEW', quantity: 1 }]);
	});
});

describe('saleBody', () => {
	it('posts the fields the /sell form action reads, with the same key every time', () => {
		const sale: QueuedSale = {
			key: 'key-123456',
			userId: 7,
			at: 1,
			lines: [
				{ sku: 'HP-1', name: 'Headphones', quantity: 2 },
				{ sku: 'CB-2', name: 'Cable', quantity: 1 }
			],
			customerRef: 'Acme'
		};
		const body = saleBody(sale).toString();
		expect(body).toBe('requestId=key-123456&qty_HP-1=2&qty_CB-2=1&customerRef=Acme');
		expect(saleBody(sale).toString()).toBe(body);
	});
});

describe('outcomeOf', () => {
	const sent = { success: true, points: 120, duplicate: false, rank: 3 };
	it.each<[string, ActionResult | undefined, string]>([
		['no answer (offline, dropped)', undefined, 'later'],
		['a counted sale', { type: 'success', status: 200, data: sent }, 'sent'],
		[
			'a sale counted before (sent twice)',
			{ type: 'success', status: 200, data: { ...sent, duplicate: true } },
			'sent'
		],
		[
			'a refusal of the sale',
			{ type: 'failure', status: 400, data: { message: 'The season is closed.' } },
			'refused'
		],
		['the same key with other products', { type: 'failure', status: 409, data: {} }, 'refused'],
		['a busy database', { type: 'failure', status: 503, data: { message: 'Try again' } }, 'later'],
		['too many requests', { type: 'failure', status: 429, data: {} }, 'later'],
		['a server error', { type: 'error', status: 500, error: new Error('x') }, 'later'],
		['an ended session', { type: 'redirect', status: 303, location: '/login' }, 'signed-out'],
		['another redirect', { type: 'redirect', status: 303, location: '/' }, 'later']
	])('%s → %s', (_name, result, kind) => {
		expect(outcomeOf(result).kind).toBe(kind);
	});

	it('gives the reason of a refusal and the result of a counted sale', () => {
		expect(
			outcomeOf({ type: 'failure', status: 400, data: { message: 'The season is closed.' } })
		).toEqual({ kind: 'refused', reason: 'The season is closed.' });
		expect(outcomeOf({ type: 'success', status: 200, data: sent })).toEqual({
			kind: 'sent',
			sale: sent
		});
	});
});

describe('salesOf', () => {
	it("lists one person's sales only, oldest first", () => {
		const sale = (key: string, userId: number, at: number): QueuedSale => ({
			key,
			userId,
			at,
			lines: [{ sku: 'HP-1', name: 'Headphones', quantity: 1 }]
		});
		const all = [sale('c', 1, 30), sale('a', 1, 10), sale('other', 2, 5), sale('b', 1, 20)];
		expect(salesOf(all, 1).map((s) => s.key)).toEqual(['a', 'b', 'c']);
		expect(salesOf(all, 3)).toEqual([]);
	});
});

describe('isNetworkFailure', () => {
	it.each<[string, ActionResult, boolean]>([
		['a fetch that threw', { type: 'error', error: new TypeError('Failed to fetch') }, true],
		['an error page answer', { type: 'error', status: 500, error: {} }, false],
		['a refusal', { type: 'failure', status: 400, data: {} }, false],
		['a success', { type: 'success', status: 200 }, false]
	])('%s → %s', (_name, result, expected) => {
		expect(isNetworkFailure(result)).toBe(expected);
	});
});

describe('newSaleKey', () => {
	it('is a version 4 UUID from the random bytes', () => {
		const key = newSaleKey((bytes) => bytes.fill(0xab));
		expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(newSaleKey((b) => crypto.getRandomValues(b))).not.toBe(
			newSaleKey((b) => crypto.getRandomValues(b))
		);
	});
});
