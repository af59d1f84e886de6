import { performance } from 'node:perf_hooks';
import type { Server } from 'socket.io';
import type { Store } from '../db/store';
import { readPushBoard } from '../boards/leaderboard';
import { drainMoved } from './changed';
import { emitToRoom } from './room-frame';
import { FORMAT_VIEWS, readFormatViews } from '../formats/views';
import { getReadThread } from '../reads/thread';
import { seasonEventsNow } from '../seasons/state-events';
import { awardsSince } from '../badges/awards-since';
import { log } from '../shared/log';
import {
	markLeaderboardChange,
	observeHeavyRead,
	observePush,
	takeLeaderboardChange
} from '../shared/metrics';
import {
	seasonBadgeRoom,
	seasonOfBadgeRoom,
	seasonOfRoom,
	seasonRoom,
	type ActivityItem,
	type BadgeEvent,
	type ClientToServerEvents,
	type LeaderboardDelta,
	type LeaderboardEntry,
	type LeaderboardSnapshot,
	type SeasonEvent,
	type ServerToClientEvents
} from '../../realtime/events';

type Timer = { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout };

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents>;

/**
 * What services publish through: the Publisher that emits to this process's sockets, or, when
 * the sockets live in the fan-out process (HONORBOARD_FANOUT=process), the forwarder that sends
 * the same calls there (fanout.ts).
 */
export interface LivePublisher {
	leaderboardChanged(seasonId: number): void;
	activity(item: ActivityItem): void;
	badge(event: BadgeEvent): void;
	season(event: SeasonEvent): void;
	/**
	 * The season's format views as the last push left them, while nothing has changed since
	 * (undefined otherwise, and where the sockets are in another process).
	 */
	settledFormats?(seasonId: number): Record<string, unknown> | undefined;
}

export interface PublisherOptions {
	/**
	 * A fixed minimum time between two pushes to one season room. Unset: the window adapts to
	 * what a push costs (see Publisher).
	 */
	intervalMs?: number;
	/**
	 * A fixed minimum time between two builds of the contest format views. Unset: it adapts to
	 * what they cost (FORMATS_FACTOR), or is 0 when `intervalMs` is set.
	 */
	formatsIntervalMs?: number;
	/**
	 * Observes each push's change → push time (s). Unset: this process's metrics; the fan-out
	 * process sends it to the writer, which serves /metrics.
	 */
	pushed?: (seconds: number) => void;
	/**
	 * Builds a season's format views apart from the push, while it is alive (the read thread,
	 * reads/thread.ts). Unset, or once it is gone: the store's reads, awaited apart from the push.
	 */
	formatBuilder?: FormatBuilder;
	/** Views cheaper than this (ms) are read in the push itself (FORMATS_INLINE_MAX_MS). */
	formatsInlineMaxMs?: number;
	/**
	 * The adaptive window as this many times a push's smoothed cost (unset: WINDOW_FACTOR). The
	 * fan-out process, whose loop serves no API request, passes its own (fanout-process.ts).
	 */
	windowFactor?: number;
}

/** Where the format views of a push are built when not inline (reads/thread.ts). */
export interface FormatBuilder {
	readonly alive: boolean;
	views(seasonId: number, now: number): Promise<Record<string, unknown>>;
}

/** A push may list this many moved people; more (an import) and it says "everyone re-check". */
const MOVED_MAX = 200;
/** Feed items one push carries at most (a board shows 20; a burst of sales keeps its toasts). */
const ACTIVITY_MAX = 50;
/** Badges one push carries at most (a burst of awards, e.g. a weekly job: the latest ones). */
const BADGES_MAX = 50;
/** The "of N players" count is read again at most this often. */
const PLAYERS_TTL_MS = 5_000;
/**
 * Adaptive window: after a push, the room stays quiet this many times what the push cost, so
 * that pushes take at most a third of the event loop (up to 500 ms pushes; past the bound, a
 * board that costs that much is already too slow to be live, and the bound keeps it updating).
 * A watcher waits up to a push, the window and its own place in the next push: at 5,000 watchers
 * a push is one `writev` per socket (the frame encoded once), 150–280 ms here, and 4 (a fifth, as
 * before) kept the last watcher past 250 ms on a quiet machine (docs/benchmarks.md, "A push to
 * 5,000 watchers, per socket"). The fan-out process, whose loop serves no request, uses 1
 * (`windowFactor`, fanout-process.ts).
 */
