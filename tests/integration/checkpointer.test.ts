// The checkpoint thread (db/checkpointer.ts): the built thread (build/checkpoint-thread.js,
// `npm run build`) copies the WAL into the database file on its own connection once the WAL is
// ahead by its threshold, while the writing connection's own checkpoint waits for a cap; when the
// thread ends, the writer checkpoints as SQLite does by default. The built server runs one, and a
// sale acknowledged before the server is killed is there after a restart.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { apiTokenFor, readDb, seedServerDb, waitFor } from '../helpers/seeded';
import { startServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import { Checkpointer, SQLITE_AUTOCHECKPOINT_PAGES } from '../../src/lib/server/db/checkpointer';
import { WalIndex } from '../../src/lib/server/db/wal-index';

const ENTRY = resolve('build/checkpoint-thread.js');

beforeAll(() => {
	if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);
});

describe('the checkpoint thread', () => {
	let ctx: ReturnType<typeof tempDb>;
	let checkpointer: Checkpointer | undefined;
	const autocheckpoint = () => ctx.db.$client.pragma('wal_autocheckpoint', { simple: true });
	/** `rows` commits of about a page each. */
	const write = (rows: number) => {
		const insert = ctx.db.$client.prepare('insert into scratch (body) values (?)');
		for (let i = 0; i < rows; i++) insert.run('x'.repeat(3000));
	};

	beforeEach(() => {
		ctx = tempDb();
		ctx.db.$client.exec('create table scratch (id integer primary key, body text)');
	});
	afterEach(async () => {
		await checkpointer?.close();
		checkpointer = undefined;
		ctx.cleanup();
	});

	it('is not there unless started: the CLI and tests checkpoint as SQLite does', () => {
		expect(autocheckpoint()).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
	});

	it('copies the WAL once it is ahead by its threshold; the writer only past a cap', async () => {
		ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)'); // the migrations' pages
		checkpointer = new Checkpointer(ENTRY, ctx.path, ctx.db.$client, 100);
		expect(autocheckpoint()).toBe(400);
		await checkpointer.ready;
		write(5);
		await new Promise((r) => setTimeout(r, 200));
		expect(checkpointer.done.checkpoints).toBe(0);
		write(95);
		await waitFor(() => checkpointer!.done.checkpoints > 0, 5_000, 'a checkpoint');
		expect(checkpointer.done.frames).toBeGreaterThanOrEqual(100);
		// Every row is in the file itself: a reader of the database file alone sees them all.
		expect(ctx.db.$client.prepare('select count(*) from scratch').pluck().get()).toBe(100);
	});

	it('makes a last checkpoint when closed', async () => {
		checkpointer = new Checkpointer(ENTRY, ctx.path, ctx.db.$client, 1_000);
		await checkpointer.ready;
		write(10);
		await checkpointer.close();
		expect(checkpointer.done.frames).toBeGreaterThanOrEqual(10);
		const [state] = ctx.db.$client.pragma('wal_checkpoint(PASSIVE)') as {
			log: number;
			checkpointed: number;
		}[];
		expect(state.checkpointed).toBe(state.log);
	});

	it('takes the write lock only for a WAL near level, and starts it over once writes pause', async () => {
		ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)');
		checkpointer = new Checkpointer(ENTRY, ctx.path, ctx.db.$client, 500);
		await checkpointer.ready;
		// Commits of ~600 pages back to back for a while: the passes chase them, and a RESTART
		// straight after them would copy what they left (a commit or more) under the write lock.
		const insert = ctx.db.$client.prepare('insert into scratch (body) values (?)');
		const commit = ctx.db.$client.transaction(() => {
			for (let i = 0; i < 600; i++) insert.run('x'.repeat(3000));
		});
		const until = Date.now() + 3_000;
		while (Date.now() < until || checkpointer.done.checkpoints < 3) {
			commit();
			// A turn of the event loop: the thread's reports come in.
			await new Promise((r) => setImmediate(r));
		}
		const copied = checkpointer.done.frames;
		expect(copied).toBeGreaterThan(3_000);
		// No RESTART was tried with more than the thread's forced level (512 frames) behind (what
		// a RESTART copies under the write lock when it gets it): not even one commit.
		expect(checkpointer.done.mostBehindAtRestart).toBeLessThanOrEqual(512);
		// Writes paused: a later poll finds the WAL level and starts it over. Waited for on the WAL
		// itself too (every frame copied into the file): a RESTART after the last commit could be
		// reported before the loop ended, and none follows. Generous: on a loaded machine (CI, two
		// test files at once) 5 s passed without either, the passes' fsync of a WAL's worth of
		// pages among them.
		const restarts = checkpointer.done.restarts;
		const wal = new WalIndex(ctx.path);
		const level = () => {
			// (0 and 0 when the index could not be read whole.)
			const { last, copied } = wal.frames();
			return last > 0 && copied >= last;
		};
		await waitFor(() => checkpointer!.done.restarts > restarts || level(), 5_000, 'a RESTART');
		insert.run('y');
		expect(wal.frames().last).toBeLessThan(10);
		wal.close();
	});

	it('gives the writer SQLite’s own checkpoints back when the thread ends', async () => {
		checkpointer = new Checkpointer(ENTRY, ctx.path, ctx.db.$client, 100);
		expect(autocheckpoint()).toBe(400);
		await checkpointer.ready;
		await checkpointer.kill();
		expect(autocheckpoint()).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
	});
});

