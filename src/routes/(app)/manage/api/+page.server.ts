import type { PageServerLoad } from './$types';
import { ADMINS, requireRole } from '$lib/server/auth/guards';
import { apiReference } from '$lib/server/api/reference';

export const load: PageServerLoad = (event) => {
	requireRole(event, ADMINS, 'The API reference is for admins: ask an admin for an API token.');
	return apiReference();
};
