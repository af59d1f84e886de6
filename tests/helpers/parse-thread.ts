import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { messagesUsed } from '../../scripts/messages-used.mjs';

// The import's parse thread (imports/parse-thread.ts) runs a bundled entry: the server's is
// build/import-parse-thread.js (scripts/build-server.mjs). Tests and benches bundle the same
// source the same way into a temp folder instead, so that they need no `npm run build`.

let built: Promise<string> | undefined;

/** The path of a bundled parse-thread entry (bundled once per process). */
export function parseThreadEntry(): Promise<string> {
	built ??= (async () => {
		// Inside the project, so that the packages left out of the bundle resolve from node_modules.
		const root = resolve('.svelte-kit/test-entries');
		mkdirSync(root, { recursive: true });
		const outfile = join(mkdtempSync(join(root, 'parse-')), 'parse-thread.mjs');
		await build({
			entryPoints: [resolve('src/lib/server/imports/parse-worker.ts')],
			outfile,
			bundle: true,
			platform: 'node',
			format: 'esm',
			target: 'node20',
			external: ['better-sqlite3', '@node-rs/argon2'],
			banner: {
				js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
			},
			plugins: [messagesUsed],
			logLevel: 'warning'
		});
		return outfile;
	})();
	return built;
}
