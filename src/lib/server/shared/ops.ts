// The operator's endpoints, answered by server.ts before SvelteKit (no session, no page):
// - GET /healthz: the process is up (200 whenever it answers at all).
// - GET /readyz: the database answers, its migrations are applied, the server is not shutting
//   down and, with REDIS_URL, its link to Redis is up: 200, otherwise 503 (a load balancer stops
//   sending requests). A node cut off from Redis still works, but its boards miss the other
//   nodes' sales: better they watch on a node that sees everything. With HONORBOARD_FANOUT=process
//   the live sockets (and the adapter's link to Redis) are in the fan-out child: it must be
//   alive, and its link up too.
// - GET /metrics: Prometheus' text format, for an API token with the admin role.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsFolder } from '../db';
import { getStore, newestAppliedMigration } from '../db/store';
import { migrationsOf } from '../db/dialect';
import { validateApiToken } from '../auth/api-token';
import type { TokenRole } from '../auth/token-roles';
import { AppError } from './errors';
import { log, requestContext } from './log';
import { metricsContentType, renderMetrics } from './metrics';

/** Answers a request and returns true, or returns false to let the next handler have it. */
export type EarlyHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Token roles that may read /metrics. */
export const METRICS_ROLES: readonly TokenRole[] = ['admin'];

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'cache-control': 'no-store',
		'content-length': Buffer.byteLength(text),
		...headers
	});
	res.end(text);
}

const lastMigration = new Map<'drizzle' | 'drizzle-pg', number>();
/**
 * When the newest migration of a folder was made (what the migrator records once applied):
 * drizzle/ for SQLite, drizzle-pg/ for PostgreSQL.
 */
function newestMigration(folder: 'drizzle' | 'drizzle-pg'): number {
	let newest = lastMigration.get(folder);
	if (newest === undefined) {
		const journal = JSON.parse(
			readFileSync(join(migrationsFolder(folder), 'meta/_journal.json'), 'utf8')
		) as { entries: { when: number }[] };
		newest = Math.max(0, ...journal.entries.map((e) => e.when));
		lastMigration.set(folder, newest);
	}
	return newest;
}

export interface Readiness {
	ready: boolean;
	checks: {
		database: 'ok' | 'unreachable';
		migrations: 'ok' | 'pending' | 'unknown';
		/**
		 * Only with REDIS_URL: whether every connection of this node to Redis is open (this
		 * process's and, with the fan-out process, the child's).
		 */
		redis?: 'up' | 'down';
		/** Only with HONORBOARD_FANOUT=process: whether the child holding the sockets is alive. */
		fanout?: 'up' | 'down';
	};
	shuttingDown: boolean;
}

/** What the readiness check asks beyond the database. */
export interface ReadinessProbes {
	/** With REDIS_URL: whether the link to Redis is up (realtime/redis.ts). */
	redisUp?: () => boolean;
	/** With HONORBOARD_FANOUT=process: whether the fan-out process is alive (realtime/fanout.ts). */
	fanoutUp?: () => boolean;
}

/** What /readyz reports; the database asked is the app's store (SQLite's file or the pool). */
export async function readiness(
	shuttingDown: boolean,
	probes: ReadinessProbes = {}
): Promise<Readiness> {
	let database: Readiness['checks']['database'] = 'unreachable';
	let migrations: Readiness['checks']['migrations'] = 'unknown';
	try {
		const store = getStore();
		const applied = await newestAppliedMigration(store);
		database = 'ok';
		migrations = (applied ?? 0) >= newestMigration(migrationsOf(store)) ? 'ok' : 'pending';
	} catch (error) {
		log.warn({ err: error }, 'readiness check failed');
	}
	const redis = probes.redisUp ? (probes.redisUp() ? 'up' : 'down') : undefined;
	const fanout = probes.fanoutUp ? (probes.fanoutUp() ? 'up' : 'down') : undefined;
	return {
		ready:
			database === 'ok' &&
			migrations === 'ok' &&
			redis !== 'down' &&
			fanout !== 'down' &&
			!shuttingDown,
		checks: { database, migrations, ...(redis && { redis }), ...(fanout && { fanout }) },
		shuttingDown
	};
}

const startedAt = Date.now();

function bearer(req: IncomingMessage): string | null {
	const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
	return match ? match[1] : null;
}

function refuse(res: ServerResponse, status: number, code: string, message: string) {
	sendJson(
		res,
		status,
		{ error: { code, message, details: {} } },
		status === 401 ? { 'www-authenticate': 'Bearer' } : {}
	);
}

async function metrics(res: ServerResponse, req: IncomingMessage) {
	try {
		const token = bearer(req);
		const principal = token ? await validateApiToken(getStore(), token) : null;
		if (!principal)
			return refuse(
				res,
				401,
				'unauthorized',
				'A valid API token is required (Authorization: Bearer <token>)'
			);
		if (!METRICS_ROLES.includes(principal.role))
			return refuse(
				res,
				403,
				'forbidden',
				`Metrics need a token with role ${METRICS_ROLES.join(' or ')}`
			);
	} catch (error) {
		if (error instanceof AppError) return refuse(res, error.status, error.code, error.message);
		log.error({ err: error }, 'metrics: token check failed');
		return refuse(res, 503, 'unavailable', 'The token could not be checked, try again');
	}
	renderMetrics().then(
		(text) => {
			res.writeHead(200, {
				'content-type': metricsContentType,
				'cache-control': 'no-store',
				'content-length': Buffer.byteLength(text)
			});
			res.end(text);
		},
		(error: unknown) => {
			log.error({ err: error }, 'metrics: collecting failed');
			refuse(res, 500, 'internal', 'Collecting the metrics failed');
		}
	);
}

/**
 * /healthz, /readyz and /metrics; `shuttingDown` tells whether the server is stopping, `probes`
 * what else readiness depends on.
 */
export function opsEndpoints(
	shuttingDown: () => boolean,
	probes: ReadinessProbes = {}
): EarlyHandler {
	return (req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') return false;
		const context = requestContext();
		if (context) context.route = path;
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			sendJson(
				res,
				405,
				{ error: { code: 'method_not_allowed', message: `${path} answers GET`, details: {} } },
				{ allow: 'GET, HEAD' }
			);
			return true;
		}
		if (path === '/healthz') {
			sendJson(res, 200, {
				status: 'ok',
				uptimeSeconds: Math.round((Date.now() - startedAt) / 1000)
			});
		} else if (path === '/readyz') {
			void readiness(shuttingDown(), probes).then((state) =>
				sendJson(res, state.ready ? 200 : 503, {
					status: state.ready ? 'ready' : 'not_ready',
					...state
				})
			);
		} else {
			void metrics(res, req);
		}
		return true;
	};
}
