// The checkpoint thread's hold on the write lock under steady group commits, without the rest
// of the server: a writer on this thread commits a group of rows every few milliseconds into a
// large file with randomly keyed indexes (as a late season's sales do: each commit writes pages
// all over the indexes), a reader thread reads in short transactions as the read thread does,
// and the built checkpoint thread (build/checkpoint-thread.js) of each build named copies the
// WAL. Builds run in turn, round after round. Per run: commits/s, the writer's wait for the
// write lock (BEGIN IMMEDIATE) and its COMMIT, p99 and max; the thread's checkpoints, frames
// copied under the write lock (RESTART), the time it held the lock in all and the longest; the
// WAL file's largest size.
//
//   npx tsx bench/checkpoint-hold.ts --against /work/wt-base      this build and the base, in turn
//   options: --rounds 2  --seconds 30  --rows 40 (rows per commit)  --every 4 (ms between
//   commits)  --size 600000 (rows in the file at the start)  --reads 5 (the reader's queries every
//   20 ms, each its own read transaction)  --no-reader  --detail (each checkpoint's report)
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { flag, option, textOption } from './lib/args';
import { round } from './lib/stats';
import { openDatabase } from '../src/lib/server/db/index';
import type { CheckpointDone, CheckpointerData } from '../src/lib/server/db/checkpointer';

const ROUNDS = option('rounds', 2);
const SECONDS = option('seconds', 30);
const ROWS = option('rows', 40);
const EVERY_MS = option('every', 4);
const SIZE = option('size', 600_000);
const AGAINST = textOption('against');
const NO_READER = flag('no-reader');
const READS = option('reads', 5);

const here = resolve('.');
const builds = [
	{ name: 'this build', entry: join(here, 'build/checkpoint-thread.js') },
	...(AGAINST
		? [{ name: 'base', entry: join(resolve(AGAINST), 'build/checkpoint-thread.js') }]
		: [])
];

const TEMPLATE = `/tmp/checkpoint-hold-${SIZE}.db`;
const rand = (n: number) => Math.floor(Math.random() * n);
const text = (n: number) =>
	rand(2 ** 40)
		.toString(36)
		.padStart(n, '0');

function open(path: string): Database.Database {
	const db = new Database(path);
	db.pragma('journal_mode = WAL');
	db.pragma('synchronous = NORMAL');
	db.pragma('busy_timeout = 5000');
	db.pragma('cache_size = -65536');
	db.pragma('temp_store = MEMORY');
	return db;
}

function template(): void {
	if (existsSync(TEMPLATE)) return;
	console.log(`making ${TEMPLATE} (${SIZE.toLocaleString('en')} rows)…`);
	// The app's schema first: the checkpoint thread opens the file as the app does (migrations).
	openDatabase(TEMPLATE).$client.close();
	const db = open(TEMPLATE);
	db.exec(`create table ckpt_sale (id integer primary key, external text, seller integer, at integer,
		amount integer, body text);
		create index ckpt_sale_external on ckpt_sale (external);
		create index ckpt_sale_seller_at on ckpt_sale (seller, at);
		create index ckpt_sale_amount on ckpt_sale (amount);
		create table ckpt_standing (seller integer, day integer, points integer, primary key (seller, day));`);
	const insert = db.prepare(
		'insert into ckpt_sale (external, seller, at, amount, body) values (?, ?, ?, ?, ?)'
	);
	const fill = db.transaction((n: number) => {
		for (let i = 0; i < n; i++) insert.run(text(16), rand(2_000), rand(1e9), rand(1e6), text(60));
	});
	for (let done = 0; done < SIZE; done += 50_000) fill(Math.min(50_000, SIZE - done));
	db.pragma('wal_checkpoint(TRUNCATE)');
	db.close();
}

// The reader: short read transactions on a connection of its own, as the read thread's.
const READER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { readonly: true });
const read = db.prepare('select count(*), sum(amount) from ckpt_sale where seller = ?');
const timer = setInterval(() => { for (let i = 0; i < workerData.reads; i++) read.get(Math.floor(Math.random() * 2000)); }, 20);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

interface Run {
	build: string;
	commits: number;
	perSecond: number;
	beginP99: number;
	beginMax: number;
	commitP99: number;
	commitMax: number;
	checkpoints: number;
	frames: number;
	restartFrames: number;
	restartMs: number;
	longestRestartMs: number;
	skipped: number;
	walMaxMb: number;
	load: number;
}

