import type { Actions, PageServerLoad } from './$types';
import { getDb } from '$lib/server/db';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';
import { importSales } from '$lib/server/imports/sales';
import { reportView, startImportJob } from '$lib/server/imports/jobs';
import { readImportForm } from '$lib/server/imports/import-form';
import { refuse, refuseError } from '$lib/server/shared/form';

export const load: PageServerLoad = (event) => {
	requireRole(event, MANAGERS);
	return {};
};

export const actions = {
	check: async (event) => {
		const user = requireRole(event, MANAGERS);
		const input = await readImportForm(await event.request.formData());
		if (!input.ok)
			return refuse(400, 'check', input.message, { values: { mapping: input.mapping } });
		const report = await importSales(getDb(), input.text, {
			dryRun: true,
			actor: { userId: user.id },
			mapping: input.mapping
		});
		return {
			action: 'check',
			report: reportView(report),
			mapping: input.mapping,
			fileName: input.fileName
		};
	},
	commit: async (event) => {
		const user = requireRole(event, MANAGERS);
		const input = await readImportForm(await event.request.formData());
		const values = { mapping: input.mapping };
		if (!input.ok) return refuse(400, 'commit', input.message, { values });
		try {
			const job = startImportJob(getDb(), input.text, {
				owner: { userId: user.id },
				mapping: input.mapping
			});
			return { action: 'commit', jobId: job.id, mapping: input.mapping };
		} catch (e) {
			return refuseError(e, 'commit', values);
		}
	}
} satisfies Actions;
