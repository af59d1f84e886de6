// `npm test`: checks formatting, lint and types (server.ts, scripts/ and bench/ included), builds
// the app, runs every Vitest project (unit + integration) and the Playwright browser tests against
// the production build, then prints one closing line with the totals.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

// Not test-results/: Playwright empties that folder when it starts.
const out = '.test-reports';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/**
 * @param {string} title
 * @param {string} command
 * @param {string[]} args
 * @param {Record<string, string>} env
 */
function run(title, command, args, env = {}) {
	console.log(`\n▶ ${title}`);
	const started = Date.now();
	const cpu = childrenCpu();
	const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
	// Each step's time, to keep the whole run within CI's 30 minutes.
	console.log(`◀ ${title}: ${took(started, cpu)}`);
	return result.status ?? 1;
}

/**
 * The CPU seconds of this process's children that have ended (Linux: /proc/self/stat's cutime and
 * cstime, in 1/100 s), or null elsewhere. A step's CPU says more than its wall time on a machine
 * shared with other work: both are printed.
 */
function childrenCpu() {
	try {
		const stat = readFileSync('/proc/self/stat', 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[13]) + Number(fields[14])) / 100;
	} catch {
		return null;
	}
}

/** "N s" since `started`, with the CPU its children took since `cpu` where known. */
function took(/** @type {number} */ started, /** @type {number | null} */ cpu) {
	const wall = `${Math.round((Date.now() - started) / 1000)} s`;
	const now = childrenCpu();
	return cpu === null || now === null ? wall : `${wall} (CPU ${Math.round(now - cpu)} s)`;
}

