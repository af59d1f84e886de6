import { z } from 'zod';
import type { SeasonSettings } from './settings';

// The season settings form on the rules page: what is typed, how FormData is read, and the
// schema that turns it into settings.

const AUTO_CONFIRM_MAX_DAYS = 365;

export interface SettingsValues {
	requireConfirmation: boolean;
	autoConfirmDays: string;
	rankBy: string;
}

export type SettingsErrors = Partial<Record<keyof SettingsValues, string>>;

export const settingsSchema = z.object({
	requireConfirmation: z.boolean(),
	autoConfirmDays: z
		.string()
		.trim()
		.transform((text, ctx) => {
			if (text === '') return null;
			if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > AUTO_CONFIRM_MAX_DAYS) {
				ctx.addIssue({
					code: 'custom',
					message: `Enter a whole number of days from 1 to ${AUTO_CONFIRM_MAX_DAYS}, or leave it empty`
				});
				return z.NEVER;
			}
			return Number(text);
		}),
	rankBy: z.enum(['confirmed', 'total'], { message: 'Choose what the ranking counts' })
}) satisfies z.ZodType<SeasonSettings, SettingsValues>;

export function readSettingsForm(form: FormData): SettingsValues {
	return {
		requireConfirmation: form.get('requireConfirmation') === 'on',
		autoConfirmDays: String(form.get('autoConfirmDays') ?? ''),
		rankBy: String(form.get('rankBy') ?? '')
	};
}

export function settingsToValues(settings: SeasonSettings): SettingsValues {
	return { ...settings, autoConfirmDays: settings.autoConfirmDays?.toString() ?? '' };
}
