import type { Server } from 'socket.io';
import type { Queryable } from '../db';
import { getLeaderboard } from '../boards/leaderboard';
import { markLeaderboardChange, observePush, takeLeaderboardChange } from '../shared/metrics';
import {
	seasonRoom,
	type ActivityItem,
	type BadgeEvent,
	type ClientToServerEvents,
	type SeasonEvent,
	type ServerToClientEvents
} from '../../realtime/events';

type Timer = { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout };

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents>;

export interface PublisherOptions {
	/** Minimum time between two leaderboard pushes to one season room. */
	intervalMs?: number;
}

/**
 * The only module that emits to clients. Leaderboard pushes are coalesced per season: the
 * first change after a quiet period goes out at once, and a burst yields at most one push per
 * interval carrying the latest standings, with a strictly increasing version.
 */
export class Publisher {
	private readonly intervalMs: number;
	private readonly rooms = new Map<
		number,
		{ lastPush: number; lastVersion: number; timer: Timer | null }
	>();

	constructor(
		private readonly io: RealtimeServer,
		private readonly db: Queryable,
		options: PublisherOptions = {}
	) {
		this.intervalMs = options.intervalMs ?? 250;
	}

	leaderboardChanged(seasonId: number): void {
		markLeaderboardChange(seasonId);
		const room = this.room(seasonId);
		if (room.timer) return;
		const wait = Math.max(0, room.lastPush + this.intervalMs - Date.now());
		// setImmediate even when no wait is due, so that changes made in one tick share a push.
		room.timer =
			wait === 0
				? { immediate: setImmediate(() => this.flush(seasonId)) }
				: { timeout: setTimeout(() => this.flush(seasonId), wait) };
	}

	activity(item: ActivityItem): void {
		this.io.to(seasonRoom(item.seasonId)).emit('activity', item);
	}

	badge(event: BadgeEvent): void {
		this.io.to(seasonRoom(event.seasonId)).emit('badge', event);
	}

	season(event: SeasonEvent): void {
		this.io.to(seasonRoom(event.seasonId)).emit('season', event);
	}

	/** The version last pushed to a season's room (0 before any push). */
	lastVersion(seasonId: number): number {
		return this.rooms.get(seasonId)?.lastVersion ?? 0;
	}

	close(): void {
		for (const { timer } of this.rooms.values()) {
			if (timer && 'immediate' in timer) clearImmediate(timer.immediate);
			if (timer && 'timeout' in timer) clearTimeout(timer.timeout);
		}
		this.rooms.clear();
	}

	private room(seasonId: number) {
		let room = this.rooms.get(seasonId);
		if (!room) {
			room = { lastPush: 0, lastVersion: 0, timer: null };
			this.rooms.set(seasonId, room);
		}
		return room;
	}

	private flush(seasonId: number): void {
		const room = this.room(seasonId);
		const changedAt = takeLeaderboardChange(seasonId);
		room.timer = null;
		room.lastPush = Date.now();
		const name = seasonRoom(seasonId);
		if (!this.io.sockets.adapter.rooms.get(name)?.size) return;
		const snapshot = getLeaderboard(this.db, seasonId);
		if (!snapshot || snapshot.version <= room.lastVersion) return;
		room.lastVersion = snapshot.version;
		this.io.to(name).emit('leaderboard', snapshot);
		observePush(changedAt);
	}
}

// Shared through globalThis: services in SvelteKit's bundle publish through the instance that
// server.ts (or the dev plugin) created when it attached Socket.IO.
const KEY = Symbol.for('honorboard.publisher');
type Holder = { [KEY]?: Publisher };

export function setPublisher(publisher: Publisher | undefined): void {
	(globalThis as Holder)[KEY] = publisher;
}

function getPublisher(): Publisher | undefined {
	return (globalThis as Holder)[KEY];
}

export function notifyLeaderboard(seasonId: number): void {
	getPublisher()?.leaderboardChanged(seasonId);
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
