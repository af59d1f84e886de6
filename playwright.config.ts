import { defineConfig } from '@playwright/test';
import { E2E_DATABASE, E2E_DB, E2E_PG_PORT, E2E_PORT, E2E_URL } from './tests/e2e/env';

// Browser tests against the production build (`npm run build` first). They share one freshly
// seeded demo database, so they run one at a time. `E2E_DATABASE=postgres` runs them on a
// throwaway PostgreSQL (tests/e2e/serve.mjs) instead of a SQLite file.
export default defineConfig({
	testDir: 'tests/e2e',
	// `npm test` runs the page sweeps in a second run beside the others (scripts/test-all.mjs):
	// E2E_IGNORE names the spec files (comma-separated) this run leaves out.
	testIgnore: (process.env.E2E_IGNORE ?? '')
		.split(',')
		.filter(Boolean)
		.map((file) => `**/${file}`),
	fullyParallel: false,
	workers: 1,
	retries: 0,
	reporter: 'list',
	forbidOnly: !!process.env.CI,
	timeout: 60_000,
	// Generous for a busy machine; passing assertions return as soon as they hold.
	expect: { timeout: 10_000 },
	use: {
		baseURL: E2E_URL,
		// A failed test keeps its trace (every action with the page's DOM before and after it) and
		// a screenshot. Without the trace's screencast (a JPEG of each frame the page paints): it
		// cost ~25 % more CPU and wall time than the rest of the trace (four spec files, three
		// runs each alternated on 2026-12-07: 143–153 core-s against 114–118; no trace 96–110).
		trace: { mode: 'retain-on-failure', screenshots: false },
		screenshot: 'only-on-failure',
		// The app's service worker would precache every asset in each test's fresh context: only
		// the offline spec, which tests it, lets it run.
		serviceWorkers: 'block'
	},
	projects: [
		{
			name: 'chromium',
			use: {
				browserName: 'chromium',
				launchOptions: {
					// Debian's Chromium: `playwright install` cannot download here.
					executablePath: '/usr/bin/chromium',
					args: [
						'--no-sandbox',
						'--disable-gpu',
						'--disable-background-networking',
						'--disable-component-update',
						'--disable-sync',
						'--no-first-run',
						'--disable-quic',
						// Chromium reads only the last --disable-features: Playwright's own list again
						// (chromiumSwitches.ts in Playwright 1.65), plus the address bar's suggestion
						// popup, a page Chromium renders in its own process for every window. Without
						// it, the browser tests take 12 % less CPU (175 -> 153 s for three spec files).
						`--disable-features=${[
							'AvoidUnnecessaryBeforeUnloadCheckSync',
							'DestroyProfileOnBrowserClose',
							'HttpsUpgrades',
							'HttpsFirstBalancedModeAutoEnable',
							'LensOverlay',
							'MediaRouter',
							'PaintHolding',
							'ThirdPartyStoragePartitioning',
							'AvoidCorsURLLoaderRestartOnRedirect',
							'TcpPortRandomizationWin',
							'OptimizationHints',
							'NetworkTimeServiceQuerying',
							'AimEnabled',
							'PreconnectToSearch',
							'WebUIOmniboxPopup'
						].join(',')}`
					]
				}
			}
		}
	],
	webServer: {
		command: 'node tests/e2e/serve.mjs',
		url: `${E2E_URL}/login`,
		reuseExistingServer: false,
		// Seeding takes a few seconds; a rebuild by someone else may delay the start (see serve.mjs).
		timeout: 90_000,
		stdout: 'ignore',
		stderr: 'pipe',
		gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
		env: {
			HONORBOARD_E2E_DB: E2E_DB,
			HONORBOARD_E2E_PG_PORT: E2E_DATABASE === 'postgres' ? String(E2E_PG_PORT) : '',
			PORT: String(E2E_PORT),
			HOST: '127.0.0.1',
			ORIGIN: E2E_URL
		}
	}
});
