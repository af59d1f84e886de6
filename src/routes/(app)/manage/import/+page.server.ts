import * as z from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getStore } from '$lib/server/db/store';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { reportView, startImportJob } from '$lib/server/imports/jobs';
import { readImportForm } from '$lib/server/imports/import-form';
import { deleteMapping, listSavedMappings, saveMapping } from '$lib/server/imports/saved-mappings';
import { refuse, refuseError } from '$lib/server/shared/form';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = async (event) => {
	requireRole(event, MANAGERS);
	return { savedMappings: await listSavedMappings(getStore()) };
};

export const actions = {
	check: async (event) => {
		const user = requireRole(event, MANAGERS);
		const input = await readImportForm(await event.request.formData());
		if (!input.ok)
			return refuse(400, 'check', input.message, { values: { mapping: input.mapping } });
		const values = { mapping: input.mapping };
		// A dry run as a job awaited here: its full error list stays downloadable for an hour.
		const job = await startImportJob(getStore(), input.text, {
			owner: { userId: user.id },
			dryRun: true,
			exclusive: false,
			locale: event.locals.locale,
			mapping: input.mapping,
			dateOrder: input.reading.dateOrder,
			decimal: input.reading.decimal
		});
		await job.finished;
		const report = job.report;
		if (!report) return refuseError(job.failure, 'check', values);
		// Dates or amounts the file does not show how to read: the person chooses, nothing is guessed.
		if (report.problem)
			return refuse(422, 'check', report.problem.message, {
				values,
				errors: {
					[report.problem.code === 'mixed_decimal_marks' ? 'decimal' : 'dateOrder']:
						report.problem.message
				}
			});
		let saved: string | null = null;
		if (input.mappingName) {
			try {
				saved = (
					await saveMapping(getStore(), {
						name: input.mappingName,
						headers: input.headers,
						mapping: input.mapping,
						reading: input.reading,
						userId: user.id
					})
				).name;
			} catch (e) {
				return refuseError(e, 'check', values);
			}
		}
		return {
			action: 'check',
			report: reportView(report, job.id),
			mapping: input.mapping,
			fileName: input.fileName,
			encoding: input.encoding,
			saved
		};
	},
	commit: async (event) => {
		const user = requireRole(event, MANAGERS);
		const input = await readImportForm(await event.request.formData());
		const values = { mapping: input.mapping };
		if (!input.ok) return refuse(400, 'commit', input.message, { values });
		try {
			const job = await startImportJob(getStore(), input.text, {
				owner: { userId: user.id },
				locale: event.locals.locale,
				mapping: input.mapping,
				dateOrder: input.reading.dateOrder,
				decimal: input.reading.decimal
			});
			return { action: 'commit', jobId: job.id, mapping: input.mapping };
		} catch (e) {
			return refuseError(e, 'commit', values);
		}
	},
	forget: async (event) => {
		requireRole(event, MANAGERS);
		const id = z.coerce
			.number()
			.int()
			.positive()
			.safeParse((await event.request.formData()).get('id'));
		if (!id.success || !(await deleteMapping(getStore(), id.data)))
			return refuse(404, 'forget', m.import_mapping_gone());
		return { action: 'forget', message: m.import_mapping_removed() };
	}
} satisfies Actions;
