// Bundles server.ts (and the realtime/db modules it uses) into build/server.js, next to the
// handler that `vite build` wrote. Packages stay external: they are installed in node_modules.
import { build } from 'esbuild';

await build({
	entryPoints: ['server.ts'],
	outfile: 'build/server.js',
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	packages: 'external',
	logLevel: 'warning',
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
console.log('built build/server.js');