const WINDOW_FACTOR = 2;
const WINDOW_MIN_MS = 0;
const WINDOW_MAX_MS = 1000;
/**
 * The contest format views (duels, sprints, knockouts…) sum the ledger over their periods, so
 * in a big season they cost far more than the top of the board: they are built again at most
 * once per this many times their own smoothed cost (at most FORMATS_MAX_MS), and a push in
 * between carries the leaderboard alone and leaves the views to a push at the window's end.
 * Cheap views (a few ms) still ride in every push.
 */
const FORMATS_FACTOR = 10;
const FORMATS_MAX_MS = 5_000;
/**
 * Views that cost less than this are read in the push itself, with its board: a push of their
 * own, scheduled by the builder's answer, cost more than they do (bench:live at 500 watchers,
 * demo season: sale → watcher p99 516 ms with every build in the read thread, 197 ms inline).
 * Dearer ones (a big season's sums), and those whose cost is not known yet, go to the builder.
 */
const FORMATS_INLINE_MAX_MS = 20;

interface Room {
	/** When the last push ended (ms since the epoch). */
	lastPush: number;
	lastVersion: number;
	timer: Timer | null;
	/** The top last pushed, to diff the next push against; null: the next push is a snapshot. */
	top: { rows: Map<number, string>; teams: Map<number, string> } | null;
	activity: ActivityItem[];
	/** Badges awarded since the last push: they ride in it (one frame per push per client). */
	badges: BadgeEvent[];
	players: { n: number; at: number } | null;
	/** Smoothed cost of a push (build + emit), ms. */
	costMs: number;
	/** The next push tells every viewer to check their rank (who moved is not known). */
	reRank: boolean;
	/** Each format view's JSON as last pushed, to push only the views that changed. */
	formats: Map<string, string>;
	/** When the format views were last built for a push (ms since the epoch). */
	formatsAt: number;
	/** Smoothed cost of building the format views, ms. */
	formatsCostMs: number;
	/** A push went without the format views: they are built by a push at the window's end. */
	formatsOwed: boolean;
	/**
	 * Asks for that push at the views' window end. Kept apart from `timer`: the board's own
	 * pushes keep their short window meanwhile (one timer for both held every board push until
	 * the views were due, up to 5 s).
	 */
	formatsTimer: ReturnType<typeof setTimeout> | null;
	/** The format views are being built off the event loop (formatBuilder). */
	formatsBuilding: boolean;
	/** A push came while they were: that build may have read before its change. */
	formatsAgain: boolean;
	/** Views a build off the event loop found changed, for the next push. */
	formatsReady: Record<string, unknown> | undefined;
	/** Bumped when the room forgets its views: a build started before lands nowhere. */
	formatsEpoch: number;
	/** A push is reading the board: a change meanwhile asks for another. */
	pushing: boolean;
	/** A change came during that push: another one follows it. */
	pushAgain: boolean;
}

/** What a push took from its room before reading the board. */
interface Taken {
	changedAt: number | undefined;
	movedIds: number[];
	activity: ActivityItem[];
	badges: BadgeEvent[];
	now: number;
	started: number;
}

