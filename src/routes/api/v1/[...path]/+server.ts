import { notFoundResponse } from '$lib/server/api/json-errors';

/** Any path under /api/v1 that no route serves, whatever the method: a JSON 404. */
export const fallback = ({ url }: { url: URL }) => notFoundResponse(url.pathname);