describe('the built server with its checkpoint thread', () => {
	it('keeps every acknowledged sale through a SIGKILL, and checkpointed in the thread', async () => {
		const seeded = await seedServerDb({ teams: 1, people: 2 });
		const token = apiTokenFor(seeded.path);
		const env = { HONORBOARD_CHECKPOINT_PAGES: '20' };
		const occurredAt = new Date(Date.now() - 60_000).toISOString();
		const post = (url: string, i: number) =>
			postSale<{ sale: { id: number } }>(url, token, {
				externalId: `ckpt-${i}`,
				seller: seeded.people[1].email,
				occurredAt,
				unitPrice: 999
			});
		const SALES = 150;
		let server = await startServer({ dbPath: seeded.path, env });
		try {
			const ids: number[] = [];
			for (let i = 0; i < SALES; i++) {
				const answer = await post(server.url, i);
				expect(answer.status).toBe(201);
				ids.push(answer.body.sale.id);
			}
			server.process.kill('SIGKILL');
			await server.stop();
			expect(existsSync(`${seeded.path}-wal`)).toBe(true);

			server = await startServer({ dbPath: seeded.path, env });
			const count = readDb(seeded.path, (db) =>
				db.prepare("select count(*) from sale where external_id like 'ckpt-%'").pluck().get()
			);
			expect(count).toBe(SALES);
			for (const i of [0, SALES / 2, SALES - 1]) {
				const again = await post(server.url, i);
				expect(again.status).toBe(200);
				expect(again.body.sale.id).toBe(ids[i]);
			}
			for (let i = SALES; i < SALES + 50; i++) expect((await post(server.url, i)).status).toBe(201);
			expect(await server.stop()).toBe(0);
			const stopped = server
				.output()
				.split('\n')
				.filter((line) => line.includes('the checkpoint thread stopped'))
				.map((line) => JSON.parse(line) as { checkpoints: number; frames: number });
			expect(stopped).toHaveLength(1);
			expect(stopped[0].checkpoints).toBeGreaterThan(0);
			const after = readDb(seeded.path, (db) =>
				db.prepare("select count(*) from sale where external_id like 'ckpt-%'").pluck().get()
			);
			expect(after).toBe(SALES + 50);
		} finally {
			await server.dispose();
			seeded.cleanup();
		}
	}, 120_000);
});
