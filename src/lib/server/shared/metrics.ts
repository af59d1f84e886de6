// Prometheus metrics (GET /metrics, server.ts). One registry for the process: the app is bundled
// more than once (SvelteKit's server, server.ts), and prom-client, an external package, is the
// one copy they share, so every metric is looked up in its registry before it is created.
// Other capabilities record through the small functions below, one call each.
import client from 'prom-client';

const { register } = client;

function metric<T extends client.Metric>(name: string, create: () => T): T {
	return (register.getSingleMetric(name) as T | undefined) ?? create();
}

const KEY = Symbol.for('honorboard.metrics');
type State = {
	defaults: boolean;
	/** When a season's leaderboard first changed since its last push (performance.now()). */
	changedAt: Map<number, number>;
	/** Reads the number of connected sockets (set by server.ts once Socket.IO is attached). */
	socketCount?: () => number;
	/** With REDIS_URL: reads the commands waiting for Redis and those dropped (server.ts). */
	redisStats?: () => { pending: number; dropped: number };
	/** The dropped count the counter last reached (a counter only goes up by increments). */
	redisDropped: number;
};
const state: State = ((globalThis as { [KEY]?: State })[KEY] ??= {
	defaults: false,
	changedAt: new Map(),
	redisDropped: 0
});

/** Default process and Node.js metrics (CPU, memory, event-loop lag, GC), registered once. */
export function collectDefaultMetrics(): void {
	if (state.defaults) return;
	state.defaults = true;
	client.collectDefaultMetrics({ register });
}

const salesRecorded = metric(
	'honorboard_sales_recorded_total',
	() =>
		new client.Counter({
			name: 'honorboard_sales_recorded_total',
			help: 'Sales recorded (new ones only: a repeated externalId is not counted), by channel',
			labelNames: ['channel'] as const
		})
);

metric(
	'honorboard_socket_connections',
	() =>
		new client.Gauge({
			name: 'honorboard_socket_connections',
			help: 'Socket.IO clients connected (people and TV displays)',
			collect() {
				this.set(state.socketCount?.() ?? 0);
			}
		})
);

metric(
	'honorboard_redis_commands_pending',
	() =>
		new client.Gauge({
			name: 'honorboard_redis_commands_pending',
			help: 'With REDIS_URL: commands sent to Redis (or waiting to be) and not answered yet; bounded by REDIS_QUEUE_MAX per connection',
			collect() {
				this.set(state.redisStats?.().pending ?? 0);
			}
		})
);

metric(
	'honorboard_redis_commands_dropped_total',
	() =>
		new client.Counter({
			name: 'honorboard_redis_commands_dropped_total',
			help: 'With REDIS_URL: commands to Redis that failed (queue full while Redis hung, or lost with the connection): pushes to the other nodes that were dropped',
			collect() {
				const dropped = state.redisStats?.().dropped ?? 0;
				if (dropped > state.redisDropped) this.inc(dropped - state.redisDropped);
				state.redisDropped = Math.max(state.redisDropped, dropped);
			}
		})
);

const pushDuration = metric(
	'honorboard_push_duration_seconds',
	() =>
		new client.Histogram({
			name: 'honorboard_push_duration_seconds',
			help: 'Time from a leaderboard change to the push of the new standings to its room',
			buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
		})
);

const httpDuration = metric(
	'honorboard_http_request_duration_seconds',
	() =>
		new client.Histogram({
			name: 'honorboard_http_request_duration_seconds',
			help: 'HTTP requests by route template (not the raw URL), method and status',
			labelNames: ['route', 'method', 'status'] as const,
			buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]
		})
);

const formatReads = metric(
	'honorboard_heavy_read_duration_seconds',
	() =>
		new client.Histogram({
			name: 'honorboard_heavy_read_duration_seconds',
			help: "Heavy reads (a push's contest format views, the scheduler's sprint decisions and knockout rounds, the dashboard's figures, the board a season's end freezes, the mails' rankings and summaries), by where they ran: the read thread or inline on the event loop",
			labelNames: ['kind', 'where'] as const,
			buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]
		})
);

