// Fixtures for the tests that run the production server: a database file seeded in-process
// before the server opens it, plus readers that look at the same file while the server runs.
import Database from 'better-sqlite3';
import { io as ioClient, type Socket } from 'socket.io-client';
import { rmSync } from 'node:fs';
import { tempDb } from './db';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { sqliteStore, type Store } from '../../src/lib/server/db/store';
import {
	generateSessionToken,
	hashToken,
	SESSION_LIFETIME
} from '../../src/lib/server/auth/session';
import { apiToken, session } from '../../src/lib/server/db/schema';
import { makeContest, makeMember, makeSeason, makeTeam, makeUser } from './factories';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/lib/realtime/events';

export const PASSWORD = 'demo-password';
const DAY = 24 * 60 * 60 * 1000;

export interface SeededDb {
	path: string;
	dir: string;
	seasonId: number;
	season: { id: number; name: string; startsAt: number; endsAt: number };
	teams: { id: number; name: string }[];
	/** Members of the live season; `people[0]` can sign in with PASSWORD. */
	people: { id: number; email: string; displayName: string }[];
	/** A user who is in no season at all. */
	outsider: { id: number; email: string };
	/** A user whose only season has ended. */
	pastMember: { id: number; email: string };
	endedSeasonId: number;
	draftSeasonId: number;
	/** Removes the temp folder; call after the server using it has stopped. */
	cleanup: () => void;
}

/**
 * A temp database with one live season (teams, members, the PHONE/CASE/OLD catalogue of
 * makeContest), an ended season, a draft season and a user in none. The connection is closed
 * before returning, so that a spawned server is the only writer.
 */
export async function seedServerDb(
	options: { teams?: number; people?: number } = {}
): Promise<SeededDb> {
	const { db, path, dir } = tempDb();
	const contest = await makeContest(db, { teams: options.teams ?? 3, people: options.people ?? 6 });
	// The first member signs in over HTTP: give them a real argon2 hash.
	const loginUser = await makeMember(db, contest.season.id, contest.teams[0].id, {
		email: 'seller@test.test',
		name: 'Sam Seller',
		password: PASSWORD
	});
	const outsider = await makeUser(db, { email: 'outsider@test.test' });
	const ended = makeSeason(db, {
		status: 'ended',
		startsAt: Date.now() - 90 * DAY,
		endsAt: Date.now() - 60 * DAY
	});
	const endedTeam = makeTeam(db, ended.id);
	const pastMember = await makeMember(db, ended.id, endedTeam.id, { email: 'past@test.test' });
	const draft = makeSeason(db, { status: 'draft' });
	db.$client.close();
	const people = [loginUser, ...contest.people].map((p) => ({
		id: p.id,
		email: p.email,
		displayName: p.displayName
	}));
	return {
		path,
		dir,
		seasonId: contest.season.id,
		season: contest.season,
		teams: contest.teams,
		people,
		outsider: { id: outsider.id, email: outsider.email },
		pastMember: { id: pastMember.id, email: pastMember.email },
		endedSeasonId: ended.id,
		draftSeasonId: draft.id,
		cleanup: () => rmSync(dir, { recursive: true, force: true })
	};
}

/**
 * Opens the file with the app's own connection code, runs `fn` and closes it again (once its
 * promise settles, when it returns one: a store's write runs after a hop of the event loop).
 */
export function withDb<T>(path: string, fn: (db: Db) => T): T {
	const db = openDatabase(path);
	let result: T;
	try {
		result = fn(db);
	} catch (error) {
		db.$client.close();
		throw error;
	}
	if (result instanceof Promise) return result.finally(() => db.$client.close()) as T;
	db.$client.close();
	return result;
}

/** As withDb, for what runs through the store (db/store.ts); the file is closed once `fn` settles. */
export async function withStore<T>(
	path: string,
	fn: (store: Store, db: Db) => Promise<T>
): Promise<T> {
	const db = openDatabase(path);
	try {
		return await fn(sqliteStore(db), db);
	} finally {
		db.$client.close();
	}
}

