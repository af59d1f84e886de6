import * as z from 'zod';
import { formText } from '../shared/form';
import { priceProblem, readPrice } from '../../format/money';
import { m } from '../../paraglide/messages.js';

// The console's forms of the rewards store: a reward, the season's budget settings, a rejection;
// and the store's redeem form. Values ↔ FormData ↔ schema, as every *-form.ts.

const whole = (min: number, max: number, message: () => string) =>
	z
		.string()
		.trim()
		.regex(/^\d+$/, { error: message })
		.transform(Number)
		.refine((n) => n >= min && n <= max, { error: message });

/** Empty: none (unlimited stock, no limit); else a whole number in range. */
const optionalWhole = (min: number, max: number, message: () => string) =>
	z
		.string()
		.trim()
		.transform((t) => (t === '' ? null : t))
		.pipe(z.union([z.null(), whole(min, max, message)]));

const amount = (label: () => string) =>
	z
		.string()
		.trim()
		.transform((text, ctx) => {
			const price = readPrice(text);
			if (!price.ok) {
				ctx.addIssue({ code: 'custom', message: priceProblem(label(), price.reason) });
				return z.NEVER;
			}
			return price.cents;
		});

/** Empty: none (no budget); else an amount. */
const optionalAmount = (label: () => string) =>
	z
		.string()
		.trim()
		.transform((t) => (t === '' ? null : t))
		.pipe(z.union([z.null(), amount(label)]));

const REWARD_KEYS = [
	'id',
	'name',
	'description',
	'pricePoints',
	'cost',
	'stock',
	'perPersonLimit'
] as const;

export type RewardFormValues = Record<(typeof REWARD_KEYS)[number], string> & {
	active: boolean;
	seasons: number[];
	removePicture: boolean;
};

export function rewardFormValues(form: FormData): RewardFormValues {
	return {
		...formText(form, REWARD_KEYS),
		active: form.get('active') === 'on',
		removePicture: form.get('removePicture') === 'on',
		seasons: form
			.getAll('seasons')
			.map(Number)
			.filter((n) => Number.isInteger(n) && n > 0)
	};
}

export const rewardFormSchema = z.object({
	id: optionalWhole(1, Number.MAX_SAFE_INTEGER, () => m.rewards_error_unknown()),
	name: z
		.string()
		.trim()
		.min(1, { error: () => m.rewards_error_name() })
		.max(80, { error: () => m.rewards_error_name() }),
	description: z
		.string()
		.trim()
		.max(300, { error: () => m.rewards_error_description() }),
	pricePoints: whole(1, 10_000_000, () => m.rewards_error_price()),
	cost: amount(() => m.rewards_form_cost()),
	stock: optionalWhole(0, 1_000_000, () => m.rewards_error_stock()),
	perPersonLimit: optionalWhole(1, 1000, () => m.rewards_error_limit_value()),
	active: z.boolean(),
	removePicture: z.boolean(),
	seasons: z.array(z.number().int().positive()).max(200)
});

export type RewardInput = z.infer<typeof rewardFormSchema>;

const PROGRAMME_KEYS = ['budget', 'share', 'pointValue'] as const;

export function programmeFormValues(form: FormData) {
	return formText(form, PROGRAMME_KEYS);
}

export const programmeFormSchema = z.object({
	budget: optionalAmount(() => m.rewards_budget_label()),
	share: whole(0, 100, () => m.rewards_error_share()),
	pointValue: amount(() => m.rewards_point_value_label())
});

export type ProgrammeInput = z.infer<typeof programmeFormSchema>;

export const rejectFormSchema = z.object({
	id: whole(1, Number.MAX_SAFE_INTEGER, () => m.rewards_error_unknown_redemption()),
	reason: z
		.string()
		.trim()
		.min(1, { error: () => m.rewards_error_reason() })
		.max(300, { error: () => m.rewards_error_reason() })
});

export const decisionFormSchema = z.object({
	id: whole(1, Number.MAX_SAFE_INTEGER, () => m.rewards_error_unknown_redemption())
});

export const redeemFormSchema = z.object({
	rewardId: whole(1, Number.MAX_SAFE_INTEGER, () => m.rewards_error_unknown()),
	seasonId: whole(1, Number.MAX_SAFE_INTEGER, () => m.rewards_error_season()),
	requestId: z.string().trim().min(8).max(100)
});
