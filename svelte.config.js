import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// Content-Security-Policy on every page: nothing is loaded from or sent to another origin
		// (a season banner, say, can only be an uploaded image or a path on this site). SvelteKit
		// adds a nonce to its own inline script. Inline styles stay allowed: Svelte's style:
		// directives (team colours, themes) and transitions write them.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				// Socket.IO: polling over HTTP, then a WebSocket to the same host.
				'connect-src': ['self', 'ws:', 'wss:'],
				// canvas-confetti draws in a worker it creates from a blob: URL.
				'worker-src': ['self', 'blob:'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['self']
			}
		},
		typescript: {
			// Type-check the production entry, the CLI, the benchmarks and the configs too.
			config: (config) => {
				config.include.push(
					'../server.ts',
					'../scripts/**/*.ts',
					'../scripts/**/*.mjs',
					'../bench/**/*.ts',
					'../*.config.ts'
				);
			}
		}
	}
};

export default config;
