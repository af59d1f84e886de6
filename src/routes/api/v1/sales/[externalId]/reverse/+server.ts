import { reviewEndpoint } from '$lib/server/api/review-endpoint';

export const POST = reviewEndpoint('reverse');
