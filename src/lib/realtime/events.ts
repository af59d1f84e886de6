// The Socket.IO contract, typed once for the server (`new Server<…>`) and the client.

export interface LeaderboardEntry {
	rank: number;
	id: number;
	name: string;
	/** Confirmed points: what the ranking counts. */
	points: number;
	/** Points still waiting for confirmation. */
	provisionalPoints: number;
	salesCount: number;
	teamId?: number;
	teamName?: string;
	emoji?: string;
	color?: string;
}

export interface LeaderboardSnapshot {
	seasonId: number;
	/** Strictly increasing per season: a client ignores any snapshot older than the one it has. */
	version: number;
	individual: LeaderboardEntry[];
	teams: LeaderboardEntry[];
}

export interface ActivityItem {
	id: string;
	seasonId: number;
	/** A sale, or a person's badge withdrawn because the sale that earned it no longer counts. */
	kind: 'sale' | 'badge_withdrawn';
	userId: number;
	userName: string;
	teamName: string;
	/** e.g. "2 × Headset Pro, 1 × Case" */
	summary: string;
	points: number;
	provisional: boolean;
	at: number;
}

export interface BadgeEvent {
	seasonId: number;
	subjectType: 'user' | 'team';
	subjectId: number;
	subjectName: string;
	/** Set for a person's badge. */
	userId?: number;
	userName?: string;
	badge: { id: number; name: string; emoji: string; description: string; points: number };
	/** Earned by a sale still waiting for review: the badge and its points are pending. */
	provisional?: boolean;
	periodKey: string;
	at: number;
}

export interface SeasonEvent {
	seasonId: number;
	status: string;
	/** When a recurring season ended: the season that follows it. */
	nextSeasonId?: number;
	/** A manager's announcement to show on every board. */
	announcement?: string | null;
}

export type WatchAck = LeaderboardSnapshot | { error: { code: string; message: string } };

export interface ServerToClientEvents {
	leaderboard: (snapshot: LeaderboardSnapshot) => void;
	activity: (item: ActivityItem) => void;
	badge: (event: BadgeEvent) => void;
	season: (event: SeasonEvent) => void;
}

export interface ClientToServerEvents {
	watch: (payload: { seasonId: number }, ack: (response: WatchAck) => void) => void;
	unwatch: (payload: { seasonId: number }) => void;
}

export const seasonRoom = (seasonId: number) => `season:${seasonId}`;

/** The season of a room name made by seasonRoom; null for any other room. */
export function seasonOfRoom(room: string): number | null {
	const match = /^season:(\d+)$/.exec(room);
	return match ? Number(match[1]) : null;
}
