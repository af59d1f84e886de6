import type Database from 'better-sqlite3';
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
