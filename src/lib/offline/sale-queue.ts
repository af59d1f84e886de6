import type { ActionResult } from '@sveltejs/kit';

// The phone's queue of sales registered without a connection: what one holds, how it is sent
// (the /sell form's own fields, so the server dedupes it by the same key), and what an answer
// means for it. Pure: the IndexedDB store and the page do the I/O.

export interface QueuedLine {
	sku: string;
	/** The product's name when the sale was registered, to list it while offline. */
	name: string;
	quantity: number;
}

export interface QueuedSale {
	/** The form's requestId: the server counts one sale per person and key, however often sent. */
	key: string;
	/** Whose sale it is: one phone may be shared, and a sale is only ever sent by its seller. */
	userId: number;
	/** When it was registered on the phone (ms). */
	at: number;
	lines: QueuedLine[];
	customerRef?: string;
	/** Why the server refused it: it stays until the person deletes it. */
	refusal?: string;
}

/** A new key for a form, like the server's: 122 random bits (works outside secure contexts too). */
export function newSaleKey(random: (bytes: Uint8Array) => Uint8Array): string {
	const bytes = random(new Uint8Array(16));
	bytes[6] = (bytes[6] & 0x0f) | 0x40;
	bytes[8] = (bytes[8] & 0x3f) | 0x80;
	const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The sale a /sell form holds, to queue: its requestId, its `qty_<SKU>` fields (empty or 0 is
 * none) and its customer reference. Null when nothing could be sent.
 */
export function saleFromForm(
	form: Iterable<[string, FormDataEntryValue]>,
	names: ReadonlyMap<string, string>,
	userId: number,
	at: number
): QueuedSale | null {
	let key = '';
	let customerRef: string | undefined;
	const lines: QueuedLine[] = [];
	for (const [field, value] of form) {
		if (typeof value !== 'string') continue;
		if (field === 'requestId') key = value.trim();
		else if (field === 'customerRef') customerRef = value.trim() || undefined;
		else if (field.startsWith('qty_')) {
			const quantity = Number(value.trim());
			const sku = field.slice(4);
			if (Number.isInteger(quantity) && quantity > 0)
				lines.push({ sku, name: names.get(sku) ?? sku, quantity });
		}
	}
	if (!key || lines.length === 0) return null;
	return { key, userId, at, lines, ...(customerRef && { customerRef }) };
}

/** The body the /sell form action reads: exactly what the page's form would post. */
export function saleBody(sale: QueuedSale): URLSearchParams {
	const body = new URLSearchParams({ requestId: sale.key });
	for (const line of sale.lines) body.append(`qty_${line.sku}`, String(line.quantity));
	if (sale.customerRef) body.append('customerRef', sale.customerRef);
	return body;
}

/** What the /sell action answered about one sale, as the sale's result. */
export interface SentSale {
	points: number;
	status: string;
	duplicate: boolean;
	rank: number | null;
	of: number;
	confirmed: number;
	pending: number;
	gap: { pointsNeeded: number; nextName: string; nextRank: number } | null;
	breakdown: { ruleId?: number | null; points: number; label?: string }[];
}

export type Outcome =
	/** Counted (now or before: `duplicate`): remove it from the queue and show the result. */
	| { kind: 'sent'; sale: SentSale }
	/** The server will not take it: keep it, with the reason, for the person to delete. */
	| { kind: 'refused'; reason: string }
	/** Not now (no connection, a busy or failing server): keep it and try again later. */
	| { kind: 'later'; reason?: string }
	/** The session ended: keep it until the person signs in again. */
	| { kind: 'signed-out' };

/**
 * What an answer of the form action means for a queued sale. `result` is undefined when no
 * answer came (the request failed on the way: no signal, a dropped connection).
 */
export function outcomeOf(result: ActionResult | undefined): Outcome {
	if (!result) return { kind: 'later' };
	if (result.type === 'success') return { kind: 'sent', sale: result.data as unknown as SentSale };
	if (result.type === 'redirect')
		return /\/login\b/.test(result.location) ? { kind: 'signed-out' } : { kind: 'later' };
	if (result.type === 'failure') {
		const message = (result.data as { message?: unknown } | undefined)?.message;
		const reason = typeof message === 'string' ? message : undefined;
		// A busy database (503) or a server error passes; a refusal of this sale does not.
		if (result.status >= 500 || result.status === 429) return { kind: 'later', reason };
		return { kind: 'refused', reason: reason ?? String(result.status) };
	}
	// An error page's answer (500, 503): the server failed, not the sale.
	return { kind: 'later' };
}

/** One person's queued sales, oldest first (the order they are sent in). */
export function salesOf(all: readonly QueuedSale[], userId: number): QueuedSale[] {
	return all.filter((sale) => sale.userId === userId).sort((a, b) => a.at - b.at);
}

/** Whether a failed form post should be queued: no answer came, so the sale may not exist yet. */
export function isNetworkFailure(result: ActionResult): boolean {
	// Note: SvelteKit's enhance sets `status` on every error it got an answer for; a fetch that
	// threw (offline, connection dropped) leaves it unset.
	return result.type === 'error' && result.status === undefined;
}
