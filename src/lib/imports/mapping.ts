// The fields of a sales import and which CSV column feeds each: shared by the import page (to
// preselect the mapping from the header), the form action (the same guess when a form comes
// without one) and the importer. Client-safe.

/** The largest file the import takes (the page says so before uploading). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export const IMPORT_FIELDS = [
	'externalId',
	'sellerEmail',
	'occurredAt',
	'sku',
	'quantity',
	'unitPrice'
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
/** Which CSV column holds each field; by default the column of the same name. */
export type ColumnMapping = Partial<Record<ImportField, string>>;

export const FIELD_HELP: Record<ImportField, string> = {
	externalId: 'Order or sale id; lines with the same id form one sale',
	sellerEmail: "Seller's email address",
	occurredAt: 'Date and time of the sale, with a zone',
	sku: 'Product SKU',
	quantity: 'Units sold',
	unitPrice: 'Price of one unit, e.g. 1099.00'
};

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

// Header names seen in CRM and spreadsheet exports, normalized (lower case, letters and digits).
const ALIASES: Record<ImportField, string[]> = {
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
export function guessMapping(headers: string[]): ColumnMapping {
	const mapping: ColumnMapping = {};
	const used = new Set<string>();
	for (const field of IMPORT_FIELDS) {
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