/**
 * The only module that emits to clients. Leaderboard pushes are coalesced per season: the
 * first change after a quiet period goes out at once (next tick, so that changes of one tick
 * share it); while changes keep coming, each push is followed by a quiet window sized to what
 * a push costs (2 × its smoothed build + emit time, at most 1 s), so that a cheap board is
 * near-instant and an expensive one (thousands of watchers) leaves the event loop to the API
 * at least two thirds of the time.
 *
 * A push is one frame per client: the top of the board as a delta against the previous push
 * (or a snapshot when there is none to diff against), the people who moved, the feed items
 * and badges since the last push, and the contest format views that changed. Those views read the ledger
 * over their periods and can cost far more than the board: they are built at most once per ten
 * times their own cost (at most 5 s), and a push in between goes without them, so that a
 * stream of sales keeps the board live while the duel and sprint cards follow a little later.
 */
export class Publisher implements LivePublisher {
	private readonly fixedIntervalMs: number | undefined;
	private readonly fixedFormatsMs: number | undefined;
	private readonly pushed: ((seconds: number) => void) | undefined;
	private formatBuilder: FormatBuilder | undefined;
	/** The store's reads of the views, when there is no other builder (or it is gone). */
	private readonly storeBuilder: FormatBuilder;
	private readonly formatsInlineMaxMs: number;
	private readonly windowFactor: number;
	private readonly rooms = new Map<number, Room>();

	/** Every push, ack and view is read through `store` (db/store.ts `read`), on either dialect. */
	constructor(
		private readonly io: RealtimeServer,
		private readonly store: Store,
		options: PublisherOptions = {}
	) {
		this.fixedIntervalMs = options.intervalMs;
		this.fixedFormatsMs = options.formatsIntervalMs;
		this.pushed = options.pushed;
		this.formatBuilder = options.formatBuilder;
		this.storeBuilder = storeFormats(store);
		this.formatsInlineMaxMs = options.formatsInlineMaxMs ?? FORMATS_INLINE_MAX_MS;
		this.windowFactor = options.windowFactor ?? WINDOW_FACTOR;
	}

	/** Where views are built apart from a push: the builder while it is alive, else the store. */
	private builder(): FormatBuilder {
		return this.formatBuilder?.alive ? this.formatBuilder : this.storeBuilder;
	}

	/**
	 * `reRank`: who moved is not known (a change told by another node that lost track, see
	 * cluster.ts), so the next push tells every viewer to check their rank.
	 */
	leaderboardChanged(seasonId: number, options: { reRank?: boolean } = {}): void {
		markLeaderboardChange(seasonId);
		if (options.reRank) this.room(seasonId).reRank = true;
		this.schedule(seasonId);
	}

	/**
	 * Every watched board is read again and pushed if it changed, everyone asked to check their
	 * rank: after a Redis outage, when changes made on other nodes may not have been told here.
	 */
	resync(): void {
		for (const seasonId of this.rooms.keys()) this.leaderboardChanged(seasonId, { reRank: true });
	}

	/** A push of the season's room at the window's end (or on the next turn when it is over). */
	private schedule(seasonId: number): void {
		const room = this.room(seasonId);
		if (room.timer) return;
		if (room.pushing) return void (room.pushAgain = true);
		const wait = Math.max(0, room.lastPush + this.windowMs(room) - Date.now());
		// setImmediate even when no wait is due, so that changes made in one tick share a push.
		room.timer =
			wait === 0
				? { immediate: setImmediate(() => this.flush(seasonId)) }
				: { timeout: setTimeout(() => this.flush(seasonId), wait) };
	}

	/** A feed item rides in the season's next push. */
	activity(item: ActivityItem): void {
		const room = this.room(item.seasonId);
		room.activity.push(item);
		if (room.activity.length > ACTIVITY_MAX) room.activity.shift();
		this.leaderboardChanged(item.seasonId);
	}

	/**
	 * A badge rides in the season's next push, like a feed item; API-token sockets also get it
	 * at once as a `badge` frame (the contract other tools rely on: they are few). The frame
	 * goes to every node's sockets (through the adapter when there are several, cluster.ts);
	 * `frameSent`: the node where the badge was awarded has sent it already.
	 */
	badge(event: BadgeEvent, options: { frameSent?: boolean } = {}): void {
		if (!options.frameSent) this.io.to(seasonBadgeRoom(event.seasonId)).emit('badge', event);
		const room = this.room(event.seasonId);
		room.badges.push(event);
		if (room.badges.length > BADGES_MAX) room.badges.shift();
		this.leaderboardChanged(event.seasonId);
	}

