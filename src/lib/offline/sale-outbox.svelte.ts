import { createStore, del, set, values, type UseStore } from 'idb-keyval';
import { deserialize } from '$app/forms';
import { resolve } from '$app/paths';
import type { ActionResult } from '@sveltejs/kit';
import { outcomeOf, saleBody, salesOf, type QueuedSale, type SentSale } from './sale-queue';

// The phone's queue of unsent sales in IndexedDB, as reactive state for /sell. A sale is sent
// with its own key, to the same form action a tap posts to: the server counts it once however
// often it arrives, so a sale is removed only once the server has answered for it.

let store: UseStore | undefined;
// Note: created on first use, in the browser (IndexedDB does not exist on the server).
const db = () => (store ??= createStore('honorboard-offline', 'sales'));

export class SaleOutbox {
	/** This person's sales on this phone, oldest first. */
	sales = $state<QueuedSale[]>([]);
	sending = $state(false);
	/** The session ended while sending: the sales wait for the person to sign in again. */
	signedOut = $state(false);

	constructor(
		/** Whose sales these are: the signed-in person's (read when used). */
		private readonly userId: () => number,
		private readonly landed: (sale: QueuedSale, result: SentSale) => void
	) {}

	async load() {
		this.sales = salesOf(await values<QueuedSale>(db()), this.userId());
	}

	async add(sale: QueuedSale) {
		await set(sale.key, sale, db());
		await this.load();
	}

	async remove(key: string) {
		await del(key, db());
		await this.load();
	}

	/** Sends every waiting sale, oldest first; stops at the first that cannot be sent now. */
	async sendAll() {
		if (this.sending) return;
		this.sending = true;
		try {
			for (const sale of salesOf(await values<QueuedSale>(db()), this.userId())) {
				if (sale.refusal) continue;
				const outcome = outcomeOf(await post(sale));
				if (outcome.kind === 'sent') {
					await del(sale.key, db());
					this.landed(sale, outcome.sale);
				} else if (outcome.kind === 'refused') {
					await set(sale.key, { ...sale, refusal: outcome.reason }, db());
				} else {
					this.signedOut = outcome.kind === 'signed-out';
					break;
				}
			}
		} finally {
			this.sending = false;
			await this.load();
		}
	}
}

/** Posts a queued sale as the page's form would; undefined when no answer came. */
async function post(sale: QueuedSale): Promise<ActionResult | undefined> {
	try {
		const response = await fetch(resolve('/sell'), {
			method: 'POST',
			headers: { accept: 'application/json', 'x-sveltekit-action': 'true' },
			body: saleBody(sale),
			cache: 'no-store'
		});
		const result = deserialize(await response.text());
		if (result.type === 'error') result.status = response.status;
		return result;
	} catch {
		// No connection, a dropped one, or an answer that is not the action's (a captive portal).
		return undefined;
	}
}
