import type { LayoutServerLoad } from './$types';

// Every page knows its language and the organisation's currency (server/i18n/handle.ts chose
// them): the layout hands the currency to the money formatter on the page.
export const load: LayoutServerLoad = ({ locals }) => ({
	locale: locals.locale,
	currency: locals.currency
});
