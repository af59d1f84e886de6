// The words for a sale's status and source, in the reader's language; the stored codes stay English.
import { m } from '../../paraglide/messages.js';

const STATUS: Record<string, () => string> = {
	pending: m.console_sale_pending,
	approved: m.console_sale_approved,
	rejected: m.console_sale_rejected,
	reversed: m.console_sale_reversed
};

const SOURCE: Record<string, () => string> = {
	web: m.console_source_web,
	api: m.console_source_api,
	import: m.console_source_import,
	demo: m.console_source_demo
};

export function saleStatusLabel(status: string): string {
	return STATUS[status]?.() ?? status;
}

export function saleSourceLabel(source: string): string {
	return SOURCE[source]?.() ?? source;
}
