// The office TV (/tv/<token>): celebrations as they happen, revoked and unknown links, coming
// back on its own after the server restarts, and no reload for a season's state sent again
// after a Redis outage.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { withDb } from './database';
import { E2E_DATABASE, E2E_DATABASE_URL } from './env';
import { expect, openBoard, PAGE_READY, repEmail, signIn, test } from './fixtures';
import { runCli, startServer, type RunningServer } from '../helpers/server';
import { startRedis, type TestRedis } from '../helpers/redis';
import { postSale } from '../helpers/sales';

/** How long an update may take to cross the socket to a page on a busy machine. */
const LIVE = 20_000;
const SCREEN = { width: 1920, height: 1080 };

/** Runs the CLI on a database and returns its last output line (the token, for `create`). */
async function cli(args: string[], dbPath = E2E_DATABASE_URL): Promise<string> {
	const result = await runCli(args, dbPath);
	if (result.code !== 0) {
		const output = `${result.stdout}${result.stderr}`;
		throw new Error(`cli ${args.join(' ')} exited with ${result.code}:\n${output}`);
	}
	return result.stdout.trim().split('\n').at(-1)!.trim();
}

const demoSeasonId = (url = E2E_DATABASE_URL) =>
	withDb((db) => db.value(`select id from season where key = 'demo'`), url);

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/**
 * A new participant of the demo season with no sales yet: the CLI creates the account; the
 * membership is the row that a manager's "add to team" writes.
 */
async function newcomer(): Promise<{ email: string; name: string }> {
	const id = unique();
	const person = { email: `newcomer-${id}@demo.test`, name: `Nova Quill ${id}` };
	await cli([
		'user',
		'create',
		'--email',
		person.email,
		'--name',
		person.name,
		'--role',
		'participant',
		'--password',
		'demo-password'
	]);
	const seasonId = await demoSeasonId();
	await withDb(async (db) => {
		const teamId = await db.value(
			'select id from team where season_id = ? order by id limit 1',
			seasonId
		);
		const userId = await db.value('select id from "user" where email = ?', person.email);
		await db.run(
			'insert into season_member (season_id, user_id, team_id, joined_at) values (?, ?, ?, ?)',
			seasonId,
			userId,
			teamId,
			Date.now()
		);
	});
	return person;
}

interface OwnDemo {
	/** The database's DATABASE_URL. */
	url: string;
	drop(): Promise<void>;
}

/**
 * A demo database of a test's own: on SQLite a copy of the run's (in `dir`); on PostgreSQL a
 * fresh database beside the run's, seeded by the CLI (a copy needs the run's database free of
 * connections, and the server holds its pool open).
 */
async function ownDemo(dir: string): Promise<OwnDemo> {
	if (E2E_DATABASE === 'sqlite') {
		const path = join(dir, 'tv.db');
		const source = new Database(E2E_DATABASE_URL, { readonly: true, fileMustExist: true });
		await source.backup(path).finally(() => source.close());
		return { url: path, drop: async () => {} };
	}
	const name = `tv_${unique()}`;
	await withDb((db) => db.run(`create database ${name}`));
	const url = new URL(E2E_DATABASE_URL);
	url.pathname = `/${name}`;
	await cli(['seed-demo'], url.toString());
	return {
		url: url.toString(),
		drop: () => withDb((db) => db.run(`drop database if exists ${name} with (force)`))
	};
}

/** Registers a sale of one line through the HTTP API, the way a CRM does. */
async function sell(
	url: string,
	apiToken: string,
	email: string,
	line: { sku: string; quantity: number; unitPrice: number }
): Promise<{ id: number; status: string; points: number }> {
	const answer = await postSale<{ sale: { id: number; status: string; points: number } }>(
		url,
		apiToken,
		{
			externalId: `tv-e2e-${unique()}`,
			seller: email,
			occurredAt: new Date().toISOString(),
			...line
		}
	);
	expect(answer.status, JSON.stringify(answer.body)).toBe(201);
	return answer.body.sale;
}

