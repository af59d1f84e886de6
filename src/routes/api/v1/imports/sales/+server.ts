import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { getDb } from '$lib/server/db';
import { apiHandler, parseQuery } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { importSales } from '$lib/server/imports/sales';

const query = z.object({
	dryRun: z.enum(['0', '1', 'true', 'false']).default('1'),
	details: z.enum(['0', '1']).default('0')
});

/** POST /api/v1/imports/sales?dryRun=1|0 with a CSV body; a dry run unless dryRun=0. */
export const POST = apiHandler(
	async ({ request, url, principal }) => {
		const { dryRun, details } = parseQuery(url, query);
		const type = request.headers.get('content-type') ?? '';
		if (!/^text\/(csv|plain)\b/i.test(type)) {
			throw new AppError(415, 'unsupported_media_type', 'Send the CSV with content-type: text/csv');
		}
		const text = await request.text();
		if (!text.trim()) throw new AppError(400, 'empty_file', 'The CSV body is empty');
		const report = await importSales(getDb(), text, {
			dryRun: dryRun === '1' || dryRun === 'true',
			actor: { tokenId: principal.tokenId }
		});
		if (details === '1') return json(report);
		// The row-by-row results can be long: only sent when asked for.
		const summary: Partial<typeof report> = { ...report };
		delete summary.results;
		return json(summary);
	},
	['admin', 'manager']
);
