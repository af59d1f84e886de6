import { io, type Socket } from 'socket.io-client';
import type {
	ActivityItem,
	BadgeEvent,
	SeasonEvent,
	ClientToServerEvents,
	LeaderboardPush,
	LeaderboardSnapshot,
	MyStanding,
	ServerToClientEvents
} from './events';
import { changedRows, NO_CHANGES } from './changes';
import { applyPush, mergeActivity, standingMayHaveMoved } from './board-state';
import { Listeners } from './listeners';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// The one socket of the page. Components never call io(): they use watchSeason().
let socket: ClientSocket | undefined;
let users = 0;

function acquire(displayToken?: string): ClientSocket {
	// A TV authenticates with its display token instead of a session cookie.
	socket ??= io({
		autoConnect: false,
		transports: ['websocket', 'polling'],
		auth: displayToken ? { displayToken } : undefined
	});
	users += 1;
	if (!socket.connected) socket.connect();
	return socket;
}

function release(): void {
	users -= 1;
	if (users === 0) socket?.disconnect();
}

const FEED_SIZE = 20;

/** A viewer outside the top asks for its own standing at most this often. */
const STANDING_EVERY_MS = 1000;

/**
 * Live state of one season's board: the top of the ranking (never an older version than the
 * one shown), the viewer's own standing, the activity feed and the connection status. Pushes
 * are deltas against the previous push; a missed one (a version gap) or a reconnect brings a
 * fresh snapshot. See docs/socket-protocol.md.
 */
export class LiveSeason {
	snapshot = $state<LeaderboardSnapshot>() as LeaderboardSnapshot;
	/** The viewer's own rank, neighbours and gap (null: not a player in this season). */
	me = $state<MyStanding | null>(null);
	activity = $state<ActivityItem[]>([]);
	/** The season's contest formats by view name (formats/views.ts), kept live. */
	formats = $state<Record<string, unknown>>({});
	connected = $state(false);
	/**
	 * Why the server refused the connection for good (a revoked display), as a code: the page
	 * words it in its viewer's language.
	 */
	refused = $state<'display_revoked' | null>(null);
	/** Rows whose points changed in the last update ('user:ID', 'team:ID'), for a highlight. */
	changed = $state<Set<string>>(NO_CHANGES);
	/** Snapshots asked for after a missed push (for tests and diagnostics). */
	resyncs = 0;

	private socket: ClientSocket | undefined;
	private onActivity = new Listeners<[item: ActivityItem]>();
	private onBadge = new Listeners<[event: BadgeEvent]>();
	private onSeason = new Listeners<[event: SeasonEvent]>();
	private onSnapshot = new Listeners<[before: LeaderboardSnapshot, after: LeaderboardSnapshot]>();
	// Bookkeeping for standingMayHaveMoved: nothing renders from it.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private knownPoints = new Map<number, number>();
	private resyncing = false;
	private standing: {
		inFlight: boolean;
		again: boolean;
		last: number;
		timer?: ReturnType<typeof setTimeout>;
	} = {
		inFlight: false,
		again: false,
		last: 0
	};

	constructor(
		private readonly seasonId: number,
		initial: LeaderboardSnapshot,
		activity: ActivityItem[] = [],
		private readonly options: { displayToken?: string; formats?: Record<string, unknown> } = {}
	) {
		this.formats = options.formats ?? {};
		this.snapshot = initial;
		this.me = initial.me ?? null;
		this.activity = activity;
	}