/** Opens the TV page in its own browser (no sign-in) and waits until its socket is live. */
async function openTv(browser: Browser, baseURL: string, token: string): Promise<Page> {
	const context = await browser.newContext({ baseURL, viewport: SCREEN });
	const tv = await context.newPage();
	await tv.goto(`/tv/${token}?rotate=0`);
	await expect(tv.getByRole('heading', { name: 'Podium' })).toBeVisible({ timeout: PAGE_READY });
	// The header says "Connecting…" until the first snapshot arrives over the socket.
	await expect(connecting(tv)).toHaveCount(0, { timeout: PAGE_READY });
	return tv;
}

/** The header's "Connecting…" or "Reconnecting…" badge. */
function connecting(tv: Page) {
	return tv.getByRole('status').filter({ hasText: /^(Re)?[cC]onnecting…$/ });
}

test('a first sale is toasted on another board and celebrated on the TV', async ({
	browser,
	baseURL,
	openAs
}) => {
	const seasonId = await demoSeasonId();
	const firstSale = await withDb((db) =>
		db.value<string>(
			`select name from badge
			where season_id = ? and active = true and criterion ->> 'kind' = 'first_sale'`,
			seasonId
		)
	);
	expect(firstSale).toBe('First sale');
	const [member, displayToken, apiToken] = await Promise.all([
		newcomer(),
		cli(['display', 'create', '--season', String(seasonId), '--name', 'Lobby TV']),
		cli(['token', 'create', '--name', 'tv e2e'])
	]);

	const tv = await openTv(browser, baseURL!, displayToken);
	const board = await openAs('rep2@demo.test');
	await openBoard(board);

	// Both go away after a few seconds: start looking before the sale.
	const toast = expect(board.getByText(`${member.name} earned First sale`)).toBeVisible({
		timeout: LIVE
	});
	const overlay = expect(tv.getByRole('alert').filter({ hasText: member.name })).toContainText(
		'earned First sale',
		{ timeout: LIVE }
	);
	// A small sale: no "big sale" or record celebration queues in front of the badge.
	await sell(baseURL!, apiToken, member.email, { sku: 'SCR', quantity: 1, unitPrice: 19 });
	await Promise.all([toast, overlay]);
	await expect(tv.getByRole('alert')).toContainText('Badge earned');
	await tv.context().close();
});

test('a revoked display is refused, and an open one says so', async ({ browser, baseURL }) => {
	const seasonId = String(await demoSeasonId());
	const token = await cli(['display', 'create', '--season', seasonId, '--name', 'Break room TV']);
	const tv = await openTv(browser, baseURL!, token);
	await tv.evaluate(() => ((window as { notReloaded?: boolean }).notReloaded = true));

	// Revoked from another process: the server notices at its next check (every 10 s).
	await cli(['display', 'revoke', '--token', token]);
	await expect(tv.getByRole('heading', { name: 'This display was revoked' })).toBeVisible({
		timeout: 25_000
	});
	await expect(tv.getByRole('heading', { name: 'Podium' })).toHaveCount(0);
	expect(await tv.evaluate(() => (window as { notReloaded?: boolean }).notReloaded)).toBe(true);

	const again = await tv.context().newPage();
	const revoked = await again.goto(`/tv/${token}`);
	expect(revoked?.status()).toBe(403);
	await expect(again.getByRole('heading', { name: 'This display was revoked' })).toBeVisible();

	const unknown = await again.goto(`/tv/tv_${'x'.repeat(32)}`);
	expect(unknown?.status()).toBe(404);
	await expect(
		again.getByRole('heading', { name: 'This display link is not valid' })
	).toBeVisible();
	await tv.context().close();
});