	/** To every node's sockets: the event is whole in itself (cluster.ts). */
	season(event: SeasonEvent): void {
		this.io.to(seasonRoom(event.seasonId)).emit('season', event);
	}

	/**
	 * Each season watched by this process's sockets gets a `season` frame with its state now,
	 * after a Redis outage: a frame that Redis refused (its queue full) reached only the sockets
	 * of the node that sent it (cluster.ts), so a board elsewhere never heard that its season
	 * ended or what was announced. The frame carries the whole state, so one the client had
	 * already changes nothing (a TV reloads its page once, as for any `season` frame).
	 */
	async resendSeasons(): Promise<void> {
		const ids: number[] = [];
		for (const room of this.io.sockets.adapter.rooms.keys()) {
			const seasonId = seasonOfRoom(room);
			if (seasonId !== null) ids.push(seasonId);
		}
		for (const event of await seasonEventsNow(this.store, ids))
			this.io.local.to(seasonRoom(event.seasonId)).emit('season', event);
	}

	/**
	 * Each season watched by this process's API-token sockets with an award written since
	 * `since` (ms) gets a `badgesMissed` frame: another node's `badge` frames may have been
	 * refused by Redis since then (cluster.ts, `resync`). A season with none gets nothing.
	 */
	async badgesMissed(since: number): Promise<void> {
		for (const room of [...this.io.sockets.adapter.rooms.keys()]) {
			const seasonId = seasonOfBadgeRoom(room);
			if (seasonId === null) continue;
			const { entries } = await awardsSince(this.store, seasonId, { since, limit: 1 });
			if (entries.length === 0) continue;
			const hint = { seasonId, since: new Date(since).toISOString() };
			this.io.local.to(seasonBadgeRoom(seasonId)).emit('badgesMissed', hint);
		}
	}

	/**
	 * A socket was just given `snapshot` as its watch ack. When the room has no push to diff
	 * against yet, that snapshot becomes the base, so that the next push is a delta too.
	 */
	primed(snapshot: LeaderboardSnapshot): void {
		const room = this.room(snapshot.seasonId);
		if (room.top || snapshot.version < room.lastVersion) return;
		room.top = {
			rows: new Map(snapshot.individual.map((e) => [e.id, JSON.stringify(e)])),
			teams: new Map(snapshot.teams.map((e) => [e.id, JSON.stringify(e)]))
		};
		room.lastVersion = snapshot.version;
	}

	/** The version last pushed to a season's room (0 before any push). */
	lastVersion(seasonId: number): number {
		return this.rooms.get(seasonId)?.lastVersion ?? 0;
	}

	/** The window between two pushes to a room, as it stands now (ms). */
	windowMs(room: Pick<Room, 'costMs'>): number {
		if (this.fixedIntervalMs !== undefined) return this.fixedIntervalMs;
		return Math.min(WINDOW_MAX_MS, Math.max(WINDOW_MIN_MS, this.windowFactor * room.costMs));
	}

	close(): void {
		for (const { timer, formatsTimer } of this.rooms.values()) {
			if (timer && 'immediate' in timer) clearImmediate(timer.immediate);
			if (timer && 'timeout' in timer) clearTimeout(timer.timeout);
			if (formatsTimer) clearTimeout(formatsTimer);
		}
		this.rooms.clear();
	}

