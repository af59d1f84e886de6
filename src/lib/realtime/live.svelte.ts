import { io, type Socket } from 'socket.io-client';
import type {
	ActivityItem,
	BadgeEvent,
	SeasonEvent,
	ClientToServerEvents,
	LeaderboardSnapshot,
	ServerToClientEvents
} from './events';
import { changedRows, NO_CHANGES } from './changes';
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

/**
 * Live state of one season's board: the latest leaderboard snapshot (never an older version
 * than the one shown), the activity feed and the connection status. Resynchronises from a
 * fresh snapshot after every reconnect.
 */
export class LiveSeason {
	snapshot = $state<LeaderboardSnapshot>() as LeaderboardSnapshot;
	activity = $state<ActivityItem[]>([]);
	connected = $state(false);
	/** Set when the server refused the connection for good (e.g. a revoked display). */
	refused = $state<string | null>(null);
	/** Rows whose points changed in the last update ('user:ID', 'team:ID'), for a highlight. */
	changed = $state<Set<string>>(NO_CHANGES);

	private socket: ClientSocket | undefined;
	private onActivity = new Listeners<[item: ActivityItem]>();
	private onBadge = new Listeners<[event: BadgeEvent]>();
	private onSeason = new Listeners<[event: SeasonEvent]>();
	private onSnapshot = new Listeners<[before: LeaderboardSnapshot, after: LeaderboardSnapshot]>();

	constructor(
		private readonly seasonId: number,
		initial: LeaderboardSnapshot,
		activity: ActivityItem[] = [],
		private readonly options: { displayToken?: string } = {}
	) {
		this.snapshot = initial;
		this.activity = activity;
	}

	start(): () => void {
		const s = acquire(this.options.displayToken);
		this.socket = s;
		const watch = () =>
			s.emit('watch', { seasonId: this.seasonId }, (response) => {
				if ('error' in response) return;
				this.connected = true;
				this.apply(response);
			});
		const leaderboard = (snapshot: LeaderboardSnapshot) => {
			if (snapshot.seasonId === this.seasonId) this.apply(snapshot);
		};
		const activity = (item: ActivityItem) => {
			if (item.seasonId !== this.seasonId) return;
			if (this.activity.some((known) => known.id === item.id)) return;
			this.activity = [item, ...this.activity].slice(0, FEED_SIZE);
			this.onActivity.emit(item);
		};
		const badge = (event: BadgeEvent) => {
			if (event.seasonId === this.seasonId) this.onBadge.emit(event);
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
				this.refused = 'This display was revoked by a contest manager.';
				s.disconnect();
			}
		};
		s.on('connect', watch);
		s.on('leaderboard', leaderboard);
		s.on('activity', activity);
		s.on('badge', badge);
		s.on('season', seasonChanged);
		s.on('disconnect', disconnect);
		s.on('connect_error', refused);
		if (s.connected) watch();
		return () => {
			s.emit('unwatch', { seasonId: this.seasonId });
			s.off('connect', watch);
			s.off('leaderboard', leaderboard);
			s.off('activity', activity);
			s.off('badge', badge);
			s.off('season', seasonChanged);
			s.off('disconnect', disconnect);
			s.off('connect_error', refused);
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

	private apply(snapshot: LeaderboardSnapshot): void {
		if (snapshot.version < this.snapshot.version) return;
		const before = this.snapshot;
		const changed = changedRows(before, snapshot);
		this.snapshot = snapshot;
		if (changed.size > 0) this.changed = changed;
		this.onSnapshot.emit(before, snapshot);
	}
}
