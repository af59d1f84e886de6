// Bundles server.ts (and the realtime/db modules it uses) into build/server.js, next to the
// handler that `vite build` wrote. Packages stay external: they are installed in node_modules.
import { build } from 'esbuild';

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
	outfile: 'build/fanout.js'
});
// The CLI too, so that a production install (the container) can run it without tsx or src/:
// `node build/cli.js user create …`, `node build/cli.js backup --to FILE`.
await build({ ...node, entryPoints: ['scripts/cli.ts'], outfile: 'build/cli.js' });
console.log('built build/server.js, build/fanout.js and build/cli.js');
