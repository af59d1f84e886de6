import * as z from 'zod';
import { m } from '../../paraglide/messages.js';

// The console's "Void" form on /manage/activities: which activity, and why (the person sees it).

export const voidFormSchema = z.object({
	activityId: z.coerce.number().int().positive(),
	reason: z
		.string()
		.trim()
		.min(1, { error: () => m.activities_void_error_reason() })
		.max(500, { error: () => m.people_error_reason_long() })
});
