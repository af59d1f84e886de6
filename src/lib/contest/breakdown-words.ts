// A sale's breakdown item in the reader's language. Items carry what they say as data (`words`);
// sales scored before that carry only English text in `label`, shown as it is.
import { points } from '../format/numbers';
import { intlLocale } from '../i18n/current';
import type { Locale } from '../i18n/locales';
import { m } from '../paraglide/messages.js';
import type { BreakdownItem } from './types';

export function breakdownLabel(item: BreakdownItem, locale?: Locale): string {
	const { words } = item;
	if (!words) return item.label;
	const say = { locale };
	const number = (n: number) => points(n, intlLocale(locale));
	const text =
		words.kind === 'multiplier'
			? m.rules_breakdown_multiplier(
					{ rule: words.rule, factor: number(words.factor), product: words.product },
					say
				)
			: words.kind === 'unit_bonus'
				? m.rules_breakdown_unit_bonus(
						{
							rule: words.rule,
							points: number(words.points),
							quantity: number(words.quantity),
							product: words.product
						},
						say
					)
				: words.rule;
	if (words.cap === 'reached') return m.rules_breakdown_cap_reached({ item: text }, say);
	if (words.cap === 'partial') return m.rules_breakdown_capped({ item: text }, say);
	return text;
}
