import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { consoleSeason } from '$lib/server/seasons/choice';
import {
	createProduct,
	importCatalogue,
	listCatalogue,
	PRODUCT_LIMITS,
	setProductActive,
	skuTaken,
	updateProduct
} from '$lib/server/catalogue/products';
import { productFormSchema, productFormValues } from '$lib/server/catalogue/product-form';
import { parseCatalogueCsv } from '$lib/server/catalogue/products-csv';
import type { CsvError } from '$lib/csv';
import { fieldErrors, parseForm, refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

const MAX_FILE_BYTES = 1024 * 1024;

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	const season = await consoleSeason();
	if (!season) return { season: null, products: [], categories: [], limits: PRODUCT_LIMITS };
	const products = (await listCatalogue(getStore(), season.id)).map(
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
		categories: [...new Set(products.map((p) => p.category))].sort(),
		limits: PRODUCT_LIMITS
	};
};

async function currentSeason() {
	const season = await consoleSeason();
	if (!season) error(404, { message: m.products_page_no_season() });
	return season;
}

export const actions = {
	create: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const values = productFormValues(await event.request.formData());
		const parsed = productFormSchema.safeParse(values);
		const errors = parsed.success ? {} : fieldErrors(parsed.error);
		// Say at once that a SKU is taken, not only after the other fields are right.
		if (!errors.sku && values.sku.trim() && (await skuTaken(getStore(), season.id, values.sku))) {
			errors.sku = m.products_error_sku_taken({ sku: values.sku.trim() });
		}
		if (!parsed.success || errors.sku) {
			return refuse(400, 'create', Object.values(errors)[0], { errors, values });
		}
		try {
			const row = await createProduct(getStore(), season.id, parsed.data, { userId: user.id });
			return { action: 'create', message: m.products_added({ name: row.name, sku: row.sku }) };
		} catch (e) {
			return refuseError(e, 'create', values);
		}
	},
	update: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const form = await event.request.formData();
		const id = Number(form.get('id'));
		// The id comes back with the values so that the page reopens the right row.
		const values = { ...productFormValues(form), id };
		const parsed = parseForm(productFormSchema, values, 'update', values);
		if (!parsed.ok) return parsed.failure;
		try {
			// The SKU stays: updateProduct ignores it.
			const row = await updateProduct(getStore(), season.id, id, parsed.data, { userId: user.id });
			return { action: 'update', message: m.products_saved({ name: row.name }) };
		} catch (e) {
			return refuseError(e, 'update', values);
		}
	},
	toggle: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const form = await event.request.formData();
		const active = form.get('active') === 'true';
		try {
			const row = await setProductActive(getStore(), season.id, Number(form.get('id')), active, {
				userId: user.id
			});
			return {
				action: 'toggle',
				message: active ? m.products_on({ name: row.name }) : m.products_off({ name: row.name })
			};
		} catch (e) {
			return refuseError(e, 'toggle');
		}
	},
	import: async (event) => {
		const user = requireRole(event, MANAGERS);
		const season = await currentSeason();
		const form = await event.request.formData();
		const file = form.get('file');
		const values = { csv: String(form.get('csv') ?? '') };
		// The one failure payload, plus the file's problems row by row for the report.
		const refuseFile = (problems: CsvError[]) =>
			refuse(400, 'import', problems[0].message, { values, problems });
		const refuseText = (message: string) => refuseFile([{ row: null, column: null, message }]);
		let text = values.csv;
		if (file instanceof File && file.size > 0) {
			if (file.size > MAX_FILE_BYTES)
				return refuseText(m.products_import_too_large({ max: '1 MB' }));
			text = await file.text();
		}
		if (text.trim() === '') return refuseText(m.products_import_empty());
		const parsed = parseCatalogueCsv(text);
		if (parsed.errors.length > 0) return refuseFile(parsed.errors);
		const result = await importCatalogue(getStore(), season.id, parsed.rows, { userId: user.id });
		return { action: 'import', result, total: parsed.rows.length };
	}
} satisfies Actions;