/** One heavy read took `seconds`, in the read thread or inline. */
export function observeHeavyRead(
	kind: 'views' | 'sprint' | 'knockoutRound' | 'dashboard' | 'board' | 'rankings' | 'summaries',
	where: 'thread' | 'inline',
	seconds: number
): void {
	formatReads.observe({ kind, where }, seconds);
}

const importRows = metric(
	'honorboard_import_rows_total',
	() =>
		new client.Counter({
			name: 'honorboard_import_rows_total',
			help: 'Rows of sales CSV files imported, by outcome (accepted, rejected) and mode (commit, dry_run)',
			labelNames: ['outcome', 'mode'] as const
		})
);

const webhookDeliveries = metric(
	'honorboard_webhook_deliveries_total',
	() =>
		new client.Counter({
			name: 'honorboard_webhook_deliveries_total',
			help: 'Webhook delivery attempts, by outcome (delivered, retry, failed)',
			labelNames: ['outcome'] as const
		})
);

const schedulerTransitions = metric(
	'honorboard_scheduler_transitions_total',
	() =>
		new client.Counter({
			name: 'honorboard_scheduler_transitions_total',
			help: 'Season status changes made by the scheduler, by the status reached',
			labelNames: ['to'] as const
		})
);

export const metricsContentType = register.contentType;

/** The registry in Prometheus' text format. */
export function renderMetrics(): Promise<string> {
	return register.metrics();
}

/** server.ts: where the socket gauge reads its value. */
export function countSocketsWith(read: () => number): void {
	state.socketCount = read;
}

/** server.ts: where the Redis gauges read their values (with REDIS_URL). */
export function countRedisWith(read: () => { pending: number; dropped: number }): void {
	state.redisStats = read;
}

/** New sales recorded, after their transaction committed. */
export function countSalesRecorded(count: number, channel: 'single' | 'import' = 'single'): void {
	if (count > 0) salesRecorded.inc({ channel }, count);
}

/** One finished import (or dry run): its rows by outcome, and the new sales it committed. */
export function countImport(report: {
	dryRun: boolean;
	accepted: number;
	rejected: number;
	sales: { new: number };
}): void {
	const mode = report.dryRun ? 'dry_run' : 'commit';
	if (report.accepted) importRows.inc({ outcome: 'accepted', mode }, report.accepted);
	if (report.rejected) importRows.inc({ outcome: 'rejected', mode }, report.rejected);
	if (!report.dryRun) countSalesRecorded(report.sales.new, 'import');
}

/** One webhook delivery attempt: delivered, or a failure to retry, or the last failure. */
export function countWebhookDelivery(delivered: boolean, lastAttempt: boolean): void {
	webhookDeliveries.inc({ outcome: delivered ? 'delivered' : lastAttempt ? 'failed' : 'retry' });
}

/** Season transitions made by one scheduler run. */
export function countSchedulerTransitions(transitions: readonly { to: string }[]): void {
	for (const t of transitions) schedulerTransitions.inc({ to: t.to });
}

/** A season's leaderboard changed: the push that follows measures from the first change. */
export function markLeaderboardChange(seasonId: number): void {
	if (!state.changedAt.has(seasonId)) state.changedAt.set(seasonId, performance.now());
}

/** The push of a season's standings begins: returns (and forgets) when its first change was. */
export function takeLeaderboardChange(seasonId: number): number | undefined {
	const at = state.changedAt.get(seasonId);
	state.changedAt.delete(seasonId);
	return at;
}

/** The push went out: observes the time since the change `takeLeaderboardChange` returned. */
export function observePush(changedAt: number | undefined): void {
	if (changedAt !== undefined) pushDuration.observe((performance.now() - changedAt) / 1000);
}

/** One HTTP request answered (server.ts, from the response's finish). */
export function observeHttpRequest(
	route: string,
	method: string,
	status: number,
	seconds: number
): void {
	httpDuration.observe({ route, method: normaliseMethod(method), status: String(status) }, seconds);
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Unknown methods share one label, so that a client cannot create series at will. */
function normaliseMethod(method: string): string {
	return METHODS.has(method) ? method : 'OTHER';
}
