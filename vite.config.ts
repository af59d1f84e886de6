import { sveltekit } from '@sveltejs/kit/vite';
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
			httpServer.once('listening', async () => {
				const mod = await server.ssrLoadModule('/src/lib/server/realtime/attach.ts');
				mod.attachRealtime(httpServer);
			});
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), realtime()],
	test: {
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'unit',
					environment: 'node',
					include: ['src/**/*.spec.ts']
				}
			},
			{
				extends: './vite.config.ts',
				test: {
					name: 'integration',
					environment: 'node',
					include: ['tests/integration/**/*.test.ts'],
					testTimeout: 30_000,
					hookTimeout: 60_000
				}
			}
		]
	}
});