	private room(seasonId: number): Room {
		let room = this.rooms.get(seasonId);
		if (!room) {
			room = {
				lastPush: 0,
				lastVersion: 0,
				timer: null,
				top: null,
				activity: [],
				badges: [],
				players: null,
				costMs: 0,
				reRank: false,
				formats: new Map(),
				formatsAt: 0,
				formatsCostMs: 0,
				formatsOwed: false,
				formatsTimer: null,
				formatsBuilding: false,
				formatsAgain: false,
				formatsReady: undefined,
				formatsEpoch: 0,
				pushing: false,
				pushAgain: false
			};
			this.rooms.set(seasonId, room);
		}
		return room;
	}

	/** The time between two builds of a room's format views (ms), as it stands now. */
	formatsWindowMs(room: Pick<Room, 'formatsCostMs'>): number {
		if (this.fixedFormatsMs !== undefined) return this.fixedFormatsMs;
		if (this.fixedIntervalMs !== undefined) return 0;
		return Math.min(FORMATS_MAX_MS, FORMATS_FACTOR * room.formatsCostMs);
	}

	private flush(seasonId: number): void {
		const room = this.room(seasonId);
		room.timer = null;
		let reading: Promise<void> | void = undefined;
		try {
			reading = this.push(seasonId, room);
		} finally {
			if (!reading) this.pushEnded(seasonId, room);
		}
		if (!reading) return;
		// Changes while the push reads are pushed after it (schedule).
		room.pushing = true;
		reading
			.catch((error: unknown) => log.error({ err: error }, 'reading a push of the board failed'))
			.finally(() => {
				room.pushing = false;
				if (this.rooms.get(seasonId) !== room) return;
				this.pushEnded(seasonId, room);
				if (room.pushAgain) {
					room.pushAgain = false;
					this.schedule(seasonId);
				}
			});
	}

	private pushEnded(seasonId: number, room: Room): void {
		// The window counts from the end of the push, so a slow push cannot follow itself.
		room.lastPush = Date.now();
		// Views left out of this push go out once their window is over, changes or not.
		if (room.formatsOwed && !room.formatsTimer) {
			const wait = Math.max(
				this.windowMs(room),
				room.formatsAt + this.formatsWindowMs(room) - room.lastPush
			);
			room.formatsTimer = setTimeout(() => {
				room.formatsTimer = null;
				if (this.rooms.get(seasonId) === room) this.schedule(seasonId);
			}, wait);
		}
	}

	/** A push: the board read through the store, then sent; nothing when nobody watches. */
	private push(seasonId: number, room: Room): Promise<void> | void {
		const started = performance.now();
		const changedAt = takeLeaderboardChange(seasonId);
		const movedIds = drainMoved(seasonId);
		const activity = room.activity;
		room.activity = [];
		const badges = room.badges;
		room.badges = [];
		const name = seasonRoom(seasonId);
		if (!this.io.sockets.adapter.rooms.get(name)?.size) {
			// Nobody watches: whoever comes next gets the board from the watch ack.
			room.top = null;
			room.reRank = false;
			room.formats.clear();
			room.formatsAt = 0;
			room.formatsOwed = false;
			if (room.formatsTimer) clearTimeout(room.formatsTimer);
			room.formatsTimer = null;
			room.formatsReady = undefined;
			room.formatsBuilding = false;
			room.formatsAgain = false;
			room.formatsEpoch++;
			return;
		}
		const now = Date.now();
		const views = this.formatsOfPush(seasonId, room, now);
		const fresh = room.players && now - room.players.at < PLAYERS_TTL_MS;
		const players = fresh ? room.players!.n : undefined;
		const taken: Taken = { changedAt, movedIds, activity, badges, now, started };
		return this.readAndSend(seasonId, room, taken, views, players).catch((error: unknown) => {
			// The feed items and badges wait for the next push; who moved is lost: re-rank.
			room.activity = [...activity, ...room.activity].slice(-ACTIVITY_MAX);
			room.badges = [...badges, ...room.badges].slice(-BADGES_MAX);
			room.reRank = true;
			throw error;
		});
	}

