// The specs' own connection to the run's demo database, on either dialect (E2E_DATABASE): for
// the ids a spec needs and the rows it sets up beside the server. The SQL is written once in
// what both speak: `?` placeholders (numbered `$1…` for PostgreSQL here), `"user"` quoted (a
// reserved word there), booleans as true/false, JSON read with `->>` and a key.
import Database from 'better-sqlite3';
import pg from 'pg';
import { E2E_DATABASE_URL } from './env';

export interface SpecDb {
	all<T>(sql: string, ...params: unknown[]): Promise<T[]>;
	/** The first row, or undefined. */
	one<T>(sql: string, ...params: unknown[]): Promise<T | undefined>;
	/** The first column of the first row (a count, an id). */
	value<T = number>(sql: string, ...params: unknown[]): Promise<T>;
	run(sql: string, ...params: unknown[]): Promise<void>;
}

/** Runs `work` on a connection of its own to `url` (the run's database unless given), then closes it. */
export async function withDb<T>(
	work: (db: SpecDb) => Promise<T> | T,
	url = E2E_DATABASE_URL
): Promise<T> {
	const open = url.startsWith('postgres://') ? onPostgres : onSqlite;
	const { db, close } = await open(url);
	try {
		return await work(db);
	} finally {
		await close();
	}
}

async function onSqlite(path: string) {
	// A second connection beside the server's: WAL lets it read and write meanwhile.
	const sqlite = new Database(path, { fileMustExist: true });
	sqlite.pragma('busy_timeout = 5000');
	const all = async <T>(sql: string, params: unknown[]) => {
		const statement = sqlite.prepare(sql);
		if (statement.reader) return statement.all(...params) as T[];
		statement.run(...params);
		return [];
	};
	return { db: specDb(all), close: async () => sqlite.close() };
}

// int8 (ids, epoch milliseconds) read as numbers, as the app's store reads them.
const types = {
	getTypeParser: ((id: number, format?: 'text' | 'binary') =>
		id === 20 ? Number : pg.types.getTypeParser(id, format)) as typeof pg.types.getTypeParser
};

async function onPostgres(url: string) {
	const client = new pg.Client({ connectionString: url, types });
	// A cluster stopping under a spec ends the connection: the query fails, not the runner.
	client.on('error', () => {});
	await client.connect();
	const all = async <T>(sql: string, params: unknown[]) => {
		let n = 0;
		const numbered = sql.replace(/\?/g, () => `$${++n}`);
		return (await client.query(numbered, params)).rows as T[];
	};
	return { db: specDb(all), close: () => client.end() };
}

function specDb(all: <T>(sql: string, params: unknown[]) => Promise<T[]>): SpecDb {
	return {
		all: (sql, ...params) => all(sql, params),
		one: async (sql, ...params) => (await all(sql, params))[0] as never,
		value: async (sql, ...params) => {
			const row = (await all<Record<string, unknown>>(sql, params))[0];
			return (row ? Object.values(row)[0] : undefined) as never;
		},
		run: async (sql, ...params) => void (await all(sql, params))
	};
}
