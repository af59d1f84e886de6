import { json } from '@sveltejs/kit';
import { getStore } from '$lib/server/db/store';
import { apiHandler, parseId } from '$lib/server/api/respond';
import { AppError } from '$lib/server/shared/errors';
import { listResults, readSeason } from '$lib/server/seasons/queries';

export const GET = apiHandler(async ({ params }) => {
	const store = getStore();
	const found = await readSeason(store, parseId(params.id));
	if (!found) throw new AppError(404, 'not_found', `No season ${params.id}`);
	if (found.status !== 'ended' && found.status !== 'archived') {
		throw new AppError(
			409,
			'not_ended',
			`Season ${found.id} is ${found.status}: results are frozen when it ends`
		);
	}
	const rows = await listResults(store, found.id);
	const entry = (r: (typeof rows)[number]) => ({
		rank: r.rank,
		id: r.subjectId,
		name: r.name,
		teamName: r.teamName ?? undefined,
		points: r.points,
		provisionalPoints: r.provisionalPoints,
		salesCount: r.salesCount
	});
	return json({
		seasonId: found.id,
		status: found.status,
		final: found.status === 'archived',
		frozenAt: rows[0] ? new Date(rows[0].frozenAt).toISOString() : null,
		individual: rows.filter((r) => r.subjectType === 'user').map(entry),
		teams: rows.filter((r) => r.subjectType === 'team').map(entry)
	});
});