	/**
	 * Reads the board (who moved with the top, one snapshot, whether the push needs it or not)
	 * and the views due in the push itself, at once (on SQLite each read is one turn of the loop:
	 * they share it instead of waiting for each other), then sends.
	 */
	private async readAndSend(
		seasonId: number,
		room: Room,
		taken: Taken,
		views: { ready: Record<string, unknown> | undefined; inPush: boolean },
		players: number | undefined
	): Promise<void> {
		const wanted = taken.movedIds.length <= MOVED_MAX ? taken.movedIds : [];
		const [board, built] = await Promise.all([
			readPushBoard(this.store, seasonId, { players, movedIds: wanted }),
			views.inPush ? this.changedFormats(seasonId, room, taken.now) : undefined
		]);
		if (!board) return;
		const formats = views.ready || built ? { ...views.ready, ...built } : undefined;
		this.send(seasonId, room, taken, board.top, board.moved, formats);
	}

	/** Sends a push read by `push`: a snapshot, or a delta against the top pushed before. */
	private send(
		seasonId: number,
		room: Room,
		taken: Taken,
		top: LeaderboardSnapshot,
		movedPoints: [number, number][],
		formats: Record<string, unknown> | undefined
	): void {
		const { changedAt, movedIds, activity, badges, now, started } = taken;
		const name = seasonRoom(seasonId);
		if (!room.players || now - room.players.at >= PLAYERS_TTL_MS)
			room.players = { n: top.players ?? top.individual.length, at: now };
		if (top.version <= room.lastVersion && activity.length === 0 && badges.length === 0 && !formats)
			return;
		// Pushes go to this node's sockets only (emitToRoom, as `io.local` would): each node diffs
		// against the top it pushed itself, and learns of changes made on other nodes from
		// cluster.ts. The frame is written straight to each socket's WebSocket (room-frame.ts).
		const version = Math.max(top.version, room.lastVersion);
		const rows = new Map(top.individual.map((e) => [e.id, JSON.stringify(e)]));
		const teams = new Map(top.teams.map((e) => [e.id, JSON.stringify(e)]));
		if (!room.top) {
			const snapshot: LeaderboardSnapshot = { kind: 'snapshot', ...top, version, activity };
			if (formats) snapshot.formats = formats;
			if (badges.length > 0) snapshot.badges = badges;
			emitToRoom(this.io, name, 'leaderboard', snapshot);
		} else {
			const changed = (
				entries: LeaderboardEntry[],
				before: Map<number, string>,
				now: Map<number, string>
			) => entries.filter((e) => before.get(e.id) !== now.get(e.id));
			const reRanked =
				top.version > room.lastVersion &&
				(room.reRank || movedIds.length === 0 || movedIds.length > MOVED_MAX);
			const delta: LeaderboardDelta = {
				kind: 'delta',
				seasonId,
				version,
				baseVersion: room.lastVersion,
				individual: changed(top.individual, room.top.rows, rows),
				order: top.individual.map((e) => e.id),
				teams: changed(top.teams, room.top.teams, teams),
				teamOrder: top.teams.map((e) => e.id),
				players: top.players ?? top.individual.length,
				moved: reRanked ? [] : movedPoints,
				activity
			};
			if (reRanked) delta.reRanked = true;
			if (formats) delta.formats = formats;
			if (badges.length > 0) delta.badges = badges;
			emitToRoom(this.io, name, 'leaderboard', delta);
		}
		room.reRank = false;
		if (!this.pushed) observePush(changedAt);
		else if (changedAt !== undefined) this.pushed((performance.now() - changedAt) / 1000);
		room.top = { rows, teams };
		room.lastVersion = version;
		const cost = performance.now() - started;
		room.costMs = room.costMs === 0 ? cost : 0.7 * room.costMs + 0.3 * cost;
	}

