import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// Attaches Socket.IO to Vite's dev server the way server.ts does in production. The module is
// loaded through Vite so that it shares `$lib` and the database with the SvelteKit app.
function realtime(): Plugin {
	return {
		name: 'honorboard-realtime',
		configureServer(server) {
			if (!server.httpServer) return;
			const httpServer = server.httpServer as import('node:http').Server;
			// Through the app's store, on SQLite or PostgreSQL (DATABASE_URL), as server.ts does.
			httpServer.once('listening', async () => {
				const { attachRealtime } = await server.ssrLoadModule('/src/lib/server/realtime/attach.ts');
				const { openAppStore } = await server.ssrLoadModule('/src/lib/server/db/store.ts');
				attachRealtime(httpServer, { store: await openAppStore() });
			});
		}
	};
}

// The messages in messages/*.json compile into src/lib/paraglide (git-ignored); `npm run i18n`
// does the same outside Vite. The language is chosen per request by server/i18n/handle.ts and
// read back on the page from <html lang> (hooks.client.ts).
export const I18N = {
	project: './project.inlang',
	outdir: './src/lib/paraglide',
	strategy: ['custom-honorboard', 'baseLocale'] as ['custom-honorboard', 'baseLocale']
};

// The integration files that mock modules, stub the environment or the clock, or set
// process.env, and the two fan-out files `npm test` runs alone after the others (the PostgreSQL
// one's last test, after the other in a shared graph, saw its node exit with 1 on SIGTERM):
// each runs in a module graph of its own (the other files share one per worker).
const ISOLATED = [
	'brackets.test.ts',
	'pg-fanout.test.ts',
	'realtime-fanout.test.ts',
	'db-open.test.ts',
	'fast-sales-promises.test.ts',
	'fast-sales-replay.test.ts',
	'held-answers.test.ts',
	'periodic-badges-store.test.ts',
	'replay-any-size.test.ts',
	'scheduler-lease.test.ts',
	'season-end-results.test.ts',
	'webhooks.test.ts'
];

export default defineConfig({
	// Vitest reads the compiled messages (`npm run i18n`, run on install and by `npm test`'s build):
	// the plugin's watcher would keep its process from exiting.
	plugins: [process.env.VITEST ? null : paraglideVitePlugin(I18N), sveltekit(), realtime()],
	test: {
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'unit',
					environment: 'node',
					include: ['src/**/*.spec.ts'],
					// One module graph per worker for all the unit specs: importing it again for each
					// file took 85 % of their run (76 s -> 15 s). What a spec may change in a shared
					// module (the paraglide locale) is put back before each file.
					isolate: false,
					setupFiles: ['tests/helpers/unit-setup.ts']
				}
			},
			{
				extends: './vite.config.ts',
				test: {
					name: 'integration',
					environment: 'node',
					// One module graph per worker, as the unit specs have: each of ~180 files imported the
					// server's modules again. `npm test`'s Vitest step at load 6-9 (other work): 1,113 s of
					// CPU, Vitest's import phase 500 s (summed over files), against 778 s and 140 s with one
					// graph per worker (that run also copying its PostgreSQL clusters, tests/helpers/postgres.ts).
					// Each file still opens its own databases and servers.
					include: [
						'tests/integration/**/*.test.ts',
						...ISOLATED.map((file) => `!tests/integration/${file}`)
					],
					isolate: false,
					setupFiles: ['tests/helpers/integration-setup.ts'],
					testTimeout: 30_000,
					hookTimeout: 60_000,
					// The compiled messages are plain JavaScript: Node loads them itself. Through Vite's
					// module runner they were most of each file's import (exports.test.ts: 7.7 of 10.5 s);
					// 20 integration files took 167 s of CPU before, 121 s after (load ~7).
					server: { deps: { external: [/\/src\/lib\/paraglide\//] } }
				}
			},
			{
				extends: './vite.config.ts',
				test: {
					name: 'integration-isolated',
					environment: 'node',
					include: ISOLATED.map((file) => `tests/integration/${file}`),
					testTimeout: 30_000,
					hookTimeout: 60_000,
					server: { deps: { external: [/\/src\/lib\/paraglide\//] } }
				}
			}
		]
	}
});
