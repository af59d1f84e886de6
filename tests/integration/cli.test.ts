// `npm run cli -- <command>` (DESIGN.md "Contracts"), run as a child process on temp files.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServer } from '../helpers/server';
import { tempDb } from '../helpers/db';
import { lastLine, readDb, signIn } from '../helpers/seeded';

// Every command is a fresh `tsx` process (about a second of CPU each): allow for a busy machine.
vi.setConfig({ testTimeout: 60_000 });

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'honorboard-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tables(path: string): string[] {
	return readDb(path, (db) =>
		db
			.prepare(
				"select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name"
			)
			.pluck()
			.all()
	) as string[];
}

function counts(path: string) {
	return readDb(path, (db) => {
		const one = (sql: string) => db.prepare(sql).pluck().get() as number;
		return {
			users: one('select count(*) from user'),
			seasons: one('select count(*) from season'),
			teams: one('select count(*) from team'),
			members: one('select count(*) from season_member'),
			products: one('select count(*) from product'),
			sales: one('select count(*) from sale'),
			ledger: one('select count(*) from ledger_entry'),
			saleEntries: one("select count(*) from ledger_entry where kind = 'sale'"),
			awards: one('select count(*) from award'),
			ledgerPoints: one(
				"select coalesce(sum(points), 0) from ledger_entry where status = 'confirmed'"
			),
			standings: one('select count(*) from standing'),
			points: one('select coalesce(sum(confirmed_points), 0) from standing'),
			version: one('select coalesce(sum(version), 0) from season')
		};
	});
}

describe('migrate', () => {
	it('creates the schema in an empty file: the same tables the migrations give', async () => {
		const path = file('empty.db');
		writeFileSync(path, '');
		const result = await runCli(['migrate'], path);
		expect(result.code, result.stderr).toBe(0);

		const reference = tempDb();
		const expected = tables(reference.path);
		reference.cleanup();
		expect(expected).toEqual(
			expect.arrayContaining([
				'api_token',
				'audit_event',
				'ledger_entry',
				'product',
				'sale',
				'sale_line',
				'season',
				'season_member',
				'session',
				'standing',
				'team',
				'user'
			])
		);
		expect(tables(path)).toEqual(expected);
	});

	it('creates a database file in a folder that does not exist yet', async () => {
		const path = file('nested/deeper/new.db');
		const result = await runCli(['migrate'], path);
		expect(result.code, result.stderr).toBe(0);
		expect(existsSync(path)).toBe(true);
		expect(tables(path)).toContain('ledger_entry');
	});
});

describe('user create', () => {
	const path = () => file('users.db');

	it('creates a user with an argon2id hash of the password', async () => {
		const result = await runCli(
			[
				'user',
				'create',
				'--email',
				'Casey@Example.com',
				'--name',
				'Casey Jones',
				'--role',
				'manager',
				'--password',
				'correct horse'
			],
			path()
		);
		expect(result.code, result.stderr).toBe(0);
		const row = readDb(path(), (db) =>
			db.prepare("select * from user where email = 'casey@example.com'").get()
		) as Record<string, string> | undefined;
		expect(row).toMatchObject({ display_name: 'Casey Jones', role: 'manager' });
		expect(row!.password_hash.startsWith('$argon2id$')).toBe(true);
		expect(row!.password_hash).toContain('m=19456,t=2,p=1');
		expect(row!.password_hash).not.toContain('correct horse');
	});

	it('refuses the same email (in any case) with a non-zero exit and a clear message', async () => {
		const before = counts(path()).users;
		const emails = ['Casey@Example.com', 'CASEY@example.COM'];
		const results = await Promise.all(
			emails.map((email) =>
				runCli(
					[
						'user',
						'create',
						'--email',
						email,
						'--name',
						'Other',
						'--role',
						'participant',
						'--password',
						'another password'
					],
					path()
				)
			)
		);
		results.forEach((result, i) => {
			expect(result.code, emails[i]).not.toBe(0);
			expect(result.stderr).toMatch(/exists already/i);
			expect(result.stderr).toContain(emails[i]);
		});
		expect(counts(path()).users).toBe(before);
	});

	it('refuses bad arguments and unknown commands with a non-zero exit and says what is wrong', async () => {
		const create = (change: Record<string, string>) =>
			Object.entries({
				'--email': 'new@example.com',
				'--name': 'New',
				'--role': 'participant',
				'--password': 'long enough',
				...change
			}).flat();
		const cases: [string[], RegExp][] = [
			[['user', 'create', ...create({ '--password': 'short' })], /--password needs at least 8/],
			[['user', 'create', ...create({ '--role': 'boss' })], /--role must be one of/],
			[
				['token', 'create', '--name', 'x', '--role', 'participant'],
				/--role must be one of: integration, manager, admin/
			],
			[['frobnicate'], /Unknown command: frobnicate[\s\S]*Usage:/]
		];
		const results = await Promise.all(cases.map(([args]) => runCli(args, path())));
		results.forEach((result, i) => {
			expect(result.code, cases[i][0].join(' ')).not.toBe(0);
			expect(result.stderr).toMatch(cases[i][1]);
		});
		expect(
			readDb(path(), (db) =>
				db.prepare("select count(*) from user where email = 'new@example.com'").pluck().get()
			)
		).toBe(0);
		expect(readDb(path(), (db) => db.prepare('select count(*) from api_token').pluck().get())).toBe(
			0
		);
	});

	it('lets the new user sign in through /login', async () => {
		const server = await startServer({ dbPath: path() });
		try {
			const session = await signIn(server.url, 'casey@example.com', 'correct horse');
			expect(session).toMatch(/^[a-z2-7]{32}$/);
			const stored = readDb(path(), (db) => db.prepare('select id from session').pluck().all());
			// Only the SHA-256 of the session token is stored.
			expect(stored).toEqual([createHash('sha256').update(session).digest('hex')]);
		} finally {
			await server.stop();
		}
	});
});

