// shared/metrics.ts as the read thread's bundle has it: scripts/build-server.mjs puts this file in
// its place there. The registry /metrics serves is the server's, in its main thread: what code
// running in the thread records is posted there, and ReadThread records it (thread.ts). Loading
// prom-client in the thread only to keep a second registry nobody reads cost its start ~45 ms of
// CPU (docs/benchmarks.md, "The read thread's boot").
import { parentPort } from 'node:worker_threads';
import type * as metrics from '../shared/metrics';

/** The recorders a thread may call: each returns nothing, so it can be answered by a message. */
type Recorders = Pick<
	typeof metrics,
	| 'observeHeavyRead'
	| 'countSalesRecorded'
	| 'countImport'
	| 'countWebhookDelivery'
	| 'countSchedulerTransitions'
	| 'markLeaderboardChange'
	| 'observePush'
>;

/** What the thread posts for one recorder call. */
export type MetricMessage = {
	[K in keyof Recorders]: { metric: K; args: Parameters<Recorders[K]> };
}[keyof Recorders];

function posted<K extends keyof Recorders>(metric: K): Recorders[K] {
	return ((...args: Parameters<Recorders[K]>) =>
		parentPort!.postMessage({ metric, args })) as Recorders[K];
}

export const observeHeavyRead = posted('observeHeavyRead');
export const countSalesRecorded = posted('countSalesRecorded');
export const countImport = posted('countImport');
export const countWebhookDelivery = posted('countWebhookDelivery');
export const countSchedulerTransitions = posted('countSchedulerTransitions');
export const markLeaderboardChange = posted('markLeaderboardChange');
export const observePush = posted('observePush');

/** A change marked here was posted to the main thread, which holds it: none is held here. */
export const takeLeaderboardChange: typeof metrics.takeLeaderboardChange = () => undefined;
