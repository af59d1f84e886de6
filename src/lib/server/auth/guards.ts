import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Role } from '../../contest/types';
import type { SessionUser } from './session';
import type { TokenRole } from './token-roles';
import { m } from '../../paraglide/messages.js';

/** The signed-in user, or a redirect to the sign-in page that comes back here afterwards. */
export function requireUser(event: Pick<RequestEvent, 'locals' | 'url'>): SessionUser {
	const user = event.locals.user;
	if (!user) {
		const back = event.url.pathname + event.url.search;
		redirect(303, `/login?redirectTo=${encodeURIComponent(back)}`);
	}
	return user;
}

export function requireRole(
	event: Pick<RequestEvent, 'locals' | 'url'>,
	roles: readonly Role[],
	message: string = m.auth_managers_only()
): SessionUser {
	const user = requireUser(event);
	if (!roles.includes(user.role)) error(403, { message });
	return user;
}

export const MANAGERS: readonly Role[] = ['manager', 'admin'];
/** Who may read the executive dashboard and the exports. */
export const EXECUTIVES: readonly Role[] = ['executive', 'manager', 'admin'];
export const ADMINS: readonly Role[] = ['admin'];

/** API tokens that may post sales, activities and imports: every role, integration included. */
export const API_WRITERS: readonly TokenRole[] = ['integration', 'manager', 'admin'];
/** API tokens that may create or change seasons and review sales. */
export const API_MANAGERS: readonly TokenRole[] = ['manager', 'admin'];