describe('token create', () => {
	it('prints the token alone on its last line, stores only its SHA-256, least privilege by default', async () => {
		const path = file('tokens.db');
		const result = await runCli(['token', 'create', '--name', 'crm'], path);
		expect(result.code, result.stderr).toBe(0);
		const token = lastLine(result.stdout);
		expect(token).toMatch(/^\S{20,}$/);
		expect(result.stdout.trimEnd().endsWith(`\n${token}`)).toBe(true);

		const rows = readDb(path, (db) => db.prepare('select * from api_token').all()) as Record<
			string,
			unknown
		>[];
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({
			name: 'crm',
			role: 'integration',
			expires_at: null,
			token_hash: createHash('sha256').update(token).digest('hex')
		});
		// The token itself is nowhere in the database files (main file or WAL).
		for (const suffix of ['', '-wal']) {
			if (existsSync(path + suffix))
				expect(readFileSync(path + suffix).includes(token)).toBe(false);
		}
	});

	it('creates a token with the manager role', async () => {
		const path = file('tokens.db');
		const manager = await runCli(['token', 'create', '--name', 'ops', '--role', 'manager'], path);
		expect(manager.code, manager.stderr).toBe(0);
		expect(
			readDb(path, (db) =>
				db.prepare("select role from api_token where name = 'ops'").pluck().get()
			)
		).toBe('manager');
	});
});

