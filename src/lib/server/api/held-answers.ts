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
export class HeldAnswers {
	private readonly bySale = new Map<number, HeldAnswer>();
	private dataVersion = -1;
	private changes = -1;

	constructor(private readonly most: number) {}

	/**
	 * The answer held for `saleId`, if the database is as it was when it was kept. Call keep()
	 * for a sale only right after its lookup, in the same turn of the event loop: the state this
	 * reads is the one the answer is kept under.
	 */
	lookup(db: Db, saleId: number): HeldAnswer | undefined {
		// Own changes first: the cheap check, and the one a busy server's new sales move.
		const changes = ownChanges(db);
		const version = dataVersion(db);
		if (changes !== this.changes || version !== this.dataVersion) {
			this.bySale.clear();
			this.changes = changes;
			this.dataVersion = version;
			return undefined;
		}
		return this.bySale.get(saleId);
	}

	/** Holds `answer` (read after lookup() found none), dropping the oldest to make room. */
	keep(saleId: number, answer: HeldAnswer): void {
		if (this.most <= 0) return;
		if (this.bySale.size >= this.most) this.bySale.delete(this.bySale.keys().next().value!);
		this.bySale.set(saleId, answer);
	}

	/** Answers held: for tests. */
	get size(): number {
		return this.bySale.size;
	}
}
