// Which CSV column feeds which import field: shared by the page (to preselect the mapping from
// the header) and the form action (the same guess when a form comes without one).

export const FIELDS = [
	'externalId',
	'sellerEmail',
	'occurredAt',
	'sku',
	'quantity',
	'unitPrice'
] as const;
export type Field = (typeof FIELDS)[number];

export const FIELD_HELP: Record<Field, string> = {
	externalId: 'Order or sale id; lines with the same id form one sale',
	sellerEmail: "Seller's email address",
	occurredAt: 'Date and time of the sale, with a zone',
	sku: 'Product SKU',
	quantity: 'Units sold',
	unitPrice: 'Price of one unit, e.g. 1099.00'
};

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

// Header names seen in CRM and spreadsheet exports, normalized (lower case, letters and digits).
const ALIASES: Record<Field, string[]> = {
	externalId: [
		'externalid',
		'id',
		'order',
		'orderid',
		'orderno',
		'ordernumber',
		'saleid',
		'sale',
		'reference',
		'ref',
		'invoice',
		'invoiceid',
		'deal',
		'dealid',
		'transaction',
		'transactionid'
	],
	sellerEmail: [
		'selleremail',
		'email',
		'emailaddress',
		'seller',
		'rep',
		'repemail',
		'salesperson',
		'salesrep',
		'user',
		'useremail'
	],
	occurredAt: [
		'occurredat',
		'date',
		'datetime',
		'when',
		'time',
		'timestamp',
		'soldat',
		'saledate',
		'orderdate',
		'occurred',
		'createdat'
	],
	sku: ['sku', 'item', 'itemcode', 'product', 'productcode', 'productsku', 'article', 'code'],
	quantity: ['quantity', 'qty', 'units', 'count', 'pcs', 'pieces'],
	unitPrice: ['unitprice', 'price', 'priceperunit', 'unitcost', 'priceeach', 'each']
};

/** The column each field most likely comes from; each column is used at most once. */
export function guessMapping(headers: string[]): Partial<Record<Field, string>> {
	const mapping: Partial<Record<Field, string>> = {};
	const used = new Set<string>();
	for (const field of FIELDS) {
		for (const alias of ALIASES[field]) {
			const found = headers.find((h) => !used.has(h) && normalize(h) === alias);
			if (found !== undefined) {
				mapping[field] = found;
				used.add(found);
				break;
			}
		}
	}
	return mapping;
}
