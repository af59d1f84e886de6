// Referrals as rules, without storage: how a customer reference becomes the key that sales and
// other referrals are matched by, when a referral lapses, and which status changes exist.

export type ReferralState = 'open' | 'confirmed' | 'lapsed' | 'rejected';
export type ReferralPoints = 'provisional' | 'confirmed' | 'void';

const DAY = 24 * 60 * 60 * 1000;

/** The schema's defaults when a season has no programme row. */
export const REFERRAL_DEFAULTS = { points: 50, lapseDays: 60 } as const;

/** The limits of a referral's fields, stated once for the form, the API and the pages. */
export const REFERRAL_LIMITS = {
	customerName: 120,
	customerRef: 120,
	contact: 200,
	note: 500,
	reason: 500,
	points: 100_000,
	lapseDays: 3650
} as const;

/**
 * The match key of a customer reference: what a sale's `customer_ref` and another referral must
 * share to be the same customer. An e-mail address is compared lower-case; any other reference
 * (a customer number, a VAT id, a phone number) ignores case and the spaces, dashes, dots,
 * slashes and underscores people type between its digits ("nl 123.456-7" = "NL1234567").
 * Null when nothing is left to match by.
 */
export function customerKey(reference: string | null | undefined): string | null {
	if (reference == null) return null;
	const text = reference.normalize('NFKC').trim();
	if (text === '') return null;
	if (/^[^\s@]+@[^\s@]+$/.test(text)) return text.toLowerCase();
	const key = text.replace(/[\s\-./_\u2010-\u2015]+/g, '').toUpperCase();
	return key === '' ? null : key;
}

/** When a referral recorded at `recordedAt` lapses unless a sale confirmed it before. */
export function lapseDate(recordedAt: number, lapseDays: number): number {
	return recordedAt + lapseDays * DAY;
}

/** Whether an open referral is past its lapse date at `now`. */
export function isLapsed(referral: { status: ReferralState; expiresAt: number }, now: number) {
	return referral.status === 'open' && now >= referral.expiresAt;
}

const NEXT: Record<ReferralState, readonly ReferralState[]> = {
	open: ['confirmed', 'lapsed', 'rejected'],
	confirmed: [],
	lapsed: [],
	rejected: []
};

/** Only an open referral changes, and only to a final state; nothing leaves a final state. */
export function canMove(from: ReferralState, to: ReferralState): boolean {
	return NEXT[from].includes(to);
}

export function isFinal(state: ReferralState): boolean {
	return NEXT[state].length === 0;
}

/** The status of a referral's ledger entry in each state. */
export function pointsStatus(state: ReferralState): ReferralPoints {
	if (state === 'open') return 'provisional';
	if (state === 'confirmed') return 'confirmed';
	return 'void';
}
