import { io, type Socket } from 'socket.io-client';
import type {
	ActivityItem,
	ClientToServerEvents,
	LeaderboardEntry,
	LeaderboardSnapshot,
	ServerToClientEvents
} from './events';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// The one socket of the page. Components never call io(): they use watchSeason().
let socket: ClientSocket | undefined;
let users = 0;

function acquire(): ClientSocket {
	socket ??= io({ autoConnect: false, transports: ['websocket', 'polling'] });
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
	/** Rows whose points changed in the last update ('user:ID', 'team:ID'), for a highlight. */
	changed = $state<Set<string>>(new Set());

	private socket: ClientSocket | undefined;
	private onActivity = new Set<(item: ActivityItem) => void>();

	constructor(
		private readonly seasonId: number,
		initial: LeaderboardSnapshot,
		activity: ActivityItem[] = []
	) {
		this.snapshot = initial;
		this.activity = activity;
	}

	start(): () => void {
		const s = acquire();
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
		const disconnect = () => (this.connected = false);
		s.on('connect', watch);
		s.on('leaderboard', leaderboard);
		s.on('activity', activity);
		s.on('disconnect', disconnect);
		if (s.connected) watch();
		return () => {
			s.emit('unwatch', { seasonId: this.seasonId });
			s.off('connect', watch);
			s.off('leaderboard', leaderboard);
			s.off('activity', activity);
			s.off('disconnect', disconnect);
			release();
		};
	}

	/** Calls `listener` for each new activity item; returns an unsubscribe function. */
	subscribe(listener: (item: ActivityItem) => void): () => void {
		this.onActivity.add(listener);
		return () => this.onActivity.delete(listener);
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
		this.snapshot = snapshot;
		if (changed.size > 0) this.changed = changed;
	}
}
