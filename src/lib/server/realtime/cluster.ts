// Several app nodes behind one Redis (REDIS_URL, redis.ts): what one node publishes reaches the
// sockets of every node.
//
// A leaderboard push is a delta against the top that this process pushed last (publish.ts,
// `room.top`). Were every node to broadcast its deltas through the adapter, each board would get
// every change twice (each feed item twice) and deltas from two writers, each built on its own
// base, interleaved. The client treats only a base newer than its board as a gap
// (board-state.ts), so a delta built on an older base would be applied as if it fitted, and a
// row that changed and changed back in between would stay wrong. So pushes stay node-local
// (publish.ts emits through `io.local`) and nodes tell each other what changed instead: "season
// S changed; these people moved; these feed items and badges are new" (`io.serverSideEmit`,
// Redis PUB/SUB). Each node then reads the board from the shared database and pushes to its own
// sockets, one sequence of deltas per socket as with one node. The version comes from the
// database (season.version), so it only grows whichever node wrote.
//
// Frames that are whole in themselves are broadcast once through the adapter by the node where
// they happen: `season` events and the `badge` frames of API-token sockets. They go through the
// Redis stream, so they carry its offsets and a socket that comes back within the recovery
// window (on its node restarted, or on another) is given those it missed (connection-state
// recovery). Leaderboard pushes are not replayed: after a reconnect the client watches again and
// its ack carries the current board.
//
// A session that ends on one node (sign-out, role change, deactivation) is announced to all, so
// that the person's sockets are cut off wherever they are connected.
import type { Server } from 'socket.io';
import type { SessionsEnded } from '../auth/session-events';
import { log } from '../shared/log';
import { journalEnd, markStandingMoved, movedSince } from './changed';
import type { LivePublisher, Publisher } from './publish';
import type { ActivityItem, BadgeEvent, SeasonEvent } from '../../realtime/events';

export interface SeasonChanged {
	seasonId: number;
	/** People whose standing moved; empty: unknown, every viewer checks again. */
	moved: number[];
	activity: ActivityItem[];
}

/** Node-to-node messages (`io.serverSideEmit`); not seen by clients. */
export interface InterServerEvents {
	'hb:changed': (change: SeasonChanged) => void;
	'hb:badge': (event: BadgeEvent) => void;
	'hb:sessionsEnded': (ended: SessionsEnded) => void;
	/**
	 * Redis answered again after an outage of the sender: send your sockets the seasons' state,
	 * and your token sockets a `badgesMissed` hint from `since` (ms; absent from nodes older
	 * than 2026-12-04).
	 */
	'hb:resendSeasons': (outage?: { since: number }) => void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ClusterServer = Server<any, any, InterServerEvents, any>;

/**
 * What services publish through on a node of several: this node's Publisher, and the same
 * change told to the other nodes once per tick (after the transaction that caused it committed,
 * so that they read what was written).
 */
export class ClusterPublisher implements LivePublisher {
	/** Seasons changed this tick, with their new feed items. */
	private pending = new Map<number, ActivityItem[]>();
	/** Per season, how far into the standings journal (changed.ts) this node has read. */
	private read = new Map<number, number>();
	/** Per season, people marked here and not told to the others yet. */
	private moved = new Map<number, Set<number>>();
	private flushScheduled = false;

	constructor(
		private readonly io: ClusterServer,
		private readonly local: Publisher
	) {
		io.on('hb:changed', (change) => this.changedElsewhere(change));
		io.on('hb:badge', (event) => this.local.badge(event, { frameSent: true }));
		io.on('hb:resendSeasons', (outage) => {
			this.resendSeasons();
			if (outage) this.badgesMissed(outage.since);
		});
	}

	leaderboardChanged(seasonId: number): void {
		this.note(seasonId);
		this.local.leaderboardChanged(seasonId);
	}

	activity(item: ActivityItem): void {
		this.note(item.seasonId).push(item);
		this.local.activity(item);
	}

	badge(event: BadgeEvent): void {
		// The `badge` frame goes to every node's token sockets through the adapter from here;
		// the other nodes add the badge to their next push.
		this.local.badge(event);
		this.io.serverSideEmit('hb:badge', event);
	}

	season(event: SeasonEvent): void {
		// Broadcast through the adapter by the local publisher: every node's sockets get it.
		this.local.season(event);
	}

	settledFormats(seasonId: number): Record<string, unknown> | undefined {
		return this.local.settledFormats(seasonId);
	}