const pct = (sorted: number[], p: number) =>
	sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function run(build: (typeof builds)[number]): Promise<Run> {
	const path = `/tmp/checkpoint-hold-run-${process.pid}.db`;
	for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
	copyFileSync(TEMPLATE, path);
	const db = open(path);
	const data: CheckpointerData = { databasePath: path, pages: 4_000, everyMs: 20 };
	// As checkpointer.ts sets the server's connection.
	db.pragma('wal_autocheckpoint = 16000');
	db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
	const thread = new Worker(build.entry, { workerData: data });
	const totals = {
		checkpoints: 0,
		frames: 0,
		restartFrames: 0,
		restartMs: 0,
		longest: 0,
		skipped: 0
	};
	await new Promise<void>((ready) =>
		thread.on('message', (m: CheckpointDone | 'ready') => {
			if (m === 'ready') return ready();
			totals.checkpoints++;
			totals.frames += m.frames;
			totals.restartFrames += m.restartFrames;
			totals.restartMs += m.holdMs;
			totals.longest = Math.max(totals.longest, m.holdMs);
			if ((m as { skipped?: boolean }).skipped) totals.skipped++;
			if (flag('detail')) console.log('  ', JSON.stringify(m));
		})
	);
	const reader = NO_READER
		? null
		: new Worker(READER, {
				eval: true,
				workerData: {
					path,
					reads: READS,
					module: createRequire(import.meta.url).resolve('better-sqlite3')
				}
			});

	const insert = db.prepare(
		'insert into ckpt_sale (external, seller, at, amount, body) values (?, ?, ?, ?, ?)'
	);
	const standing = db.prepare(
		'insert into ckpt_standing (seller, day, points) values (?, ?, ?) on conflict do update set points = points + excluded.points'
	);
	const begins: number[] = [];
	const commitsMs: number[] = [];
	let walMax = 0;
	const started = performance.now();
	const end = started + SECONDS * 1000;
	await new Promise<void>((done) => {
		const tick = () => {
			if (performance.now() >= end) return done();
			let t = performance.now();
			db.exec('BEGIN IMMEDIATE');
			begins.push(performance.now() - t);
			for (let i = 0; i < ROWS; i++) {
				const seller = rand(2_000);
				insert.run(text(16), seller, rand(1e9), rand(1e6), text(60));
				standing.run(seller, rand(60), 1);
			}
			t = performance.now();
			db.exec('COMMIT');
			commitsMs.push(performance.now() - t);
			if (begins.length % 25 === 0 && existsSync(`${path}-wal`))
				walMax = Math.max(walMax, statSync(`${path}-wal`).size);
			setTimeout(tick, EVERY_MS);
		};
		tick();
	});
	const elapsed = (performance.now() - started) / 1000;
	reader?.postMessage('stop');
	thread.postMessage('stop');
	await new Promise((r) => thread.once('exit', r));
	db.close();
	for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
	begins.sort((a, b) => a - b);
	commitsMs.sort((a, b) => a - b);
	return {
		build: build.name,
		commits: begins.length,
		perSecond: round(begins.length / elapsed, 0),
		beginP99: round(pct(begins, 0.99), 1),
		beginMax: round(begins.at(-1) ?? 0, 1),
		commitP99: round(pct(commitsMs, 0.99), 1),
		commitMax: round(commitsMs.at(-1) ?? 0, 1),
		checkpoints: totals.checkpoints,
		frames: totals.frames,
		restartFrames: totals.restartFrames,
		restartMs: round(totals.restartMs, 1),
		longestRestartMs: round(totals.longest, 1),
		skipped: totals.skipped,
		walMaxMb: round(walMax / 1024 / 1024, 1),
		load: round(loadavg()[0], 2)
	};
}

async function main() {
	template();
	if (ROUNDS === 0) return;
	for (const build of builds)
		if (!existsSync(build.entry)) throw new Error(`${build.entry} is missing: build it first`);
	console.log(
		`checkpoint-hold · ${SECONDS} s runs · ${ROWS} rows per commit every ${EVERY_MS} ms · ${SIZE.toLocaleString('en')} rows · load ${loadavg()
			.map((l) => round(l, 2))
			.join(' ')}`
	);
	const runs: Run[] = [];
	for (let r = 0; r < ROUNDS; r++)
		for (const build of r % 2 === 0 ? builds : [...builds].reverse()) {
			const result = await run(build);
			runs.push(result);
			console.log(JSON.stringify(result));
		}
}

void main();
