import * as z from 'zod';
import type { RankingSettings, SeasonSettings } from './settings';
import { m } from '../../paraglide/messages.js';

// The settings form on the rules page (auto-confirmation, what the ranking counts): what is
// typed, how FormData is read, and the schema that turns it into settings. Whether sales need
// confirmation at all is set in the season's own form (season-form.ts).

const AUTO_CONFIRM_MAX_DAYS = 365;

export interface SettingsValues {
	autoConfirmDays: string;
	rankBy: string;
}

export type SettingsErrors = Partial<Record<keyof SettingsValues, string>>;

export const settingsSchema = z.object({
	autoConfirmDays: z
		.string()
		.trim()
		.transform((text, ctx) => {
			if (text === '') return null;
			if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > AUTO_CONFIRM_MAX_DAYS) {
				ctx.addIssue({
					code: 'custom',
					message: m.seasons_error_auto_confirm({ max: AUTO_CONFIRM_MAX_DAYS })
				});
				return z.NEVER;
			}
			return Number(text);
		}),
	rankBy: z.enum(['confirmed', 'total'], { error: () => m.seasons_error_rank_by() })
}) satisfies z.ZodType<RankingSettings, SettingsValues>;

export function readSettingsForm(form: FormData): SettingsValues {
	return {
		autoConfirmDays: String(form.get('autoConfirmDays') ?? ''),
		rankBy: String(form.get('rankBy') ?? '')
	};
}

export function settingsToValues(settings: SeasonSettings): SettingsValues {
	return { rankBy: settings.rankBy, autoConfirmDays: settings.autoConfirmDays?.toString() ?? '' };
}
