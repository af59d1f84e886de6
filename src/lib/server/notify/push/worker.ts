import type { Store } from '../../db/store';
import type { Clock } from '../../shared/clock';
import { log } from '../../shared/log';
import { startPushNotices } from './queue';
import { sendDuePushes } from './send';

/**
 * Web push in a running server: queues what people's phones are told and sends it within
 * seconds, on either dialect (the sender claims each row: of several nodes one sends it). Returns
 * the stop.
 */
export function startPush(
	store: Store,
	options: { clock?: Clock; intervalMs?: number } = {}
): () => void {
	const stopNotices = startPushNotices(store);
	// A slow push service never delays the next round twice.
	let sending = false;
	const timer = setInterval(async () => {
		if (sending) return;
		sending = true;
		try {
			await sendDuePushes(store, { clock: options.clock });
		} catch (error) {
			log.error({ err: error }, 'push sending failed');
		} finally {
			sending = false;
		}
	}, options.intervalMs ?? 2_000);
	timer.unref();
	return () => {
		clearInterval(timer);
		stopNotices();
	};
}
