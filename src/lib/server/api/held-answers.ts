import { writesStamp } from '../db/data-version';
import { writesSeenHere, type Store } from '../db/store';

/**
 * A replayed sale's answer as it was sent (its JSON text), with the body's externalId and the
 * seller's email it was read for.
 */
export interface HeldAnswer {
	externalId: string;
	email: string;
	payload: string;
}

/** A sale replayed once since it was last held (or forgotten): held on its next replay. */
const SEEN = Symbol('seen');
/** What lookup() says when the sale is to be read, then held with keep(). */
export const HOLD = Symbol('hold');

/**
 * Replays' answers, by sale id, held while nothing at all has been written to the database:
 * neither by this process nor by another (db/data-version.ts `writesStamp`: on SQLite this
 * connection's changes, a status change or a new sale's season version included, and its
 * data_version, the CLI's or a second node's commits). The first write after they were read
 * forgets them all, so that an answer held is always what the read would say now; checking
 * costs ~2.5 µs (data_version reads the WAL index), the read and its JSON ~8 µs of a replay's
 * ~60 µs of the app's CPU (docs/benchmarks.md, "Replays: the per-request cost"). Under a stream
 * of new sales it is empty most of the time, and replays cost what they did. Where the store
 * does not see every write (`writesSeenHere`: PostgreSQL, whose other nodes write too) nothing
 * is held. At most `most` are held, the oldest going first.
 */
export class HeldAnswers {
	private readonly bySale = new Map<number, HeldAnswer | typeof SEEN>();
	private stamp: string | null = null;

	constructor(private readonly most: number) {}

	/**
	 * The answer held for `saleId`, if the database is as it was when it was kept; HOLD when the
	 * caller is to read the sale and keep() its answer; undefined otherwise. A sale's first
	 * replay is only marked, without the checks: at bench:ingest's ~220,000 sales nearly every
	 * replay is a first one, and paying ~2.5 µs of checks without a hit made them slower
	 * (docs/benchmarks.md). Keep the answer of a HOLD read before any write can commit (its read
	 * awaited alone, nothing else in between): the stamp checked here is the one it is kept under.
	 */
	lookup(store: Store, saleId: number): HeldAnswer | typeof HOLD | undefined {
		if (!writesSeenHere(store)) return undefined;
		const entry = this.bySale.get(saleId);
		if (entry === undefined) {
			this.add(saleId, SEEN);
			return undefined;
		}
		const stamp = writesStamp(store);
		if (stamp !== this.stamp) {
			this.bySale.clear();
			this.stamp = stamp;
			return HOLD;
		}
		return entry === SEEN ? HOLD : entry;
	}

	/** Holds `answer`, read after lookup() said HOLD for its sale. */
	keep(saleId: number, answer: HeldAnswer): void {
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
