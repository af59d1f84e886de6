// shared/log.ts as the read thread's bundle has it: scripts/build-server.mjs puts this file in
// its place there. The thread logs only when something fails (a read that threw, a PostgreSQL
// pool's error), yet loading pino at its start (pino, thread-stream, sonic-boom and their
// serializers: ~97 KB) cost every start its compile and evaluation (docs/benchmarks.md, "The
// read thread's load on SQLite"). Here the real module is imported on the first line logged,
// and each line is handed to it, in order, as it was logged: the same logger, the same lines.
import { AsyncLocalStorage } from 'node:async_hooks';
import type * as real from '../shared/log';

export type { RequestContext } from '../shared/log';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
type Log = Pick<typeof real.log, Level>;

const context = new AsyncLocalStorage<real.RequestContext>();
let loaded: Promise<typeof real> | undefined;
let lines = Promise.resolve();

function logged(level: Level): Log[Level] {
	return ((...args: unknown[]) => {
		// The request being served when the line was logged, if any: its reqId, as shared/log.ts's.
		const at = context.getStore();
		loaded ??= import('../shared/log');
		lines = lines.then(async () => {
			const { log, withRequestContext } = await loaded!;
			const write = () => (log[level] as (...line: unknown[]) => void)(...args);
			if (at) withRequestContext(at, write);
			else write();
		});
	}) as Log[Level];
}

export const log: Log = {
	trace: logged('trace'),
	debug: logged('debug'),
	info: logged('info'),
	warn: logged('warn'),
	error: logged('error'),
	fatal: logged('fatal')
};

export const withRequestContext: typeof real.withRequestContext = (request, fn) =>
	context.run(request, fn);

export const requestContext: typeof real.requestContext = () => context.getStore();

/** A thread's lines are written one by one: shared/log.ts batches the main thread's alone. */
export const batchLogLines: typeof real.batchLogLines = () => undefined;
