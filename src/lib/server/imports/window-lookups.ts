import type Database from 'better-sqlite3';
import { sql, type SQL } from 'drizzle-orm';
import type { StoreDb } from '../db/store';
import { SaleLookups } from '../scoring/sale-lookups';

// An import's windows read the same sellers, their seasons and teams, the catalogue and the
// rules again and again: a new SaleLookups per window read ~180 of 1,000 sellers and their
// memberships (two queries), the season's products and rules, and the webhooks, every window.
// WindowLookups hands the next window the lookups of the one before when nothing can have
// changed them in between: no row was changed on this connection since the last window's end
// (SQLite's total_changes(): another request between two windows, or the import's own audit
// entry, moves it) and no other connection committed (PRAGMA data_version: another process, a
// node of a cluster, the CLI). Anything else: fresh lookups, read as before.
//
// Note: valid because every cached read depends on rows alone, not on the clock (a live
// season is a status; sale-queries.ts), and the window's own writes (sales, standings, days,
// badge facts, the season's version) change none of the rows cached.

/** The lookups of an import's windows, carried from one window to the next when still true. */
export class WindowLookups {
	private lookups: SaleLookups | null = null;
	private stamp: string | null = null;
	private readonly changes: Database.Statement;

	constructor(private readonly client: Database.Database) {
		this.changes = client.prepare('SELECT total_changes()').pluck();
	}

	/**
	 * The lookups for a window; call inside its transaction, once it holds the write lock, so
	 * that no other connection can commit between this check and the window's reads.
	 */
	take(): SaleLookups {
		if (this.lookups && this.stamp === this.now()) {
			this.lookups.forgetReplays();
			return this.lookups;
		}
		this.lookups = new SaleLookups();
		return this.lookups;
	}

	/**
	 * At the window's end, after its last statement (inside its write, where nothing else can
	 * write before its commit, or after a dry run's rollback): what the next window compares with.
	 */
	ended(): void {
		this.stamp = this.now();
	}

	/** After a window that failed: the next one reads afresh. */
	drop(): void {
		this.lookups = null;
		this.stamp = null;
	}

	private now(): string {
		return `${this.changes.get()}:${this.client.pragma('data_version', { simple: true })}`;
	}
}

// PostgreSQL has no data_version, and a change marker bumped by every writer of sellers,
// memberships, teams, products, rules and webhooks would be one row all of them update (a
// serialization conflict between any two). Instead each window, inside its write, reads one
// stamp of the rows the lookups come from, in the write's own snapshot: the same snapshot the
// window's reads then see, so kept lookups are exactly what those reads would return while the
// stamp is unchanged. A row's xmin changes with every update, a count with every insert or
// delete.
// - The live seasons, each row whole but its `version` (every window bumps it): their status
//   and their `roster_version`, which triggers bump for a membership added, moved or removed, a
//   team changed and a member's name (drizzle-pg/0004).
// - The products and rules of the live seasons, and every webhook.
// - The sellers met so far, by id and xmin (an email changes no roster).

/** The stamp's part that does not depend on which sellers were met. */
const SEASONS_STAMP = sql`
	select md5(coalesce(string_agg((to_jsonb(s) - 'version')::text, ',' order by s.id), '')) ||
		(select md5(coalesce(string_agg(p.id || ':' || p.xmin, ',' order by p.id), ''))
			from product p join season l on l.id = p.season_id and l.status = 'live') ||
		(select md5(coalesce(string_agg(r.id || ':' || r.xmin, ',' order by r.id), ''))
			from rule r join season l on l.id = r.season_id and l.status = 'live') ||
		(select md5(coalesce(string_agg(w.id || ':' || w.xmin, ',' order by w.id), ''))
			from webhook w)
	from season s where s.status = 'live'`;

const sellersStamp = (ids: number[]) => sql`
	select md5(coalesce(string_agg(u.id || ':' || u.xmin, ',' order by u.id), ''))
	from "user" u where u.id = any(${`{${ids.join(',')}}`}::bigint[])`;

interface Stamp {
	seasons: string;
	sellers: string;
}

/**
 * WindowLookups on the store (PostgreSQL's window): the lookups of the window before, kept while
 * the stamp of their rows read in this window's write is the one read in the window before.
 */
export class StampedWindowLookups {
	private lookups: SaleLookups | null = null;
	private stamp: Stamp | null = null;
	// The sellers the kept lookups may hold: those of every window since they were made.
	private met = new Set<number>();

	/**
	 * The lookups for a window of these sellers; call inside its write. One statement, which
	 * also stamps the sellers met so far with this window's, for the next window to compare.
	 */
	async takeInWrite(tx: StoreDb, sellers: Iterable<number>): Promise<SaleLookups> {
		const kept = [...this.met];
		for (const id of sellers) this.met.add(id);
		const [now] = await rowsOf<{ seasons: string; kept: string; met: string }>(
			tx,
			sql`select (${SEASONS_STAMP}) as seasons, (${sellersStamp(kept)}) as kept,
				(${sellersStamp([...this.met])}) as met`
		);
		const still =
			this.lookups && this.stamp?.seasons === now.seasons && this.stamp.sellers === now.kept;
		this.stamp = { seasons: now.seasons, sellers: now.met };
		if (still) {
			this.lookups!.forgetReplays();
			return this.lookups!;
		}
		this.lookups = new SaleLookups();
		return this.lookups;
	}

	/** After a window that failed: the next one reads afresh. */
	drop(): void {
		this.lookups = null;
		this.stamp = null;
		this.met.clear();
	}
}

/** The rows of a raw PostgreSQL query in a write (node-postgres' result). */
async function rowsOf<T>(tx: StoreDb, query: SQL): Promise<T[]> {
	return ((await tx.execute(query)) as unknown as { rows: T[] }).rows;
}
