import { sql, type SQL } from 'drizzle-orm';
import type { Store, StoreDb } from '../db/store';
import { writesStamp } from '../db/data-version';
import { SaleLookups } from '../scoring/sale-lookups';

// An import's windows read the same sellers, their seasons and teams, the catalogue and the
// rules again and again: a new SaleLookups per window read ~180 of 1,000 sellers and their
// memberships (two queries), the season's products and rules, and the webhooks, every window.
// WindowLookups hands the next window the lookups of the one before when nothing can have
// changed them in between, as each dialect can tell.
//
// SQLite (db/data-version.ts writesStamp): no row was changed on this connection since the last
// window's end (total_changes(): another request between two windows, or the import's own audit
// entry, moves it) and no other connection committed (data_version: another process, a node of a
// cluster, the CLI). Taken inside the window's write, which holds SQLite's one write lock: no one
// can write between the check and the window's reads.
//
// Note: valid because every cached read depends on rows alone, not on the clock (a live
// season is a status; sale-queries.ts), and the window's own writes (sales, standings, days,
// badge facts, the season's version) change none of the rows cached.
//
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

/** The lookups of an import's windows, carried from one window to the next when still true. */
export class WindowLookups {
	private lookups: SaleLookups | null = null;
	/** SQLite's writes stamp at the last window's end, or PostgreSQL's stamp of the rows. */
	private stamp: string | Stamp | null = null;
	// PostgreSQL: the sellers the kept lookups may hold, those of every window since they were made.
	private met = new Set<number>();

	/**
	 * The lookups for a window of these sellers; call inside its write, first. On PostgreSQL one
	 * statement, which also stamps the sellers met so far with this window's, for the next
	 * window to compare.
	 */
	async takeInWrite(tx: StoreDb, store: Store, sellers: Iterable<number>): Promise<SaleLookups> {
		const writes = writesStamp(store);
		const still =
			writes === null
				? await this.rowsUnchangedInWrite(tx, sellers)
				: this.lookups !== null && this.stamp === writes;
		if (still) {
			this.lookups!.forgetReplays();
			return this.lookups!;
		}
		this.lookups = new SaleLookups();
		return this.lookups;
	}

	/**
	 * At the window's end, after its last statement (inside its write, where nothing else can
	 * write before its commit, or after a dry run's rollback): what the next window compares
	 * with, on SQLite (PostgreSQL's stamp is read by the next window's takeInWrite).
	 */
	ended(store: Store): void {
		const writes = writesStamp(store);
		if (writes !== null) this.stamp = writes;
	}

	/** After a window that failed: the next one reads afresh. */
	drop(): void {
		this.lookups = null;
		this.stamp = null;
		this.met.clear();
	}

	/** PostgreSQL: whether the stamp of the lookups' rows is the one the window before read. */
	private async rowsUnchangedInWrite(tx: StoreDb, sellers: Iterable<number>): Promise<boolean> {
		const kept = [...this.met];
		for (const id of sellers) this.met.add(id);
		const [now] = await rowsOf<{ seasons: string; kept: string; met: string }>(
			tx,
			sql`select (${SEASONS_STAMP}) as seasons, (${sellersStamp(kept)}) as kept,
				(${sellersStamp([...this.met])}) as met`
		);
		const before = this.stamp;
		this.stamp = { seasons: now.seasons, sellers: now.met };
		return (
			this.lookups !== null &&
			typeof before === 'object' &&
			before?.seasons === now.seasons &&
			before.sellers === now.kept
		);
	}
}

/** The rows of a raw PostgreSQL query in a write (node-postgres' result). */
async function rowsOf<T>(tx: StoreDb, query: SQL): Promise<T[]> {
	return ((await tx.execute(query)) as unknown as { rows: T[] }).rows;
}