describe('token list and revoke', () => {
	const inDb = (path: string, name: string) =>
		readDb(path, (db) =>
			db.prepare('select role, expires_at, revoked_at from api_token where name = ?').get(name)
		) as { role: string; expires_at: number | null; revoked_at: number | null };

	it('lists every token with its role, expiry and last use; revokes one by name', async () => {
		const path = file('token-list.db');
		// One after the other: the first run creates the database file.
		const created = [
			await runCli(['token', 'create', '--name', 'till', '--expires', '2099-01-31'], path),
			await runCli(['token', 'create', '--name', 'ops', '--role', 'admin'], path)
		];
		for (const c of created) expect(c.code, c.stderr).toBe(0);
		expect(created[0].stdout).toMatch(/integration, expires 2099-01-31T00:00:00Z/);
		expect(inDb(path, 'till').expires_at).toBe(Date.parse('2099-01-31T00:00:00Z'));

		const list = await runCli(['token', 'list'], path);
		expect(list.code, list.stderr).toBe(0);
		const lines = list.stdout.trim().split('\n');
		expect(lines[0]).toMatch(/^NAME\s+ROLE\s+STATUS\s+CREATED\s+BY\s+EXPIRES\s+LAST USED$/);
		expect(lines.find((l) => l.startsWith('till'))).toMatch(
			/^till\s+integration\s+active\s+\S+Z\s+cli\s+2099-01-31T00:00:00Z\s+never$/
		);
		expect(lines.find((l) => l.startsWith('ops'))).toMatch(/^ops\s+admin\s+active\s/);
		// The tokens themselves are never listed.
		for (const c of created) expect(list.stdout).not.toContain(lastLine(c.stdout));

		const revoked = await runCli(['token', 'revoke', '--name', 'till'], path);
		expect(revoked.code, revoked.stderr).toBe(0);
		expect(revoked.stdout).toMatch(/"till" revoked/);
		expect(inDb(path, 'till').revoked_at).toBeGreaterThan(0);
		expect(inDb(path, 'ops').revoked_at).toBeNull();
		const after = await runCli(['token', 'list'], path);
		expect(after.stdout.split('\n').find((l) => l.startsWith('till'))).toMatch(/revoked \S+Z/);

		// Revoking again, or a name nobody has, says so and fails.
		const again = await runCli(['token', 'revoke', '--name', 'till'], path);
		expect(again.code).not.toBe(0);
		expect(again.stderr).toMatch(/No token in use is named "till"/);
		// The name is free again once its token is revoked.
		const reuse = await runCli(['token', 'create', '--name', 'till'], path);
		expect(reuse.code, reuse.stderr).toBe(0);
	});

	it('refuses a past or unreadable expiry, and a name already in use', async () => {
		const path = file('token-bad.db');
		const first = await runCli(['token', 'create', '--name', 'crm'], path);
		expect(first.code, first.stderr).toBe(0);
		const cases: [string[], RegExp][] = [
			[['token', 'create', '--name', 'a', '--expires', '2001-01-01'], /in the future/],
			[['token', 'create', '--name', 'b', '--expires', 'next week'], /--expires must be a date/],
			[['token', 'create', '--name', 'crm'], /"crm" is in use already/],
			[['token', 'revoke'], /--name is required/]
		];
		const results = await Promise.all(cases.map(([args]) => runCli(args, path)));
		results.forEach((result, i) => {
			expect(result.code, cases[i][0].join(' ')).not.toBe(0);
			expect(result.stderr).toMatch(cases[i][1]);
		});
		expect(readDb(path, (db) => db.prepare('select count(*) from api_token').pluck().get())).toBe(
			1
		);
	});
});

describe('seed-demo', () => {
	it('seeds the demo season once: a second run changes no counts', async () => {
		const path = file('demo.db');
		const first = await runCli(['seed-demo'], path);
		expect(first.code, first.stderr).toBe(0);
		const afterFirst = counts(path);
		const second = await runCli(['seed-demo'], path);
		expect(second.code, second.stderr).toBe(0);
		expect(counts(path)).toEqual(afterFirst);

		expect(afterFirst.sales).toBeGreaterThan(0);
		// One ledger entry per sale (badges add their own); standings hold what the ledger sums to,
		// once for the people and once for the teams.
		expect(afterFirst.saleEntries).toBe(afterFirst.sales);
		expect(afterFirst.points).toBe(2 * afterFirst.ledgerPoints);
		expect(afterFirst.version).toBeGreaterThanOrEqual(afterFirst.sales);

		const demo = readDb(path, (db) => ({
			seasons: db.prepare("select id, status from season where key = 'demo'").all() as {
				id: number;
				status: string;
			}[],
			teams: db.prepare('select name from team order by name').pluck().all(),
			participants: db
				.prepare(
					`select u.email from season_member m join user u on u.id = m.user_id join season s on s.id = m.season_id
					 where s.key = 'demo' and u.role = 'participant'`
				)
				.pluck()
				.all() as string[],
			staff: db
				.prepare("select email || ':' || role from user where role != 'participant' order by email")
				.pluck()
				.all()
		}));
		expect(demo.seasons).toEqual([{ id: expect.any(Number), status: 'live' }]);
		expect(demo.teams).toHaveLength(3);
		expect(demo.participants.sort()).toEqual(
			Array.from({ length: 20 }, (_, i) => `rep${i + 1}@demo.test`).sort()
		);
		expect(demo.staff).toEqual([
			'admin@demo.test:admin',
			'executive@demo.test:executive',
			'manager@demo.test:manager'
		]);
		// The printed logins are the contract the README and the e2e tests use.
		expect(first.stdout).toContain('demo-password');
		expect(first.stdout).toContain('admin@demo.test');
	}, 120_000);
});