test.describe('a server restart', () => {
	let dir: string;
	let own: OwnDemo | undefined;
	let server: RunningServer | undefined;

	test.beforeEach(async () => {
		dir = mkdtempSync(join(tmpdir(), 'honorboard-tv-restart-'));
	});
	test.afterEach(async () => {
		await server?.stop();
		server = undefined;
		await own?.drop();
		own = undefined;
		rmSync(dir, { recursive: true, force: true });
	});

	test('the TV shows it is reconnecting and comes back live without a reload', async ({
		browser,
		request
	}) => {
		test.setTimeout(150_000);
		// Its own server on a database of its own, so that stopping it harms no one.
		const dbPath = (own = await ownDemo(dir)).url;
		const seasonId = await demoSeasonId(dbPath);
		const displayToken = await cli(
			['display', 'create', '--season', String(seasonId), '--name', 'Lobby TV'],
			dbPath
		);
		const apiToken = await cli(['token', 'create', '--name', 'tv e2e restart'], dbPath);

		server = await startServer({ dbPath });
		const { port, url } = server;
		const tv = await openTv(browser, url, displayToken);
		await tv.evaluate(() => ((window as { notReloaded?: boolean }).notReloaded = true));
		const first = tv.getByRole('listitem', { name: /^Rank 1: / }).first();
		const leader = /^Rank 1: (.+), [\d,]+ points$/.exec(
			(await first.getAttribute('aria-label')) ?? ''
		)?.[1];
		if (!leader) throw new Error('The TV podium shows no leader');

		await server.stop();
		server = undefined;
		await expect(connecting(tv)).toHaveText('Reconnecting…', { timeout: LIVE });

		server = await startServer({ dbPath, port });
		const phone = { sku: 'PH-PRO', quantity: 1, unitPrice: 1099 };
		const sale = await sell(url, apiToken, repEmail(leader), phone);
		expect(sale.points).toBeGreaterThan(0);
		// What the board should now show for the leader (badge bonuses included).
		const response = await request.get(`${url}/api/v1/seasons/${seasonId}/leaderboard?limit=3`, {
			headers: { authorization: `Bearer ${apiToken}` }
		});
		type Entries = { entries: { rank: number; name: string; points: number }[] };
		const { entries } = (await response.json()) as Entries;
		const now = entries.find((e) => e.name === leader)!;

		await expect(connecting(tv)).toHaveCount(0, { timeout: LIVE });
		const label = `Rank ${now.rank}: ${leader}, ${now.points.toLocaleString('en')} points`;
		await expect(tv.getByRole('listitem', { name: label })).toBeVisible({ timeout: LIVE });
		expect(await tv.evaluate(() => (window as { notReloaded?: boolean }).notReloaded)).toBe(true);
		await tv.context().close();
	});
});

test.describe('a Redis outage', () => {
	let dir: string;
	let own: OwnDemo | undefined;
	let server: RunningServer | undefined;
	let redis: TestRedis | undefined;

	test.beforeEach(async () => {
		dir = mkdtempSync(join(tmpdir(), 'honorboard-tv-redis-'));
	});
	test.afterEach(async () => {
		await server?.stop();
		await redis?.stop();
		server = undefined;
		redis = undefined;
		await own?.drop();
		own = undefined;
		rmSync(dir, { recursive: true, force: true });
	});

	test("does not reload the TV for the season's state sent again, and a rename does", async ({
		browser
	}) => {
		test.setTimeout(150_000);
		const dbPath = (own = await ownDemo(dir)).url;
		const seasonId = await demoSeasonId(dbPath);
		const displayToken = await cli(
			['display', 'create', '--season', String(seasonId), '--name', 'Lobby TV'],
			dbPath
		);
		redis = await startRedis();
		server = await startServer({ dbPath, env: { REDIS_URL: redis.url } });
		const { url } = server;
		const tv = await openTv(browser, url, displayToken);
		// The page's data loaded again (invalidateAll): what a `season` frame may cause.
		const reloads: string[] = [];
		tv.on('request', (request) => {
			if (request.url().includes('__data.json')) reloads.push(request.url());
		});
		await tv.evaluate(() => ((window as { notReloaded?: boolean }).notReloaded = true));

		// Redis dies and comes back: the node sends every watched season's state again, the
		// moment it logs that Redis answers (on the TV's socket before any later frame).
		await redis.kill();
		redis = await startRedis({ port: redis.port });
		await expect
			.poll(() => server!.output().includes('answers again;'), { timeout: LIVE })
			.toBe(true);

		// A rename after it: the TV loads its page again for that one.
		const manager = await (await browser.newContext({ baseURL: url })).newPage();
		await signIn(manager, 'manager@demo.test');
		await manager.goto(`/manage/seasons/${seasonId}`);
		const name = `Renamed ${unique()}`;
		await manager.getByLabel('Season name').fill(name);
		await manager.getByRole('button', { name: 'Save changes' }).click();
		await expect(tv.getByRole('heading', { level: 1, name })).toBeVisible({ timeout: LIVE });
		expect(reloads).toHaveLength(1);
		expect(await tv.evaluate(() => (window as { notReloaded?: boolean }).notReloaded)).toBe(true);
		await manager.context().close();
		await tv.context().close();
	});
});