/** A new session's token and its row, as sign-in makes them. */
export function newSession(userId: number) {
	const token = generateSessionToken();
	return { token, row: { id: hashToken(token), userId, expiresAt: Date.now() + SESSION_LIFETIME } };
}

/**
 * A session for any user, its row written straight to the database (as sign-in would, without
 * the store's asynchronous write, so that a test can make one in one line); returns its token.
 */
export function sessionTokenFor(path: string, userId: number): string {
	const { token, row } = newSession(userId);
	withDb(path, (db) => db.insert(session).values(row).run());
	return token;
}

/**
 * An admin API token for the database, its row written straight to it (as `token create` would,
 * without the store's asynchronous write, so that a test can make one in one line).
 */
export function apiTokenFor(path: string, name = 'test'): string {
	const token = `hb_${generateSessionToken()}`;
	withDb(path, (db) =>
		db
			.insert(apiToken)
			.values({ name, role: 'admin', tokenHash: hashToken(token), createdAt: Date.now() })
			.run()
	);
	return token;
}

/** Reads the database file without writing to it (WAL lets it run beside the server). */
export function readDb<T>(path: string, fn: (db: Database.Database) => T): T {
	const db = new Database(path, { readonly: true, fileMustExist: true });
	try {
		return fn(db);
	} finally {
		db.close();
	}
}

/** Everything a sale could have changed: row counts, point totals and the versions. */
export const SCORE_STATE_SQL = {
	sales: 'select count(*) from sale',
	saleLines: 'select count(*) from sale_line',
	ledger: 'select count(*) from ledger_entry',
	standings: 'select count(*) from standing',
	standingPoints: 'select coalesce(sum(confirmed_points + provisional_points), 0) from standing',
	standingSales: 'select coalesce(sum(sales_count), 0) from standing',
	versions: 'select coalesce(sum(version), 0) from season'
};

/** SCORE_STATE_SQL's figures, read from the file. */
export function scoreState(path: string): Record<keyof typeof SCORE_STATE_SQL, number> {
	return readDb(path, (db) => {
		const one = (sql: string) => db.prepare(sql).pluck().get() as number;
		return Object.fromEntries(
			Object.entries(SCORE_STATE_SQL).map(([name, sql]) => [name, one(sql)])
		) as Record<keyof typeof SCORE_STATE_SQL, number>;
	});
}

export function lastLine(text: string): string {
	const lines = text.trim().split('\n');
	return lines[lines.length - 1].trim();
}

/** Signs in through the /login form the way a browser does; returns the session cookie value. */
export async function signIn(url: string, email: string, password = PASSWORD): Promise<string> {
	const response = await fetch(`${url}/login`, {
		method: 'POST',
		body: new URLSearchParams({ email, password }),
		// A browser's form post: with `accept: text/html` SvelteKit answers the action with a 303.
		headers: {
			origin: url,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'text/html'
		},
		redirect: 'manual'
	});
	const cookie = response.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.find((c) => c.startsWith('session='));
	if (response.status !== 303 || !cookie) {
		throw new Error(`sign-in as ${email} failed: ${response.status} ${await response.text()}`);
	}
	return cookie.slice('session='.length);
}

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A Socket.IO client that does not connect until `connect()` is called. */
export function socketFor(url: string, sessionToken?: string): ClientSocket {
	return ioClient(url, {
		autoConnect: false,
		reconnection: false,
		transports: ['websocket'],
		extraHeaders: sessionToken ? { cookie: `session=${sessionToken}` } : {},
		timeout: 5_000
	});
}

/** Connects; resolves once connected, rejects with the server's connect_error. */
export function connect(socket: ClientSocket): Promise<void> {
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve());
		socket.once('connect_error', (error) => reject(error));
		socket.connect();
	});
}

/** Resolves when `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(
	predicate: () => boolean | Promise<boolean>,
	timeoutMs = 5_000,
	what = 'condition'
): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!(await predicate())) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
}
