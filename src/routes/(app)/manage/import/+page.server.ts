import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { importSales } from '$lib/server/imports/sales';
import { ImportJobError, reportView, startImportJob } from '$lib/server/imports/jobs';
import { readImportForm } from '$lib/server/imports/import-form';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	return {};
};

export const actions = {
	check: async (event) => {
		const user = requireRole(event, MANAGERS);
		const input = await readImportForm(await event.request.formData());
		if (!input.ok)
			return fail(400, {
				kind: 'check' as const,
				message: input.message,
				values: { mapping: input.mapping }
			});
		const report = await importSales(getDb(), input.text, {
			dryRun: true,
			actor: { userId: user.id },
			mapping: input.mapping
		});
		return {
			kind: 'check' as const,
			report: reportView(report),
			mapping: input.mapping,
			fileName: input.fileName
		};
	},
	commit: async (event) => {
		const user = requireRole(event, MANAGERS);
		const input = await readImportForm(await event.request.formData());
		if (!input.ok)
			return fail(400, {
				kind: 'commit' as const,
				message: input.message,
				values: { mapping: input.mapping }
			});
		try {
			const job = startImportJob(getDb(), input.text, { userId: user.id, mapping: input.mapping });
			return { kind: 'commit' as const, jobId: job.id, mapping: input.mapping };
		} catch (e) {
			if (e instanceof ImportJobError)
				return fail(409, {
					kind: 'commit' as const,
					message: e.message,
					values: { mapping: input.mapping }
				});
			throw e;
		}
	}
} satisfies Actions;
