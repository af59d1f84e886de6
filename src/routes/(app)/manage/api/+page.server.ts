import type { PageServerLoad } from './$types';
import { ADMINS, requireRole } from '$lib/server/auth/guards';
import { apiReference } from '$lib/server/api/reference';
import { m } from '$lib/paraglide/messages.js';

export const load: PageServerLoad = (event) => {
	requireRole(event, ADMINS, m.apidocs_admin_only());
	return apiReference();
};
