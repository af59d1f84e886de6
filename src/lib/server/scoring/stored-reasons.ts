// The reasons the app itself writes into the ledger and the audit log (a badge's points, a
// recalculation, an automatic confirmation, a sale above the points ceiling) are stored in
// English, as the API and the CSV exports give them. Pages say them in the reader's language: a
// stored reason in one of these shapes is worded again; any other is a person's own words, shown
// as written.
import { m } from '../../paraglide/messages.js';
import { points } from '../../format/numbers';

const whole = (text: string) => Number(text.replaceAll(',', ''));

const SHAPES: [RegExp, (match: RegExpExecArray) => string][] = [
	[/^Badge withdrawn: (.+)$/s, ([, name]) => m.review_reason_badge_withdrawn({ name })],
	[/^Badge: (.+)$/s, ([, name]) => m.review_reason_badge({ name })],
	[/^Season recalculated with the current rules$/, () => m.review_reason_recalculated()],
	[
		/^auto-confirmed after (\d+) days$/,
		([, days]) => m.review_reason_auto_confirmed({ count: whole(days), n: points(whole(days)) })
	],
	[
		/^([\d,]+) points is above this season's limit of ([\d,]+) per sale: check it before confirming$/,
		([, total, limit]) =>
			m.review_reason_above_limit({
				count: whole(total),
				n: points(whole(total)),
				limit: points(whole(limit))
			})
	]
];

/** A stored reason in the reader's language when the app wrote it; as written when a person did. */
export function sayReason(reason: string): string;
export function sayReason(reason: string | null): string | null;
export function sayReason(reason: string | null): string | null {
	if (reason === null) return null;
	for (const [shape, say] of SHAPES) {
		const match = shape.exec(reason);
		if (match) return say(match);
	}
	return reason;
}
