// Two nodes per dialect for the tests of what runs on the store (#20, db/store.ts): two stores
// on one database — two SQLite connections to one temp file, two pools on one throwaway
// PostgreSQL (tests/helpers/postgres.ts, one start per file). Registers the file's beforeAll
// and afterAll; the stores are there once beforeAll has run.
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/lib/server/db';
import { closeStore, openStore, sqliteStore, type Store } from '../../src/lib/server/db/store';
import { startPostgres, type TestPostgres } from './postgres';

export type Dialect = 'sqlite' | 'postgres';

export function twoNodesPerDialect(name: string): Record<Dialect, Store[]> {
	let postgres: TestPostgres | undefined;
	let dir: string;
	const nodes: Record<Dialect, Store[]> = { sqlite: [], postgres: [] };

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), `honorboard-${name}-`));
		const file = join(dir, 'test.db');
		nodes.sqlite = [sqliteStore(openDatabase(file)), sqliteStore(openDatabase(file))];
		postgres = await startPostgres();
		// Opened together: the two nodes' migrations must not trip over each other.
		nodes.postgres = await Promise.all([openStore(postgres.url), openStore(postgres.url)]);
	}, 60_000);

	afterAll(async () => {
		for (const store of [...nodes.sqlite, ...nodes.postgres]) await closeStore(store);
		await postgres?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	return nodes;
}