	/**
	 * The views this push carries: those the builder's last build found changed, with a new build
	 * started when their window is over (its answer schedules a push) while they are dear or their
	 * cost is not known yet; cheap ones are read in the push itself when due (`inPush`), else owed
	 * to a push at the window's end.
	 */
	private formatsOfPush(
		seasonId: number,
		room: Room,
		now: number
	): { ready: Record<string, unknown> | undefined; inPush: boolean } {
		const due = now - room.formatsAt >= this.formatsWindowMs(room);
		const ready = room.formatsReady;
		room.formatsReady = undefined;
		const dear = room.formatsAt === 0 || room.formatsCostMs >= this.formatsInlineMaxMs;
		if (dear || room.formatsBuilding) {
			if (room.formatsBuilding) {
				// The running build may have read before this push's change: another one follows.
				room.formatsAgain = true;
				room.formatsOwed = false;
			} else {
				room.formatsOwed = !due;
				if (due) this.buildFormats(seasonId, room, now);
			}
			return { ready, inPush: false };
		}
		room.formatsOwed = !due;
		return { ready, inPush: due };
	}

	/** Builds the views off the event loop; what changed goes out with the push it schedules. */
	private buildFormats(seasonId: number, room: Room, now: number): void {
		const epoch = room.formatsEpoch;
		const started = performance.now();
		const builder = this.builder();
		room.formatsBuilding = true;
		builder.views(seasonId, now).then(
			(views) => {
				if (this.rooms.get(seasonId) !== room || room.formatsEpoch !== epoch) return;
				room.formatsBuilding = false;
				const changed = this.keepChanged(room, views);
				this.formatsBuilt(room, performance.now() - started);
				if (changed) room.formatsReady = { ...room.formatsReady, ...changed };
				const again = room.formatsAgain;
				room.formatsAgain = false;
				// The push carries what changed, and owes a build at the window's end if asked.
				if (changed || again) this.schedule(seasonId);
			},
			(error: unknown) => {
				// From now on the views are read through the store: a thread that is gone (or a
				// read that failed there and would fail again) is not asked twice. The store's own
				// reads are tried again by the next push.
				room.formatsBuilding = false;
				room.formatsAgain = false;
				if (builder === this.formatBuilder) this.formatBuilder = undefined;
				log.error({ err: error }, 'building the format views off the event loop failed');
				if (this.rooms.get(seasonId) === room) this.schedule(seasonId);
			}
		);
	}

	/**
	 * Every format view of a season as this room's pushes left it, for a watch or snapshot ack:
	 * the next push then carries what changed since. Those the room does not have yet are built
	 * by the builder (the read thread, else the store's reads): the first watcher of a quiet
	 * season does not hold every request up while a big season's views are summed. A view that
	 * could not be built shows as none (null).
	 */
	async formatsForWatch(seasonId: number, now = Date.now()): Promise<Record<string, unknown>> {
		const room = this.room(seasonId);
		if (FORMAT_VIEWS.some((view) => !room.formats.has(view.name))) {
			try {
				const built = await this.builder().views(seasonId, now);
				for (const view of FORMAT_VIEWS)
					if (!room.formats.has(view.name))
						room.formats.set(view.name, JSON.stringify(built[view.name] ?? null));
			} catch (error) {
				log.error({ err: error }, 'building the format views off the event loop failed');
			}
		}
		const views: Record<string, unknown> = {};
		for (const view of FORMAT_VIEWS)
			views[view.name] = JSON.parse(room.formats.get(view.name) ?? 'null');
		return views;
	}

	settledFormats(seasonId: number): Record<string, unknown> | undefined {
		const room = this.rooms.get(seasonId);
		// Built for a push (formatsAt), or every view by a watch ack (formatsFor).
		const built = room && (room.formatsAt > 0 || room.formats.size === FORMAT_VIEWS.length);
		if (!built || room.timer || room.formatsOwed || room.formatsBuilding || room.formatsReady)
			return undefined;
		return Object.fromEntries(
			FORMAT_VIEWS.map((view) => [view.name, JSON.parse(room.formats.get(view.name) ?? 'null')])
		);
	}

