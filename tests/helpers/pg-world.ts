// The world of the live tests on two built nodes over PostgreSQL (pg-live, pg-fanout): one
// throwaway PostgreSQL and one Redis, a store on the database, an admin who signs in, a live
// season of three people in two teams, and a duel between its first two (the board's format
// views, read from the pool).
import { startPostgres, type TestPostgres } from './postgres';
import { startRedis, type TestRedis } from './redis';
import { PASSWORD } from './seeded';
import { liveSeasonOn } from './store-season';
import { closeStore, openStore, type Store } from '../../src/lib/server/db/store';
import { createUser } from '../../src/lib/server/people/users';
import { createDuel } from '../../src/lib/server/challenges/commands';
import { dayKeyOf } from '../../src/lib/contest/zone-calendar';

const DAY = 86_400_000;

export interface PgWorld {
	pg: TestPostgres;
	redis: TestRedis;
	store: Store;
	adminId: number;
	season: Awaited<ReturnType<typeof liveSeasonOn>>;
	/** DATABASE_URL and REDIS_URL for the nodes. */
	env: Record<string, string>;
}

/** The world; `adminEmail` signs in with PASSWORD. */
export async function pgWorld(adminEmail: string): Promise<PgWorld> {
	const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
	const store = await openStore(pg.url);
	const admin = await createUser(store, {
		email: adminEmail,
		displayName: 'Ada',
		role: 'admin',
		password: PASSWORD
	});
	const season = await liveSeasonOn(store, {
		size: 3,
		teams: ['Harbour', 'Summit'],
		endsAt: Date.now() + 30 * DAY,
		points: [30, 20, 10]
	});
	return {
		pg,
		redis,
		store,
		adminId: admin.id,
		season,
		env: { DATABASE_URL: pg.url, REDIS_URL: redis.url }
	};
}

/** A duel on points between the season's first two people, from today to tomorrow (UTC). */
export async function duelOfFirstTwo(world: PgWorld, requestId: string): Promise<void> {
	const [first, second] = world.season.people;
	await createDuel(world.store, {
		subject: 'user',
		measure: 'points',
		preset: 'custom',
		fromDate: dayKeyOf(Date.now(), 'UTC'),
		toDate: dayKeyOf(Date.now() + DAY, 'UTC'),
		stake: 0,
		requestId,
		seasonId: world.season.seasonId,
		actor: { userId: world.adminId },
		challengerId: first.id,
		opponentId: second.id
	});
}

/** Stops what pgWorld started, once the nodes have stopped (a world half started too). */
export async function stopPgWorld(world: Partial<PgWorld> | undefined): Promise<void> {
	if (world?.store) await closeStore(world.store);
	await Promise.all([world?.redis?.stop(), world?.pg?.stop()]);
}
