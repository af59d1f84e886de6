import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
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
