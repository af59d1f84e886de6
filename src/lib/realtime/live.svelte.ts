import { io, type Socket } from 'socket.io-client';
import type {
	ActivityItem,
	BadgeEvent,
	SeasonEvent,
	ClientToServerEvents,
	LeaderboardEntry,
	LeaderboardSnapshot,
	ServerToClientEvents
} from './events';

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
	changed = $state<Set<string>>(new Set());

	private socket: ClientSocket | undefined;
	private onActivity = new Set<(item: ActivityItem) => void>();
	private onBadge = new Set<(event: BadgeEvent) => void>();
	private onSeason = new Set<(event: SeasonEvent) => void>();
	private onSnapshot = new Set<(before: LeaderboardSnapshot, after: LeaderboardSnapshot) => void>();

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
			for (const listener of this.onActivity) listener(item);
		};
		const badge = (event: BadgeEvent) => {
			if (event.seasonId === this.seasonId) for (const listener of this.onBadge) listener(event);
		};
		const seasonChanged = (event: SeasonEvent) => {
			if (event.seasonId === this.seasonId) for (const listener of this.onSeason) listener(event);
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
		this.onActivity.add(listener);
		return () => this.onActivity.delete(listener);
	}

	/** Calls `listener` for each badge awarded in this season. */
	subscribeBadges(listener: (event: BadgeEvent) => void): () => void {
		this.onBadge.add(listener);
		return () => this.onBadge.delete(listener);
	}

	/** Calls `listener` when the season's status changes (e.g. it ended). */
	subscribeSeason(listener: (event: SeasonEvent) => void): () => void {
		this.onSeason.add(listener);
		return () => this.onSeason.delete(listener);
	}

	/** Calls `listener` with the previous and the new snapshot after each accepted update. */
	subscribeSnapshots(
		listener: (before: LeaderboardSnapshot, after: LeaderboardSnapshot) => void
	): () => void {
		this.onSnapshot.add(listener);
		return () => this.onSnapshot.delete(listener);
	}

	private apply(snapshot: LeaderboardSnapshot): void {
		if (snapshot.version < this.snapshot.version) return;
		const changed = new Set<string>();
		const total = (e: LeaderboardEntry) => e.points + e.provisionalPoints;
		const diff = (kind: string, before: LeaderboardEntry[], after: LeaderboardEntry[]) => {
			const old = new Map(before.map((e) => [e.id, total(e)]));
			for (const entry of after) {
				const previous = old.get(entry.id);
				if (previous !== undefined && previous !== total(entry)) changed.add(`${kind}:${entry.id}`);
			}
		};
		diff('user', this.snapshot.individual, snapshot.individual);
		diff('team', this.snapshot.teams, snapshot.teams);
		const before = this.snapshot;
		this.snapshot = snapshot;
		if (changed.size > 0) this.changed = changed;
		for (const listener of this.onSnapshot) listener(before, snapshot);
	}
}
