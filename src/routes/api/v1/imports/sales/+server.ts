import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseQuery } from '$lib/server/api/respond';
import { importSalesQuerySchema } from '$lib/server/api/schemas';
import { API_WRITERS } from '$lib/server/auth/guards';
import { AppError } from '$lib/server/shared/errors';
import { startImportJob } from '$lib/server/imports/jobs';
import { decodeCsvFile } from '$lib/server/imports/text';
import { chosenMapping, mappingOrRefuse } from '$lib/server/imports/options';
import { apiJob, apiReport, SYNC_ROW_LIMIT } from '$lib/server/imports/api-report';
import { dropUpload, importMaxBytes, saveUpload } from '$lib/server/imports/upload';
import { readCsvHeader } from '$lib/csv';

const on = (value: string) => value === '1' || value === 'true';

/**
 * POST /api/v1/imports/sales?dryRun=1|0&async=0|1 with a CSV body; a dry run unless dryRun=0.
 * The body is streamed into the database (up to IMPORT_MAX_BYTES, 500 MB by default) and
 * imported from there in batches, so its size does not show in memory and any node can resume
 * the job. Up to SYNC_ROW_LIMIT rows answer at once (200 + the report); more, or async=1, answer
 * 202 with a job to poll.
 * `map.<field>=<header>` names a field's column (the rest are guessed from the header),
 * `dateOrder=DMY|MDY|YMD`, `decimal=,|.` and `encoding=utf-8|windows-1250|windows-1252` say how
 * to read the file when it does not show it. A file whose dates or amounts cannot be read
 * unambiguously answers 422 with the problem and stores nothing.
 */
export const POST = apiHandler(async ({ request, url, principal, locals }) => {
	const params = parseQuery(url, importSalesQuerySchema);
	const type = request.headers.get('content-type') ?? '';
	if (!/^text\/(csv|plain)\b/i.test(type)) {
		throw new AppError(415, 'unsupported_media_type', 'Send the CSV with content-type: text/csv');
	}
	const upload = await saveUpload(getStore(), request.body, importMaxBytes());
	let handed = false;
	try {
		// The header, decoded from the first bytes (a character cut at their end is left out).
		const head = decodeCsvFile(upload.head, params.encoding, upload.bytes > upload.head.length);
		if (!head.text.trim()) throw new AppError(400, 'empty_file', 'The CSV body is empty');
		// A file without the columns (a random file, another export) is refused whole, not row by row.
		const mapping = mappingOrRefuse(readCsvHeader(head.text), chosenMapping(url.searchParams));
		const reading = { mapping, dateOrder: params.dateOrder, decimal: params.decimal };
		const details = on(params.details);
		const background = on(params.async) || upload.dataLines > SYNC_ROW_LIMIT;
		const job = await startImportJob(
			getStore(),
			{ uploadId: upload.id, encoding: params.encoding ?? (head.detected ? null : head.encoding) },
			{
				owner: { tokenId: principal.tokenId },
				dryRun: on(params.dryRun),
				exclusive: background,
				// The report's messages in the caller's language (Accept-Language, or the organisation's).
				locale: locals.locale,
				...reading
			}
		);
		handed = true;
		if (background) {
			const body = apiJob(job, details);
			return json(body, { status: 202, headers: { location: body.job.url } });
		}
		await job.finished;
		if (!job.report) {
			// The file is not text after all (found past its first bytes): a 400 like any other.
			if (job.failure instanceof AppError) throw job.failure;
			throw new Error(job.error ?? 'the import failed');
		}
		// Dates or amounts the file does not show how to read: nothing was stored.
		const problem = job.report.problem;
		if (problem)
			throw new AppError(422, problem.code, problem.message, {
				details: { column: problem.column }
			});
		return json(apiReport(job.report, job.id, details));
	} finally {
		if (!handed) await dropUpload(getStore(), upload.id);
	}
}, API_WRITERS);
