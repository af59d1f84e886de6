// `npm run cli -- webhook create|list|delete` (DESIGN.md "Contracts of the second round").
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { runCli } from '../helpers/server';
import { lastLine, readDb } from '../helpers/seeded';

// Every command is a fresh `tsx` process: allow for a busy machine.
vi.setConfig({ testTimeout: 60_000 });

let dir: string;
let path: string;
beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'honorboard-webhook-cli-'));
	path = join(dir, 'cli.db');
	expect((await runCli(['migrate'], path)).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hooks = () =>
	readDb(path, (db) =>
		db.prepare('select id, url, events, secret from webhook order by id').all()
	) as {
		id: number;
		url: string;
		events: string;
		secret: string;
	}[];

describe('webhook commands', () => {
	it('create prints the secret alone on its last line; list shows it; delete removes it', async () => {
		const created = await runCli(
			[
				'webhook',
				'create',
				'--url',
				'https://93.184.216.34/hook',
				'--events',
				'sale.confirmed,season.ended'
			],
			path
		);
		expect(created.code).toBe(0);
		const secret = lastLine(created.stdout);
		expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
		// A secret the standardwebhooks package accepts as it is.
		expect(() => new Webhook(secret)).not.toThrow();
		const [row] = hooks();
		expect(row).toMatchObject({ url: 'https://93.184.216.34/hook', secret });
		expect(JSON.parse(row.events)).toEqual(['sale.confirmed', 'season.ended']);

		const listed = await runCli(['webhook', 'list'], path);
		expect(listed.code).toBe(0);
		expect(listed.stdout).toMatch(
			new RegExp(
				`^${row.id}\\s+active\\s+sale\\.confirmed,season\\.ended\\s+https://93\\.184\\.216\\.34/hook\\s`,
				'm'
			)
		);
		expect(listed.stdout).not.toContain(secret);

		const deleted = await runCli(['webhook', 'delete', '--id', String(row.id)], path);
		expect(deleted.code).toBe(0);
		expect(hooks()).toEqual([]);
		const again = await runCli(['webhook', 'delete', '--id', String(row.id)], path);
		expect(again.code).toBe(1);
		expect(again.stderr).toMatch(/no longer exists/);
	});

	it('refuses unknown events, a bad URL and a private target, and saves nothing', async () => {
		for (const [args, message] of [
			[['--url', 'https://93.184.216.34/hook', '--events', 'sale.created'], /Unknown event/],
			[['--url', 'ftp://93.184.216.34/hook', '--events', 'sale.confirmed'], /http/],
			[
				['--url', 'http://127.0.0.1:8080/hook', '--events', 'sale.confirmed'],
				/private or internal/
			],
			[
				['--url', 'http://169.254.169.254/latest/', '--events', 'sale.confirmed'],
				/private or internal/
			],
			[['--events', 'sale.confirmed'], /--url is required/]
		] as const) {
			const result = await runCli(['webhook', 'create', ...args], path);
			expect(result.code, args.join(' ')).toBe(1);
			expect(result.stderr).toMatch(message);
		}
		expect(hooks()).toEqual([]);
	});
});
