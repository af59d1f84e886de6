import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import {
	CatalogueError,
	createProduct,
	importCatalogue,
	listCatalogue,
	parseProductForm,
	setProductActive,
	skuTaken,
	updateProduct,
	type FieldErrors
} from '$lib/server/catalogue/products';
import { parseCatalogueCsv, type CsvError } from '$lib/server/catalogue/products-csv';

const MAX_FILE_BYTES = 1024 * 1024;

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	const db = getDb();
	const season = consoleSeason();
	if (!season) return { season: null, products: [], categories: [] };
	const products = listCatalogue(db, season.id).map(
		({ id, sku, name, category, points, price, active }) => ({
			id,
			sku,
			name,
			category,
			points,
			price,
			active
		})
	);
	return {
		season: { id: season.id, name: season.name },
		products,
		categories: [...new Set(products.map((p) => p.category))].sort()
	};
};

function currentSeason() {
	const season = consoleSeason();
	if (!season) error(404, { message: 'No season is live.' });
	return season;
}

/** What the product form sent, to show it again when it is refused. */
function formValues(form: FormData) {
	const text = (key: string) => String(form.get(key) ?? '');
	return {
		sku: text('sku'),
		name: text('name'),
		category: text('category'),
		points: text('points'),
		price: text('price'),
		active: form.get('active') === 'on'
	};
}

export const actions = {
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const form = await event.request.formData();
		const values = formValues(form);
		const parsed = parseProductForm(form);
		// Say at once that a SKU is taken, not only after the other fields are right.
		const errors: FieldErrors = parsed.ok ? {} : parsed.errors;
		if (!errors.sku && values.sku.trim() && skuTaken(getDb(), season.id, values.sku)) {
			errors.sku = `SKU ${values.sku.trim()} is already in the catalogue`;
		}
		if (!parsed.ok || errors.sku)
			return fail(400, { kind: 'create' as const, id: null, values, errors });
		try {
			const row = createProduct(getDb(), season.id, parsed.input, { userId: user.id });
			return { kind: 'create' as const, id: row.id, message: `Added ${row.name} (${row.sku}).` };
		} catch (e) {
			if (e instanceof CatalogueError && e.field) {
				return fail(400, {
					kind: 'create' as const,
					id: null,
					values,
					errors: { [e.field]: e.message } as FieldErrors
				});
			}
			throw e;
		}
	},
	update: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const form = await event.request.formData();
		const id = Number(form.get('id'));
		const values = formValues(form);
		const parsed = parseProductForm(form);
		if (!parsed.ok)
			return fail(400, { kind: 'update' as const, id, values, errors: parsed.errors });
		try {
			const { sku: _sku, ...changes } = parsed.input;
			const row = updateProduct(getDb(), season.id, id, changes, { userId: user.id });
			return { kind: 'update' as const, id, message: `Saved ${row.name}.` };
		} catch (e) {
			if (e instanceof CatalogueError) {
				return fail(404, {
					kind: 'update' as const,
					id,
					values,
					errors: { name: e.message } as FieldErrors
				});
			}
			throw e;
		}
	},
	toggle: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const form = await event.request.formData();
		const active = form.get('active') === 'true';
		try {
			const row = setProductActive(getDb(), season.id, Number(form.get('id')), active, {
				userId: user.id
			});
			return {
				kind: 'toggle' as const,
				id: row.id,
				message: active
					? `${row.name} is back on the sell page.`
					: `${row.name} is off the sell page; its past sales keep their points.`
			};
		} catch (e) {
			if (e instanceof CatalogueError)
				return fail(404, { kind: 'toggle' as const, id: null, message: e.message });
			throw e;
		}
	},
	import: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = currentSeason();
		const form = await event.request.formData();
		const file = form.get('file');
		const pasted = String(form.get('csv') ?? '');
		const refuse = (message: string) => {
			const errors: CsvError[] = [{ row: null, column: null, message }];
			return fail(400, { kind: 'import' as const, pasted, errors });
		};
		let text = pasted;
		if (file instanceof File && file.size > 0) {
			if (file.size > MAX_FILE_BYTES) return refuse('The file is larger than 1 MB');
			text = await file.text();
		}
		if (text.trim() === '') return refuse('Choose a CSV file or paste its text');
		const parsed = parseCatalogueCsv(text);
		if (parsed.errors.length > 0)
			return fail(400, { kind: 'import' as const, pasted, errors: parsed.errors });
		const result = importCatalogue(getDb(), season.id, parsed.rows, { userId: user.id });
		return { kind: 'import' as const, result, total: parsed.rows.length };
	}
} satisfies Actions;
