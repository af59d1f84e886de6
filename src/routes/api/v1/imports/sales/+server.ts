import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiHandler, parseQuery } from '$lib/server/api/respond';
import { importSalesQuerySchema } from '$lib/server/api/schemas';
import { API_WRITERS } from '$lib/server/auth/guards';
import { AppError } from '$lib/server/shared/errors';
import { startImportJob } from '$lib/server/imports/jobs';
import { decodeCsvBytes } from '$lib/server/imports/text';
import { apiJob, apiReport, countDataRows, SYNC_ROW_LIMIT } from '$lib/server/imports/api-report';
import { IMPORT_FIELDS, MAX_IMPORT_BYTES } from '$lib/imports/mapping';
import { readCsvHeader } from '$lib/csv';

const on = (value: string) => value === '1' || value === 'true';

/**
 * POST /api/v1/imports/sales?dryRun=1|0&async=0|1 with a CSV body; a dry run unless dryRun=0.
 * Up to SYNC_ROW_LIMIT rows answer at once (200 + the report); more, or async=1, answer 202
 * with a job to poll.
 */
export const POST = apiHandler(async ({ request, url, principal }) => {
	const params = parseQuery(url, importSalesQuerySchema);
	const type = request.headers.get('content-type') ?? '';
	if (!/^text\/(csv|plain)\b/i.test(type)) {
		throw new AppError(415, 'unsupported_media_type', 'Send the CSV with content-type: text/csv');
	}
	const bytes = new Uint8Array(await request.arrayBuffer());
	if (bytes.length > MAX_IMPORT_BYTES)
		throw new AppError(413, 'too_large', 'The CSV body is larger than 50 MB: split it up');
	const text = decodeCsvBytes(bytes);
	if (!text.trim()) throw new AppError(400, 'empty_file', 'The CSV body is empty');
	// A file without the columns (a random file, another export) is refused whole, not row by row.
	const header = readCsvHeader(text);
	const missing = IMPORT_FIELDS.filter((f) => !header.includes(f));
	if (missing.length > 0)
		throw new AppError(
			422,
			'missing_columns',
			`The header lacks ${missing.join(', ')}: expected ${IMPORT_FIELDS.join(',')}`,
			{ details: { missing, header } }
		);
	const details = on(params.details);
	const background = on(params.async) || countDataRows(text) > SYNC_ROW_LIMIT;
	const job = startImportJob(getDb(), text, {
		owner: { tokenId: principal.tokenId },
		dryRun: on(params.dryRun),
		exclusive: background
	});
	if (background) {
		const body = apiJob(job, details);
		return json(body, { status: 202, headers: { location: body.job.url } });
	}
	await job.finished;
	if (!job.report) throw new Error(job.error ?? 'the import failed');
	return json(apiReport(job.report, job.id, details));
}, API_WRITERS);
