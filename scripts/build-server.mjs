// Bundles server.ts into build/server.js together with the handler that `vite build` wrote and
// the packages both use, so that a start reads a handful of files instead of resolving and
// loading ~1,400 modules one by one (docs/benchmarks.md, "Cold start"); the fan-out process
// (build/fanout.js) and the CLI (build/cli.js) likewise.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { messagesUsed } from './messages-used.mjs';

/**
 * What every bundle shares: ESM for Node 20, the packages in the bundle except the native ones
 * (they stay in node_modules), so that a start reads a few files instead of resolving and
 * loading hundreds of modules one by one.
 */
/** @type {import('esbuild').BuildOptions} */
const node = {
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	external: ['better-sqlite3', '@node-rs/argon2', 'bufferutil', 'utf-8-validate', 'fsevents'],
	minifyWhitespace: true,
	minifySyntax: true,
	// Bundled CommonJS packages require Node's modules: `require` as in a CommonJS file.
	banner: {
		js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
	},
	logLevel: 'warning'
};

/**
 * adapter-node's build/env.js finds build/client/ beside itself (`dir`); bundled, its code may
 * land in a chunk one folder below build/, so it looks one level up when client/ is not there.
 * @type {import('esbuild').Plugin}
 */
const handlerDir = {
	name: 'handler-dir',
	setup(b) {
		b.onLoad({ filter: /[\\/]build[\\/]env\.js$/ }, async (args) => {
			const source = await readFile(args.path, 'utf8');
			const line = 'const dir = path.dirname(fileURLToPath(import.meta.url));';
			if (!source.includes(line)) throw new Error(`${args.path}: no \`${line}\` to adapt`);
			return {
				contents:
					"import { existsSync as __exists } from 'node:fs';\n" +
					source.replace(
						line,
						'let dir = path.dirname(fileURLToPath(import.meta.url));\n' +
							"if (!__exists(path.join(dir, 'client'))) dir = path.dirname(dir);"
					),
				loader: 'js'
			};
		});
	}
};

// The server with the handler and its packages, in chunks: what a route needs is loaded when it
// is first asked for (SvelteKit's lazy imports stay lazy), everything the start needs comes in
// a few files. Native packages stay in node_modules.
await build({
	...node,
	entryPoints: { server: 'server.ts' },
	outdir: 'build',
	splitting: true,
	chunkNames: 'server-chunks/[name]-[hash]',
	// Not warnings: SvelteKit's chunks keep bare imports of side-effect-free packages (`import
	// 'zod'`) that esbuild rightly drops, one warning each (thousands).
	logLevel: 'error',
	plugins: [
		messagesUsed,
		handlerDir,
		{
			name: 'handler-bundled',
			setup(b) {
				b.onResolve({ filter: /^honorboard:handler$/ }, () => ({
					path: resolve('build/handler.js')
				}));
			}
		}
	]
});
// The live fan-out process that build/server.js forks when HONORBOARD_FANOUT=process.
await build({
	...node,
	entryPoints: ['src/lib/server/realtime/fanout-process.ts'],
	outfile: 'build/fanout.js',
	plugins: [messagesUsed]
});
/**
 * In the read thread's bundle, shared/metrics.ts is reads/thread-metrics.ts: what the thread
 * records is posted to the server's registry, and prom-client stays out of the thread.
 * @type {import('esbuild').Plugin}
 */
const threadMetrics = {
	name: 'thread-metrics',
	setup(b) {
		const metrics = resolve('src/lib/server/shared/metrics');
		b.onResolve({ filter: /\/metrics$/ }, (args) =>
			resolve(args.resolveDir, args.path) === metrics
				? { path: resolve('src/lib/server/reads/thread-metrics.ts') }
				: undefined
		);
	}
};
/**
 * In the read thread's bundle, shared/log.ts is reads/thread-log.ts, which imports the real one
 * on the first line logged (its own import of it is left as it is): pino stays out of the
 * thread's start.
 * @type {import('esbuild').Plugin}
 */
const threadLog = {
	name: 'thread-log',
	setup(b) {
		const log = resolve('src/lib/server/shared/log');
		const standIn = resolve('src/lib/server/reads/thread-log.ts');
		b.onResolve({ filter: /\/log$/ }, (args) =>
			resolve(args.resolveDir, args.path) === log && args.importer !== standIn
				? { path: standIn }
				: undefined
		);
	}
};
// The read thread (src/lib/server/reads/thread.ts), which build/server.js and build/fanout.js
// start beside themselves: build/read-thread.js, and each kind of request's code in a chunk it
// imports on the first request of that kind (reads/worker.ts).
await build({
	...node,
	entryPoints: { 'read-thread': 'src/lib/server/reads/worker.ts' },
	outdir: 'build',
	splitting: true,
	chunkNames: 'read-thread-chunks/[name]-[hash]',
	plugins: [messagesUsed, threadMetrics, threadLog]
});
// The checkpoint thread (src/lib/server/db/checkpointer.ts), which build/server.js starts.
await build({
	...node,
	entryPoints: ['src/lib/server/db/checkpoint-worker.ts'],
	outfile: 'build/checkpoint-thread.js',
	plugins: [messagesUsed]
});
// The import's parse thread (src/lib/server/imports/parse-thread.ts), which an import started
// by build/server.js runs beside itself.
await build({
	...node,
	entryPoints: ['src/lib/server/imports/parse-worker.ts'],
	outfile: 'build/import-parse-thread.js',
	plugins: [messagesUsed]
});
// The CLI too, so that a production install (the container) can run it without tsx or src/:
// `node build/cli.js user create …`, `node build/cli.js backup --to FILE`.
await build({
	...node,
	entryPoints: ['scripts/cli.ts'],
	outfile: 'build/cli.js',
	plugins: [messagesUsed]
});
console.log(
	'built build/server.js, build/fanout.js, build/read-thread.js, build/checkpoint-thread.js, build/import-parse-thread.js and build/cli.js'
);