	/**
	 * The season's contest format views that changed since the last push (or the last ack), each
	 * whole; undefined when none did. They ride in the leaderboard push, so a sale that moves a
	 * duel still costs one frame. Services that change a format without moving the ledger (a
	 * challenge accepted, a round started by the scheduler) call notifyLeaderboard so that a
	 * push runs.
	 */
	private async changedFormats(
		seasonId: number,
		room: Room,
		now: number
	): Promise<Record<string, unknown> | undefined> {
		const started = performance.now();
		const views = await viewsAtOnce(this.store, seasonId, now);
		const cost = performance.now() - started;
		const changed = this.keepChanged(room, views);
		observeHeavyRead('views', 'inline', cost / 1000);
		this.formatsBuilt(room, cost);
		return changed;
	}

	/** The views that differ from those last pushed (each whole), kept as the pushed ones. */
	private keepChanged(
		room: Room,
		built: Record<string, unknown>
	): Record<string, unknown> | undefined {
		let views: Record<string, unknown> | undefined;
		for (const view of FORMAT_VIEWS) {
			const state = built[view.name] ?? null;
			const json = JSON.stringify(state);
			// A view never pushed counts as null: a season without the format sends nothing.
			if ((room.formats.get(view.name) ?? 'null') === json) continue;
			room.formats.set(view.name, json);
			(views ??= {})[view.name] = state;
		}
		return views;
	}

	/** A build of the views is done: its cost (smoothed) sizes the window before the next. */
	private formatsBuilt(room: Room, cost: number): void {
		room.formatsCostMs = room.formatsAt === 0 ? cost : 0.7 * room.formatsCostMs + 0.3 * cost;
		room.formatsAt = Date.now();
	}
}

/** The format views read through the store, awaited like a builder off the event loop. */
function storeFormats(store: Store): FormatBuilder {
	return { alive: true, views: (seasonId, now) => viewsAtOnce(store, seasonId, now) };
}

/**
 * `readFormatViews` with every view read at once (it reads them one after the other): on SQLite
 * each read is a turn of the loop, which they share instead of waiting for each other.
 */
async function viewsAtOnce(
	store: Store,
	seasonId: number,
	now: number
): Promise<Record<string, unknown>> {
	const states = await Promise.all(FORMAT_VIEWS.map((view) => view.read(store, seasonId, now)));
	return Object.fromEntries(FORMAT_VIEWS.map((view, i) => [view.name, states[i] ?? null]));
}

// Shared through globalThis: services in SvelteKit's bundle publish through the instance that
// server.ts (or the dev plugin) created when it attached Socket.IO.
const KEY = Symbol.for('honorboard.publisher');
type Holder = { [KEY]?: LivePublisher };

export function setPublisher(publisher: LivePublisher | undefined): void {
	(globalThis as Holder)[KEY] = publisher;
}

function getPublisher(): LivePublisher | undefined {
	return (globalThis as Holder)[KEY];
}

export function notifyLeaderboard(seasonId: number): void {
	getPublisher()?.leaderboardChanged(seasonId);
}

/**
 * A season's format views for a page's first render: those of the last push while nothing has
 * changed since (a busy board's page then costs no ledger sums), else built now, by the read
 * thread when the server runs one (reads/thread.ts), else through the store: on PostgreSQL,
 * where neither runs, always.
 */
export async function formatsNow(
	store: Store,
	seasonId: number,
	now = Date.now()
): Promise<Record<string, unknown>> {
	const settled = getPublisher()?.settledFormats?.(seasonId);
	if (settled) return settled;
	const thread = getReadThread();
	if (thread) {
		try {
			return await thread.views(seasonId, now);
		} catch (error) {
			log.error({ err: error }, 'reading the format views in their thread failed');
		}
	}
	return readFormatViews(store, seasonId, now);
}

export function publishActivity(item: ActivityItem): void {
	getPublisher()?.activity(item);
}

export function publishBadge(event: BadgeEvent): void {
	getPublisher()?.badge(event);
}

export function publishSeason(event: SeasonEvent): void {
	getPublisher()?.season(event);
}
