import { describe, expect, it } from 'vitest';
import { voidFormSchema } from './void-form';

describe('voidFormSchema', () => {
	it.each([
		[
			{ activityId: '12', reason: ' logged twice ' },
			{ activityId: 12, reason: 'logged twice' }
		],
		[{ activityId: '12', reason: '   ' }, 'reason'],
		[{ activityId: '12', reason: 'x'.repeat(501) }, 'reason'],
		[{ activityId: 'abc', reason: 'why' }, 'activityId'],
		[{ activityId: '0', reason: 'why' }, 'activityId']
	])('%j → %j', (input, expected) => {
		const parsed = voidFormSchema.safeParse(input);
		if (typeof expected === 'string') {
			expect(parsed.success).toBe(false);
			expect(parsed.error?.issues[0].path).toEqual([expected]);
		} else expect(parsed.data).toEqual(expected);
	});
});
