// The fields of a sales import and which CSV column feeds each: shared by the import page (to
// preselect the mapping from the header), the form action (the same guess when a form comes
// without one) and the importer. Client-safe.

import { normalizeHeader } from './formats';

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
/** Fields a file may leave out: the customer reference (it confirms a referral of the customer). */
export const OPTIONAL_IMPORT_FIELDS = ['customerRef'] as const;
export type OptionalImportField = (typeof OPTIONAL_IMPORT_FIELDS)[number];
/** Every field a column can be mapped to: the required ones, then the optional ones. */
export const MAPPABLE_FIELDS = [...IMPORT_FIELDS, ...OPTIONAL_IMPORT_FIELDS] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];
/** Which CSV column holds each field; by default the column of the same name. */
export type ColumnMapping = Partial<Record<MappableField, string>>;

export const FIELD_HELP: Record<MappableField, string> = {
	externalId: 'Order or sale id; lines with the same id form one sale',
	sellerEmail: "Seller's e-mail, full name or employee number",
	occurredAt: "Date (and time) of the sale; without a zone, in the season's time zone",
	sku: 'Product SKU',
	quantity: 'Units sold',
	unitPrice: 'Price of one unit, e.g. 1,099.00 or 1.099,00',
	customerRef: "Optional: the customer's number or e-mail; a match confirms a referral"
};

// Header names seen in CRM (Salesforce, HubSpot, Pipedrive) and spreadsheet exports, in the
// order they are preferred (Salesforce's "Sales Price" is what was charged, its "Unit Price"
// the list price), and in the seed markets' languages (nl, ru, sv, pl, fr). Compared
// through normalizeHeader: case, accents, spaces and punctuation do not matter.
const ALIASES: Record<MappableField, string[]> = {
	externalId: [
		'externalId',
		'Opportunity ID',
		'Deal - ID',
		'Deal ID',
		'Record ID',
		'Order ID',
		'Order',
		'Order No',
		'Order number',
		'Sale ID',
		'Sale',
		'Invoice',
		'Invoice ID',
		'Invoice number',
		'Transaction',
		'Transaction ID',
		'Reference',
		'Ref',
		'Deal',
		'ID',
		// nl, sv, pl, fr, ru
		'Ordernummer',
		'Bestelnummer',
		'Factuurnummer',
		'Ordernr',
		'Fakturanummer',
		'Order-ID',
		'Numer zamówienia',
		'Nr zamówienia',
		'Numer faktury',
		'Nr faktury',
		'Zamówienie',
		'Numéro de commande',
		'N° de commande',
		'Commande',
		'Numéro de facture',
		'Référence',
		'Номер заказа',
		'Заказ',
		'Номер сделки',
		'ID сделки',
		'Номер счёта',
		'Номер'
	],
	sellerEmail: [
		'sellerEmail',
		'Owner Email',
		'Deal owner email',
		'Owner e-mail',
		'Email',
		'E-mail',
		'Email address',
		'E-mailadres',
		'E-post',
		'E-postadress',
		'Adres e-mail',
		'Adresse e-mail',
		'Courriel',
		'Mail',
		'Электронная почта',
		'Почта',
		'Seller',
		'Opportunity Owner',
		'Deal owner',
		'Deal - Owner',
		'Owner',
		'Salesperson',
		'Sales rep',
		'Rep',
		'Rep email',
		'User',
		'User email',
		'Employee number',
		'Employee ID',
		'Verkoper',
		'Medewerker',
		'Personeelsnummer',
		'Säljare',
		'Anställningsnummer',
		'Sprzedawca',
		'Handlowiec',
		'Numer pracownika',
		'Vendeur',
		'Commercial',
		'Matricule',
		'Продавец',
		'Менеджер',
		'Сотрудник',
		'Табельный номер'
	],
	occurredAt: [
		'occurredAt',
		'Close Date',
		'Deal - Won time',
		'Won time',
		'Closed date',
		'Date',
		'Date time',
		'Datetime',
		'When',
		'Time',
		'Timestamp',
		'Sold at',
		'Sale date',
		'Order date',
		'Occurred',
		'Created at',
		'Datum',
		'Verkoopdatum',
		'Orderdatum',
		'Försäljningsdatum',
		'Orderdatum',
		'Data',
		'Data sprzedaży',
		'Data zamówienia',
		'Date de vente',
		'Date de commande',
		'Дата',
		'Дата продажи',
		'Дата заказа',
		'Дата закрытия'
	],
	sku: [
		'sku',
		'Product Code',
		'Product SKU',
		'Item code',
		'Item',
		'Product',
		'Article',
		'Code',
		'Artikelnummer',
		'Artikelnr',
		'Artikel',
		'Produkt',
		'Kod produktu',
		'Indeks',
		'Kod',
		'Code produit',
		'Référence produit',
		'Produit',
		'Article',
		'Артикул',
		'Код товара',
		'Код',
		'Товар'
	],
	quantity: [
		'quantity',
		'Qty',
		'Units',
		'Count',
		'Pcs',
		'Pieces',
		'Aantal',
		'Antal',
		'Ilość',
		'Szt',
		'Quantité',
		'Qté',
		'Количество',
		'Кол-во'
	],
	unitPrice: [
		'Sales Price',
		'unitPrice',
		'Unit price',
		'Price',
		'Price per unit',
		'Unit cost',
		'Price each',
		'Each',
		'Prijs',
		'Stuksprijs',
		'Eenheidsprijs',
		'Pris',
		'Styckpris',
		'À-pris',
		'Cena',
		'Cena jednostkowa',
		'Cena jedn.',
		'Prix',
		'Prix unitaire',
		'Prix HT',
		'Цена',
		'Цена за единицу'
	],
	customerRef: [
		'customerRef',
		'Customer reference',
		'Customer ref',
		'Customer number',
		'Customer No',
		'Customer ID',
		'Account number',
		'Klantnummer',
		'Klantreferentie',
		'Kundnummer',
		'Numer klienta',
		'Numéro client',
		'Référence client',
		'Номер клиента'
	]
};
const NORMALIZED = Object.fromEntries(
	MAPPABLE_FIELDS.map((f) => [f, [...new Set(ALIASES[f].map(normalizeHeader))]])
) as Record<MappableField, string[]>;

/** The column each field most likely comes from; each column is used at most once. */
export function guessMapping(headers: string[]): ColumnMapping {
	const mapping: ColumnMapping = {};
	const used = new Set<string>();
	for (const field of MAPPABLE_FIELDS) {
		for (const alias of NORMALIZED[field]) {
			const found = headers.find((h) => !used.has(h) && normalizeHeader(h) === alias);
			if (found !== undefined) {
				mapping[field] = found;
				used.add(found);
				break;
			}
		}
	}
	return mapping;
}

/** One key per set of headers (order and surrounding spaces do not matter): a saved mapping's. */
export function headerKey(headers: readonly string[]): string {
	return JSON.stringify([...new Set(headers.map((h) => h.trim()).filter((h) => h !== ''))].sort());
}