	/**
	 * Redis answers again after an outage (redis.ts, `onResync`). What this node told the others
	 * meanwhile may be lost, and what they told it: its boards are read again from the database
	 * (a delta against what they last got, everyone asked to check their rank), and the others
	 * are told that every season changed here may have changed, who moved unknown, so that they
	 * do the same. The version comes from the database, so a board that missed pushes gets what
	 * it missed in the one delta.
	 *
	 * A `season` frame (a season ended, an announcement) that Redis refused reached this node's
	 * sockets only, and nothing in a leaderboard push says it: every node, this one included,
	 * sends the state of the seasons its sockets watch as it is now (Publisher.resendSeasons).
	 *
	 * A token socket's `badge` frame that Redis refused reached this node's sockets only, too.
	 * Which of the frames sent since `since` a socket on another node got, no node can tell (a
	 * command that failed may have been carried out, recovery may have replayed it), and a frame
	 * sent again would be told twice: the other nodes send their token sockets a hint to read the
	 * awards since then (GET /api/v1/seasons/{id}/badges), which carry the awards' keys.
	 */
	resync(since: number): void {
		for (const seasonId of this.read.keys()) {
			this.io.serverSideEmit('hb:changed', { seasonId, moved: [], activity: [] });
		}
		this.io.serverSideEmit('hb:resendSeasons', { since });
		this.local.resync();
		this.resendSeasons();
	}

	private resendSeasons(): void {
		this.local.resendSeasons().catch((error: unknown) => {
			log.error({ err: error }, "sending the seasons' state after a Redis outage failed");
		});
	}

	private badgesMissed(since: number): void {
		this.local.badgesMissed(since).catch((error: unknown) => {
			log.error({ err: error }, 'telling the token sockets of missed badges failed');
		});
	}

	private note(seasonId: number): ActivityItem[] {
		let items = this.pending.get(seasonId);
		if (!items) this.pending.set(seasonId, (items = []));
		if (!this.flushScheduled) {
			this.flushScheduled = true;
			setImmediate(() => this.flush());
		}
		return items;
	}

	/**
	 * Moves the marks made here since the last read into `moved`. The journal is read, not
	 * drained: the local publisher drains its own copy of the marks for its pushes.
	 */
	private collect(seasonId: number): Set<number> {
		let moved = this.moved.get(seasonId);
		if (!moved) this.moved.set(seasonId, (moved = new Set()));
		const end = journalEnd(seasonId);
		// The first change of a season here reads every mark since this process started: more
		// people than moved maybe, never fewer, so no viewer misses a check.
		const from = this.read.get(seasonId) ?? 0;
		this.read.set(seasonId, end);
		// A journal that no longer reaches back that far: who moved is unknown, and an empty
		// list makes every viewer on the other nodes check again.
		const marks = movedSince(seasonId, from);
		if (marks === null) moved.add(UNKNOWN);
		else for (const id of marks) moved.add(id);
		return moved;
	}

	private flush(): void {
		this.flushScheduled = false;
		for (const [seasonId, activity] of this.pending) {
			const moved = this.collect(seasonId);
			this.moved.delete(seasonId);
			const change: SeasonChanged = {
				seasonId,
				moved: moved.has(UNKNOWN) ? [] : [...moved],
				activity
			};
			this.io.serverSideEmit('hb:changed', change);
		}
		this.pending.clear();
	}

	private changedElsewhere({ seasonId, moved, activity }: SeasonChanged): void {
		// Marks made here and not told yet are kept aside first; the marks from elsewhere go
		// into the journal after them and are skipped, so that they are not told back.
		this.collect(seasonId);
		for (const userId of moved) markStandingMoved(seasonId, userId);
		this.read.set(seasonId, journalEnd(seasonId));
		for (const item of activity) this.local.activity(item);
		// An empty list from a node that did not know who moved: the same here.
		if (moved.length === 0) this.local.leaderboardChanged(seasonId, { reRank: true });
		else this.local.leaderboardChanged(seasonId);
	}
}

/** Stands for "who moved is not known" in a season's pending marks. */
const UNKNOWN = -1;

/**
 * Cuts off a session's sockets on every node: `disconnectHere` on this one, and the others
 * are told. Returns the listener for sessions ended in this process.
 */
export function endSessionsEverywhere(
	io: ClusterServer,
	disconnectHere: (ended: SessionsEnded) => void
): (ended: SessionsEnded) => void {
	io.on('hb:sessionsEnded', (ended) => {
		try {
			disconnectHere(ended);
		} catch (error) {
			log.error({ err: error }, 'ending sessions announced by another node failed');
		}
	});
	return (ended) => {
		disconnectHere(ended);
		io.serverSideEmit('hb:sessionsEnded', ended);
	};
}
