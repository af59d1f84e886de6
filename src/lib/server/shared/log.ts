// The server's log: JSON lines on stdout (pino), one object per event with `level`, `time`,
// `msg`, and the `reqId` of the request being served, so that a service's line can be found
// with the request's access line (server.ts writes one per request). In development
// (`vite dev`, or LOG_PRETTY=1) lines are printed readable by pino-pretty instead.
// LOG_LEVEL chooses the least level written: trace, debug, info (the default), warn, error.
//
// Server code logs through `log`, never console.* (ESLint refuses it there).
import { AsyncLocalStorage } from 'node:async_hooks';
import { isMainThread } from 'node:worker_threads';
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
type Shared = {
	logger: Logger;
	context: AsyncLocalStorage<RequestContext>;
	/** Where JSON lines go (stdout), unless pretty-printed: see batchLogLines. */
	output: LineOutput | null;
};
type LineOutput = { write(line: string): void; target: { write(line: string): unknown } };

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
	const options: pino.LoggerOptions = {
		level: process.env.LOG_LEVEL || 'info',
		base: undefined,
		timestamp: isoTimeOncePerMs,
		formatters: { level: (label) => ({ level: label }) },
		mixin() {
			const reqId = context.getStore()?.reqId;
			return reqId ? { reqId } : {};
		}
	};
	if (pretty) {
		const transport = { target: 'pino-pretty', options: { ignore: 'pid,hostname' } };
		return { logger: pino({ ...options, transport }), context, output: null };
	}
	// pino's own stdout writer (one write per line, as soon as it is logged) until the server
	// asks for batches: a level of indirection so that batchLogLines can swap it.
	const output: LineOutput = {
		target: pino.destination({ dest: 1, sync: false, minLength: 0 }),
		write(line) {
			this.target.write(line);
		}
	};
	return { logger: pino(options, output), context, output };
}

/** Lines are handed to stdout's writer once this many characters are waiting (batchLogLines)… */
const LOG_BATCH_CHARS = 16_384;
/** …or at the latest this long after they were logged. */
const LOG_FLUSH_MS = 100;

/**
 * The server's lines go to stdout in batches of ~16 K characters, or 0.1 s after they were logged
 * at most, instead of one write (a job on libuv's thread pool and its callback) per line: at
 * thousands of requests a second, the access log's writes were ~9 % of a replayed sale's CPU.
 * The lines wait here, in an array joined once per batch: handed to pino's writer (sonic-boom)
 * one by one, each line appended to a growing string whose UTF-8 length it measured again,
 * ~2 µs a line against ~0.4 µs (docs/benchmarks.md, "Replays: the first replay"). What is
 * waiting is written when the process exits, synchronously (a clean shutdown and a crash lose
 * nothing); a SIGKILL loses at most the last 0.1 s. Called by server.ts alone: the CLI and
 * scripts keep one write per line, in order with what they print. Worker threads keep theirs
 * (pino flushes on exit in the main thread only).
 */
export function batchLogLines(): void {
	const output = shared.output;
	if (!output || !isMainThread) return;
	const target = pino.destination({ dest: 1, sync: false, minLength: 0 });
	const waiting: string[] = [];
	let waitingChars = 0;
	const handOver = () => {
		if (waiting.length === 0) return;
		const text = waiting.join('');
		waiting.length = 0;
		waitingChars = 0;
		target.write(text);
	};
	output.target = target;
	output.write = (line) => {
		waiting.push(line);
		waitingChars += line.length;
		if (waitingChars >= LOG_BATCH_CHARS) handOver();
	};
	setInterval(handOver, LOG_FLUSH_MS).unref();
	// pino flushes its writer when the process exits (and ends it when the event loop runs
	// out), before these run: what is still waiting here is written after it, in order;
	// synchronously on exit.
	process.on('beforeExit', () => {
		try {
			handOver();
		} catch {
			// Ended already: nothing more can be written.
		}
	});
	process.on('exit', () => {
		if (waiting.length === 0) return;
		try {
			handOver();
			target.flushSync();
		} catch {
			// stdout not open yet, or gone: nothing more can be written.
		}
	});
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
