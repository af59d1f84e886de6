import type { Db } from '../db';
import { dataVersion, ownChanges } from '../db/data-version';

/**
 * A replayed sale's answer as it was sent (its JSON text), with the body's externalId and the
 * seller's email it was read for.
 */
export interface HeldAnswer {
	externalId: string;
	email: string;
	payload: string;
}

/**
 * Replays' answers, by sale id, held while nothing at all has been written to the database:
 * neither by this connection (ownChanges: any insert, update or delete, a status change or a
 * new sale's season version included) nor by another (dataVersion: the CLI, a second node). The
 * first write after they were read forgets them all, so that an answer held is always what the
 * read would say now; checking costs ~2.5 µs (dataVersion reads the WAL index), the read and its
 * JSON ~8 µs of a replay's ~60 µs of the app's CPU (docs/benchmarks.md, "Replays: the
 * per-request cost"). Under a stream of new sales it is empty most of the time, and replays
 * cost what they did. At most `most` are held, the oldest going first.
 */
/** A sale replayed once since it was last held (or forgotten): held on its next replay. */
const SEEN = Symbol('seen');

export class HeldAnswers {
	private readonly bySale = new Map<number, HeldAnswer | typeof SEEN>();
	private dataVersion = -1;
	private changes = -1;
	/** Whether the sale of the last lookup is to be held (keep). */
	private holding = false;

	constructor(private readonly most: number) {}

	/**
	 * The answer held for `saleId`, if the database is as it was when it was kept. A sale's first
	 * replay is only marked, without the checks: at bench:ingest's ~220,000 sales nearly every
	 * replay is a first one, and paying ~2.5 µs of checks without a hit made them slower
	 * (docs/benchmarks.md). Call keep() for a sale only right after its lookup, in the same turn
	 * of the event loop: the state this reads is the one the answer is kept under.
	 */
	lookup(db: Db, saleId: number): HeldAnswer | undefined {
		const entry = this.bySale.get(saleId);
		if (entry === undefined) {
			this.holding = false;
			this.add(saleId, SEEN);
			return undefined;
		}
		this.holding = true;
		// Own changes first: the cheap check, and the one a busy server's new sales move.
		const changes = ownChanges(db);
		const version = dataVersion(db);
		if (changes !== this.changes || version !== this.dataVersion) {
			this.bySale.clear();
			this.changes = changes;
			this.dataVersion = version;
			return undefined;
		}
		if (entry === SEEN) return undefined;
		this.holding = false;
		return entry;
	}

	/** Holds `answer` (read after lookup() found none) if its sale was replayed before. */
	keep(saleId: number, answer: HeldAnswer): void {
		if (!this.holding) return;
		this.holding = false;
		this.bySale.delete(saleId);
		this.add(saleId, answer);
	}

	private add(saleId: number, value: HeldAnswer | typeof SEEN): void {
		if (this.most <= 0) return;
		if (this.bySale.size >= this.most) this.bySale.delete(this.bySale.keys().next().value!);
		this.bySale.set(saleId, value);
	}

	/** Sales held or marked: for tests. */
	get size(): number {
		return this.bySale.size;
	}
}
