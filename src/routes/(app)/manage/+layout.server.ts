import type { LayoutServerLoad } from './$types';
import { MANAGERS, requireRole } from '$lib/server/auth/guards';

// Guards every page of the console. Form actions do not run layout loads: each action must
// call requireRole(event, MANAGERS) itself.
export const load: LayoutServerLoad = (event) => {
	requireRole(event, MANAGERS);
	return {};
};
