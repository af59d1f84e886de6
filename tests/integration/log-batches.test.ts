// The server's log lines in batches (shared/log.ts batchLogLines): they wait in the process
// for ~16 K characters or 0.1 s, then go to stdout together. Nothing acknowledged is lost: every
// line logged before a clean exit, or before an uncaught error ends the process, is on stdout,
// once and in order; a line logged 0.1 s or more before a SIGKILL is too (the timer wrote it).
// Each case runs a child process that logs and ends as it says.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const LOG = resolve('src/lib/server/shared/log.ts');

/** Runs `body` after batchLogLines() in a child; its stdout's JSON lines and how it ended. */
function runChild(body: string) {
	const dir = mkdtempSync(join(tmpdir(), 'log-batches-'));
	try {
		const file = join(dir, 'child.ts');
		writeFileSync(
			file,
			`import { batchLogLines, log } from ${JSON.stringify(LOG)};\nbatchLogLines();\n${body}\n`
		);
		const child = spawnSync(process.execPath, ['--import', 'tsx', file], {
			env: { ...process.env, LOG_PRETTY: '0', LOG_LEVEL: 'info', NODE_ENV: 'production' },
			encoding: 'utf8',
			timeout: 60_000,
			maxBuffer: 64 * 1024 * 1024
		});
		const lines = child.stdout
			.split('\n')
			.filter((line) => line.startsWith('{'))
			.map((line) => JSON.parse(line) as { msg: string; n?: number });
		return { lines, status: child.status, signal: child.signal, stderr: child.stderr };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

const numbers = (lines: { n?: number }[]) => lines.map((line) => line.n);
const upTo = (count: number) => Array.from({ length: count }, (_, i) => i);

describe('log lines in batches', () => {
	it('are all written, once and in order, when the process exits right after logging them', () => {
		// 5,000 access-like lines (~750 K characters: many batches) and a last one under a batch.
		const child = runChild(`
			for (let n = 0; n < 5000; n++)
				log.info({ n, reqId: 'r-' + n, method: 'POST', path: '/api/v1/sales', status: 200, ms: 0.4 }, 'request');
			process.exit(0);
		`);
		expect(child.status, child.stderr).toBe(0);
		expect(numbers(child.lines)).toEqual(upTo(5000));
		expect(child.lines.every((line) => line.msg === 'request')).toBe(true);
	});

	it('are all written when an uncaught error ends the process', () => {
		const child = runChild(`
			for (let n = 0; n < 3; n++) log.info({ n }, 'before the error');
			setTimeout(() => { throw new Error('boom'); }, 0);
		`);
		expect(child.status).not.toBe(0);
		expect(child.stderr).toContain('boom');
		expect(numbers(child.lines)).toEqual(upTo(3));
	});

	it('are written within 0.1 s, under a batch: a SIGKILL a moment later loses none of them', () => {
		const child = runChild(`
			for (let n = 0; n < 3; n++) log.info({ n }, 'a quiet moment');
			setTimeout(() => process.kill(process.pid, 'SIGKILL'), 500);
		`);
		expect(child.signal).toBe('SIGKILL');
		expect(numbers(child.lines)).toEqual(upTo(3));
	});
});
