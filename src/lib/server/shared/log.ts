// The server's log: JSON lines on stdout (pino), one object per event with `level`, `time`,
// `msg`, and the `reqId` of the request being served, so that a service's line can be found
// with the request's access line (server.ts writes one per request). In development
// (`vite dev`, or LOG_PRETTY=1) lines are printed readable by pino-pretty instead.
// LOG_LEVEL chooses the least level written: trace, debug, info (the default), warn, error.
//
// Server code logs through `log`, never console.* (ESLint refuses it there).
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

/** What is known about the request being served, for as long as its work runs. */
export interface RequestContext {
	reqId: string;
	/** The SvelteKit route template that answered (hooks.server.ts), for metrics. */
	route?: string;
}

// Shared through globalThis: SvelteKit's bundle and server.ts each have a copy of this module,
// and a request that server.ts starts is served by code in SvelteKit's bundle.
const KEY = Symbol.for('honorboard.log');
type Shared = { logger: Logger; context: AsyncLocalStorage<RequestContext> };

// pino's isoTime formats a new Date on every line: ~2 % of a replayed sale's CPU, for the same
// text as the line before at thousands of lines a second. The same text, built once a millisecond.
let timeMs = -1;
let timeText = '';
function isoTimeOncePerMs(): string {
	const now = Date.now();
	if (now !== timeMs) {
		timeMs = now;
		timeText = `,"time":"${new Date(now).toISOString()}"`;
	}
	return timeText;
}

function create(): Shared {
	const context = new AsyncLocalStorage<RequestContext>();
	const pretty =
		process.env.LOG_PRETTY === '1' ||
		(process.env.LOG_PRETTY !== '0' && process.env.NODE_ENV === 'development');
	const logger = pino({
		level: process.env.LOG_LEVEL || 'info',
		base: undefined,
		timestamp: isoTimeOncePerMs,
		formatters: { level: (label) => ({ level: label }) },
		mixin() {
			const reqId = context.getStore()?.reqId;
			return reqId ? { reqId } : {};
		},
		...(pretty ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } } : {})
	});
	return { logger, context };
}

const shared = ((globalThis as { [KEY]?: Shared })[KEY] ??= create());

export const log: Logger = shared.logger;

/** Runs `fn` with this request's context: every log line written while it runs carries reqId. */
export function withRequestContext<T>(context: RequestContext, fn: () => T): T {
	return shared.context.run(context, fn);
}

/** The context of the request being served, if any. */
export function requestContext(): RequestContext | undefined {
	return shared.context.getStore();
}