	start(): () => void {
		const s = acquire(this.options.displayToken);
		this.socket = s;
		const watch = () =>
			s.emit('watch', { seasonId: this.seasonId }, (response) => {
				if ('error' in response) return;
				this.connected = true;
				this.accept(response);
			});
		const leaderboard = (push: LeaderboardPush) => {
			if (push.seasonId === this.seasonId) this.accept(push);
		};
		const seasonChanged = (event: SeasonEvent) => {
			if (event.seasonId === this.seasonId) this.onSeason.emit(event);
		};
		const disconnect = (reason: string) => {
			this.connected = false;
			// Socket.IO does not reconnect after a server-side disconnect (e.g. a revoked display):
			// try again, so that the server can say why (connect_error) or let us back in.
			if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
		};
		const refused = (error: Error) => {
			if (error.message === 'display_revoked') {
				this.refused = 'display_revoked';
				s.disconnect();
			}
		};
		s.on('connect', watch);
		s.on('leaderboard', leaderboard);
		s.on('season', seasonChanged);
		s.on('disconnect', disconnect);
		s.on('connect_error', refused);
		if (s.connected) watch();
		return () => {
			s.emit('unwatch', { seasonId: this.seasonId });
			s.off('connect', watch);
			s.off('leaderboard', leaderboard);
			s.off('season', seasonChanged);
			s.off('disconnect', disconnect);
			s.off('connect_error', refused);
			clearTimeout(this.standing.timer);
			release();
		};
	}

	/** Calls `listener` for each new activity item; returns an unsubscribe function. */
	subscribe(listener: (item: ActivityItem) => void): () => void {
		return this.onActivity.add(listener);
	}

	/** Calls `listener` for each badge awarded in this season. */
	subscribeBadges(listener: (event: BadgeEvent) => void): () => void {
		return this.onBadge.add(listener);
	}

	/** Calls `listener` when the season's status changes (e.g. it ended). */
	subscribeSeason(listener: (event: SeasonEvent) => void): () => void {
		return this.onSeason.add(listener);
	}

	/** Calls `listener` with the previous and the new snapshot after each accepted update. */
	subscribeSnapshots(
		listener: (before: LeaderboardSnapshot, after: LeaderboardSnapshot) => void
	): () => void {
		return this.onSnapshot.add(listener);
	}

	private accept(push: LeaderboardPush): void {
		// Each view comes whole, so the latest one received is right whatever the board's version.
		if (push.formats) this.formats = { ...this.formats, ...push.formats };
		const { feed, added } = mergeActivity(this.activity, push.activity, FEED_SIZE);
		this.activity = feed;
		for (const item of added) this.onActivity.emit(item);
		for (const event of push.badges ?? []) this.onBadge.emit(event);
		const applied = applyPush(this.snapshot, push);
		if ('gap' in applied) return this.resync();
		if ('stale' in applied) return;
		const before = this.snapshot;
		const after = applied.board;
		const changed = changedRows(before, after);
		this.snapshot = after;
		if (push.kind !== 'delta' && push.me !== undefined) this.me = push.me;
		if (changed.size > 0) this.changed = changed;
		this.onSnapshot.emit(before, after);
		if (push.kind === 'delta' && this.me && standingMayHaveMoved(this.me, push, this.knownPoints))
			this.refreshStanding();
	}

	/** A push was missed: the current top, once at a time. */
	private resync(): void {
		if (this.resyncing || !this.socket) return;
		this.resyncing = true;
		this.resyncs += 1;
		this.socket.emit('snapshot', { seasonId: this.seasonId }, (response) => {
			this.resyncing = false;
			if (!('error' in response)) this.accept(response);
		});
	}

	/** The viewer's own standing, at most once a second, the last request always answered. */
	private refreshStanding(): void {
		const state = this.standing;
		if (state.inFlight || state.timer) {
			state.again = true;
			return;
		}
		const wait = state.last + STANDING_EVERY_MS - Date.now();
		if (wait > 0) {
			state.timer = setTimeout(() => {
				state.timer = undefined;
				this.refreshStanding();
			}, wait);
			return;
		}
		state.inFlight = true;
		state.again = false;
		state.last = Date.now();
		this.socket?.emit('standing', { seasonId: this.seasonId }, (response) => {
			state.inFlight = false;
			if (!('error' in response)) this.me = response.me;
			if (state.again) this.refreshStanding();
		});
	}
}
