// Production entry: one HTTP server for SvelteKit's handler and Socket.IO.
// Built by scripts/build-server.mjs to build/server.js; run with `node build/server.js`.
import { createServer } from 'node:http';
import { attachRealtime } from './src/lib/server/realtime/attach';
import { closeDb, getDb } from './src/lib/server/db';
import { startJobs } from './src/lib/server/shared/jobs';
import { handleFastSales } from './src/lib/server/api/fast-sales';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
// adapter-node rejects form posts whose Origin differs from ORIGIN; default to what the demo uses.
process.env.ORIGIN ??= `http://localhost:${port}`;
// Sales imports post whole CSV files; adapter-node's default limit is 512 KB.
process.env.BODY_SIZE_LIMIT ??= '50M';
// A write lock held by another process (a backup, the CLI) must not stall every request: SQLite
// waits this long on the event loop, then writes retry after yielding (db/index.ts).
process.env.DB_BUSY_TIMEOUT_MS ??= '100';

getDb(); // open and migrate before the first request
// 'honorboard:handler' is build/handler.js, which adapter-node writes beside build/server.js.
const { handler } = await import('honorboard:handler');

let stopping = false;
const server = createServer((req, res) => {
	// During shutdown every response closes its connection, so keep-alive clients cannot
	// hold the server open by sending more requests.
	if (stopping) res.setHeader('Connection', 'close');
	// POST /api/v1/sales, the hot path, without SvelteKit's per-request work (api/fast-sales.ts).
	if (handleFastSales(req, res)) return;
	handler(req, res);
});
const io = attachRealtime(server);
const stopJobs = startJobs(getDb());

server.listen(port, host, () => {
	console.log(`Honorboard is running at ${process.env.ORIGIN}`);
});

function shutdown(signal: string) {
	if (stopping) return;
	stopping = true;
	console.log(`${signal} received: finishing in-flight requests and closing`);
	// Stop accepting connections; Socket.IO's close disconnects clients and closes the server,
	// whose callback fires once in-flight requests are done.
	const force = setTimeout(() => {
		console.error('Shutdown took too long; exiting');
		process.exit(1);
	}, 10_000);
	force.unref();
	stopJobs();
	// Connections that were busy when the signal came become idle once their response is out.
	const sweep = setInterval(() => server.closeIdleConnections(), 100);
	sweep.unref();
	server.closeIdleConnections();
	io.close(() => {
		closeDb();
		process.exit(0);
	});
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
