// Bundles server.ts (and the realtime/db modules it uses) into build/server.js, next to the
// handler that `vite build` wrote. Packages stay external: they are installed in node_modules.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

/**
 * Server modules import the messages as `import { m } from '…/paraglide/messages.js'`, a
 * re-exported namespace that esbuild cannot tree-shake: every bundle carried all ~2,700
 * messages in six languages (6.9 of build/server.js's 7.3 MB, compiled at every start). As
 * `import * as m from '…/messages/_index.js'` esbuild keeps only the messages the server uses
 * (docs/benchmarks.md, "Cold start").
 * @type {import('esbuild').Plugin}
 */
const messagesUsed = {
	name: 'paraglide-messages-used',
	setup(b) {
		b.onLoad({ filter: /[\\/]src[\\/]lib[\\/].*\.ts$/ }, async (args) => {
			const source = await readFile(args.path, 'utf8');
			if (!source.includes('paraglide/messages.js')) return undefined;
			return {
				contents: source.replace(
					/import \{ m \} from '((?:\.\.\/)+)paraglide\/messages\.js';/g,
					"import * as m from '$1paraglide/messages/_index.js';"
				),
				loader: 'ts'
			};
		});
	}
};

/** What every bundle shares: one ESM file for Node 20, packages left in node_modules. */
const node = /** @type {const} */ ({
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	packages: 'external',
	logLevel: 'warning'
});

await build({
	...node,
	entryPoints: ['server.ts'],
	outfile: 'build/server.js',
	plugins: [
		messagesUsed,
		{
			name: 'handler-beside',
			setup(b) {
				b.onResolve({ filter: /^honorboard:handler$/ }, () => ({
					path: './handler.js',
					external: true
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
// The CLI too, so that a production install (the container) can run it without tsx or src/:
// `node build/cli.js user create …`, `node build/cli.js backup --to FILE`.
await build({
	...node,
	entryPoints: ['scripts/cli.ts'],
	outfile: 'build/cli.js',
	plugins: [messagesUsed]
});
console.log('built build/server.js, build/fanout.js and build/cli.js');