/** @param {string} path */
function readJson(path) {
	return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
let failedSteps = 0;
/** @type {string[]} The steps that failed, named again in the closing lines (CI keeps only the tail). */
const failedStepNames = [];
/** @param {string} name @param {number} code */
function counted(name, code) {
	if (code === 0) return 0;
	failedStepNames.push(name);
	return 1;
}
// A style or type error fails the run, but the tests still run so that one run shows everything.
// The lint and the type check (`npm run check`'s steps) each keep one core busy for minutes:
// they run side by side, once the generated files both read (messages, .svelte-kit) are written.
failedSteps += counted(
	'generated files',
	run('generated files (messages, svelte-kit sync)', 'sh', [
		'-c',
		'npm run -s i18n && npx svelte-kit sync'
	])
);
console.log(
	'\n▶ lint (prettier --check, eslint) [lint] beside the type check (svelte-check) [check]'
);
const checksStarted = Date.now();
const checksCpu = childrenCpu();
const checks = await Promise.all([
	runPrefixed('lint', 'npm', ['run', 'lint'], {}),
	runPrefixed(
		'check',
		npx,
		['svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'error'],
		{}
	)
]);
console.log(`◀ lint and type check: ${took(checksStarted, checksCpu)}`);
failedSteps += counted('lint', checks[0]) + counted('type check', checks[1]);
if (run('build', 'npm', ['run', 'build']) !== 0) {
	console.log('\ntests: 0 passed, 1 failed (the build failed)');
	process.exit(1);
}
// The build compiled the messages one module per message (the pages load only those they use);
// the tests read them one module per language, which Vitest imports ~2× faster (build/ is done).
failedSteps += counted(
	'messages for the tests',
	run('messages for the tests', 'npm', ['run', '-s', 'i18n'])
);
// Vitest runs two files at a time (its default on 2 cores is one: the integration tests mostly
// wait on the servers they start, so two halve the run). The fan-out test, whose two server
// processes are the most timing-sensitive, runs alone after them.
// pg-fanout's last case stops its PostgreSQL and expects the child to find no database on that
// port: beside other files another file's throwaway cluster could take the port meanwhile.
const SERIAL = ['tests/integration/realtime-fanout.test.ts', 'tests/integration/pg-fanout.test.ts'];
failedSteps += counted(
	'vitest',
	run('vitest (unit + integration)', npx, [
		'vitest',
		'run',
		'--maxWorkers=2',
		...SERIAL.flatMap((file) => ['--exclude', file]),
		'--reporter=default',
		'--reporter=json',
		`--outputFile.json=${out}/vitest.json`
	])
);
failedSteps += counted(
	'vitest (alone)',
	run('vitest (the tests that run alone)', npx, [
		'vitest',
		'run',
		'--maxWorkers=1',
		...SERIAL,
		'--reporter=default',
		'--reporter=json',
		`--outputFile.json=${out}/vitest-serial.json`
	])
);
// The browser tests in two Playwright runs at once, each with its own server and demo database:
// the page sweeps (axe, layouts, CSP), which only read, beside every other spec. Each run keeps
// one worker (its specs share their database); the two together keep both cores busy, where one
// run alone leaves them waiting on the browser and the server in turn. The API tokens' and the
// TV languages' specs ride with the sweeps (they write, but after them: Playwright runs the files
// in name order), and the PostgreSQL run follows the sweeps in their lane, to even the two lanes
// out. The TV spec rode there too until the PostgreSQL run joined the lane (CI on 2026-12-07:
// sweeps 619 s + PostgreSQL 227 s against the other specs' 682 s; the TV spec took 64 s of the
// sweeps').
const SWEEPS = [
	'a11y.spec.ts',
	'layout.spec.ts',
	'csp.spec.ts',
	'tokens.spec.ts',
	'tv-dashboard-i18n.spec.ts'
];
// The browser on PostgreSQL (E2E_DATABASE=postgres: tests/e2e/serve.mjs seeds the demo on a
// throwaway cluster): the specs that drive most of the app's PostgreSQL paths — selling on the
// phone and its double submit, the live board, scoring and reviews, the season console and the
// roles it refuses, the TV, a CSV import with its progress and a re-upload counted as
// duplicates (data). It runs after the sweeps: measured in docs/postgres.md ("The browser tests
// on PostgreSQL"). Left out:
// - the dashboard's spec (since 2026-12-07, for CI's 30 minutes: 67 s on PostgreSQL, when its
//   lane ended last); it passes on PostgreSQL, and pg-server.test.ts serves the dashboard's
//   page and its CSV from the pool;
// - the real exports' imports (import-formats): they pass on PostgreSQL; the same import path as
//   data's, left out for time;
// - the page sweeps (a11y, layout, csp) and the languages' specs: they read pages the other
//   specs already load, and cost minutes; they pass on PostgreSQL (run them with
//   E2E_DATABASE=postgres);
// - the TV's Redis outage: Redis's part, the same on both databases;
// - the other specs (account, auth, launch, offline, quizzes, rewards, formats' phones, race and
//   rules consoles, exports, tokens, times): each passes on PostgreSQL, left out for time.
const POSTGRES_SPECS = [
	'sell-phone.spec.ts',
	'sell.spec.ts',
	'live.spec.ts',
	'scoring.spec.ts',
	'season-console.spec.ts',
	'tv.spec.ts',
	'data.spec.ts'
];
const POSTGRES_LEFT_OUT = 'a Redis outage';
// The first run on the specs' usual port (tests/e2e/env.ts), the sweeps on the next one, the
// PostgreSQL run on the one after (its cluster on that port + 1000).
const SPECS_PORT = 4391;
/**
 * Runs a command with each line of its output prefixed by `[name]` (runs side by side stay
 * readable); resolves with its exit code.
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @returns {Promise<number>}
 */
function runPrefixed(name, command, args, env) {
	return new Promise((done) => {
		const child = spawn(command, args, {
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		for (const stream of [child.stdout, child.stderr]) {
			let rest = '';
			stream.on('data', (chunk) => {
				const lines = (rest + chunk).split('\n');
				rest = lines.pop() ?? '';
				for (const line of lines) console.log(`[${name}] ${line}`);
			});
			stream.on('end', () => rest && console.log(`[${name}] ${rest}`));
		}
		child.on('close', (code) => done(code ?? 1));
	});
}
console.log(
	'\n▶ playwright (browser): the page sweeps [sweeps], then the specs on PostgreSQL [postgres], beside the other specs [specs]'
);
const browserStarted = Date.now();
const browserCpu = childrenCpu();
/** The sweeps, then the PostgreSQL run: one lane, one Playwright at a time. */
async function sweepsThenPostgres() {
	const sweeps = await runPrefixed(
		'sweeps',
		npx,
		[
			'playwright',
			'test',
			...SWEEPS.map((file) => `tests/e2e/${file}`),
			'--reporter=list,json',
			'--output=test-results/sweeps'
		],
		{
			E2E_PORT: String(SPECS_PORT + 1),
			PLAYWRIGHT_JSON_OUTPUT_FILE: `${out}/playwright-sweeps.json`
		}
	);
	const started = Date.now();
	const postgres = await runPrefixed(
		'postgres',
		npx,
		[
			'playwright',
			'test',
			...POSTGRES_SPECS.map((file) => `tests/e2e/${file}`),
			`--grep-invert=${POSTGRES_LEFT_OUT}`,
			'--reporter=list,json',
			'--output=test-results/postgres'
		],
		{
			E2E_PORT: String(SPECS_PORT + 2),
			E2E_DATABASE: 'postgres',
			PLAYWRIGHT_JSON_OUTPUT_FILE: `${out}/playwright-postgres.json`
		}
	);
	// Its wall time only: the other lane's CPU is counted when that lane ends, meanwhile or not.
	console.log(`◀ playwright on PostgreSQL: ${Math.round((Date.now() - started) / 1000)} s`);
	return { sweeps, postgres };
}
const [lane, specs] = await Promise.all([
	sweepsThenPostgres(),
	runPrefixed(
		'specs',
		npx,
		['playwright', 'test', '--reporter=list,json', '--output=test-results/specs'],
		{
			E2E_PORT: String(SPECS_PORT),
			E2E_IGNORE: SWEEPS.join(','),
			PLAYWRIGHT_JSON_OUTPUT_FILE: `${out}/playwright.json`
		}
	)
]);
console.log(`◀ playwright: ${took(browserStarted, browserCpu)}`);
failedSteps +=
	counted('playwright sweeps', lane.sweeps) +
	counted('playwright specs', specs) +
	counted('playwright on PostgreSQL', lane.postgres);

/** The two Vitest reports as one. */
function vitestReport() {
	const parts = [readJson(`${out}/vitest.json`), readJson(`${out}/vitest-serial.json`)].filter(
		Boolean
	);
	if (parts.length === 0) return null;
	const sum = (/** @type {string} */ key) =>
		parts.reduce((total, part) => total + (part[key] ?? 0), 0);
	return {
		numPassedTests: sum('numPassedTests'),
		numFailedTests: sum('numFailedTests'),
		numPendingTests: sum('numPendingTests'),
		numTodoTests: sum('numTodoTests'),
		testResults: parts.flatMap((part) => part.testResults ?? [])
	};
}
const vitest = vitestReport();
/**
 * The three Playwright reports as one (stats summed, suites side by side); the PostgreSQL run's
 * files are named with `[postgres]`, so that a failure says on which database.
 */
function playwrightReport() {
	const parts = [
		{ report: readJson(`${out}/playwright.json`), tag: '' },
		{ report: readJson(`${out}/playwright-sweeps.json`), tag: '' },
		{ report: readJson(`${out}/playwright-postgres.json`), tag: ' [postgres]' }
	].filter((part) => part.report);
	if (parts.length === 0) return null;
	const stat = (/** @type {string} */ key) =>
		parts.reduce((total, part) => total + (part.report.stats?.[key] ?? 0), 0);
	return {
		stats: {
			expected: stat('expected'),
			unexpected: stat('unexpected'),
			skipped: stat('skipped'),
			flaky: stat('flaky')
		},
		suites: parts.flatMap(({ report, tag }) =>
			(report.suites ?? []).map((/** @type {any} */ suite) => ({
				...suite,
				file: `${suite.file}${tag}`
			}))
		)
	};
}
const playwright = playwrightReport();
const passed = (vitest?.numPassedTests ?? 0) + (playwright?.stats?.expected ?? 0);
let failed = (vitest?.numFailedTests ?? 0) + (playwright?.stats?.unexpected ?? 0);
const skipped =
	(vitest?.numPendingTests ?? 0) + (vitest?.numTodoTests ?? 0) + (playwright?.stats?.skipped ?? 0);
const flaky = playwright?.stats?.flaky ?? 0;
// A runner that crashed before writing its report still fails the run.
if (failedSteps > 0 && failed === 0) failed = failedSteps;

// CI keeps only the tail of the output: name every failed test (and the first lines of why)
// again here, after the browser tests, so the reason is never scrolled away.
const failures = [];
for (const file of vitest?.testResults ?? []) {
	// A file can fail with none of its tests failed: a hook (beforeAll) that threw or timed out
	// leaves its tests skipped, an import error leaves none.
	if (file.status === 'failed' && file.message)
		failures.push({
			where: `${file.name.replace(`${process.cwd()}/`, '')} (the file)`,
			why: file.message
		});
	for (const test of file.assertionResults ?? [])
		if (test.status === 'failed')
			failures.push({
				where: `${file.name.replace(`${process.cwd()}/`, '')} › ${test.fullName ?? test.title}`,
				why: (test.failureMessages ?? []).join('\n')
			});
}
/** @param {any} suite */
function playwrightFailures(suite, file = suite.file) {
	for (const child of suite.suites ?? []) playwrightFailures(child, file);
	for (const spec of suite.specs ?? [])
		for (const test of spec.tests ?? [])
			if (test.status === 'unexpected')
				failures.push({
					where: `${file} › ${spec.title}`,
					why: (test.results ?? []).map((/** @type {any} */ r) => r.error?.message ?? '').join('\n')
				});
}
for (const suite of playwright?.suites ?? []) playwrightFailures(suite);
if (failures.length > 0) {
	console.log(`\n✗ ${failures.length} failed:`);
	for (const { where, why } of failures) {
		console.log(`\n  ✗ ${where}`);
		const lines = why
			// eslint-disable-next-line no-control-regex
			.replace(/\u001b\[[0-9;]*m/g, '')
			.split('\n')
			.slice(0, 12);
		for (const line of lines) console.log(`    ${line}`);
	}
}

console.log(
	`\nvitest: ${vitest?.numPassedTests ?? 0} passed, ${vitest?.numFailedTests ?? 0} failed`
);
console.log(
	`playwright: ${playwright?.stats?.expected ?? 0} passed, ${playwright?.stats?.unexpected ?? 0} failed${flaky ? `, ${flaky} flaky` : ''}`
);
// No test is meant to be skipped: one that is names the file whose hook failed.
const skippedTests = (vitest?.testResults ?? []).flatMap((/** @type {any} */ file) =>
	(file.assertionResults ?? [])
		.filter((/** @type {any} */ test) => ['skipped', 'pending'].includes(test.status))
		.map(
			(/** @type {any} */ test) =>
				`${file.name.replace(`${process.cwd()}/`, '')} › ${test.fullName ?? test.title}`
		)
);
if (skippedTests.length > 0 && skippedTests.length <= 20)
	console.log(`\nskipped:\n${skippedTests.map((where) => `  - ${where}`).join('\n')}`);
if (failedStepNames.length > 0) console.log(`steps that failed: ${failedStepNames.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failedSteps > 0 ? 1 : 0);
