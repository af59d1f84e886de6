import { resolve } from '$app/paths';
import type { Pathname, ResolvedPathname } from '$app/types';

export type AppPath = Pathname | `${Pathname}?${string}` | `${Pathname}#${string}`;

/**
 * resolve() for a path held in a variable (a list of nav links, a path built from the current
 * URL): resolve's types check one literal route at a time, this takes any of the app's paths.
 */
export function appPath(path: AppPath): ResolvedPathname {
	// Note: the cast only picks resolve's one-argument overload; a static route needs no params.
	return resolve(path as '/');
}
