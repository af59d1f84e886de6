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

/** How many people a board shows at the top; the rest is paged or the viewer's neighbourhood. */
export const BOARD_TOP = 50;

/**
 * The top of a season's board: the first BOARD_TOP people and every team. Sent as the `watch`
 * ack, as the ack of a `snapshot` request and (kind 'snapshot') when a client must resync.
 */
export interface LeaderboardSnapshot {
	kind?: 'snapshot';
	seasonId: number;
	/** Strictly increasing per season: a client ignores any snapshot older than the one it has. */
	version: number;
	/** The top BOARD_TOP people, in ranking order. */
	individual: LeaderboardEntry[];
	teams: LeaderboardEntry[];
	/** How many people the whole ranking has (absent: `individual` is the whole ranking). */
	players?: number;
	/** The viewer's own place (a signed-in member only; absent for staff, TVs and tokens). */
	me?: MyStanding | null;
	/** Feed items that came with this update (a delta carries the new ones). */
	activity?: ActivityItem[];
	/** Badges awarded since the last push (a push only: a watch ack carries none). */
	badges?: BadgeEvent[];
	/**
	 * The season's contest formats (#17: duels, sprints, knockouts, divisions…) by view name
	 * (formats/views.ts), each view whole: every view in a watch or snapshot ack, only the views
	 * that changed in a push.
	 */
	formats?: Record<string, unknown>;
}

/**
 * What changed on a board since `baseVersion`: the rows of the top that are new or changed,
 * the order of the whole top (ids), the teams that changed and their order, the people whose
 * points moved anywhere in the ranking, and the feed items since the last push. A client
 * holding a version v with baseVersion <= v < version applies it; with v < baseVersion it has
 * missed a push and asks for a `snapshot`.
 */
export interface LeaderboardDelta {
	kind: 'delta';
	seasonId: number;
	version: number;
	baseVersion: number;
	individual: LeaderboardEntry[];
	order: number[];
	teams: LeaderboardEntry[];
	teamOrder: number[];
	players: number;
	/** People whose ranking points changed: [id, points the ranking counts now]. */
	moved: [number, number][];
	/** Everyone may have moved (ranking rule changed, large import): refresh your standing. */
	reRanked?: boolean;
	activity: ActivityItem[];
	/** Badges awarded since the last push: they ride in it rather than in a frame each. */
	badges?: BadgeEvent[];
	/** The contest format views that changed since the last push, each whole (see the snapshot). */
	formats?: Record<string, unknown>;
}

export type LeaderboardPush = LeaderboardSnapshot | LeaderboardDelta;

/** A person's own place: their row, the rows around it and what it takes to climb. */
export interface MyStanding {
	entry: LeaderboardEntry;
	neighbours: LeaderboardEntry[];
	gap: { nextRank: number; nextName: string; pointsNeeded: number } | null;
	/** The points the ranking counts for this person (confirmed, or with pending ones). */
	rankingPoints: number;
}

export interface ActivityItem {
	id: string;
	seasonId: number;
	/**
	 * A sale, or a person's badge withdrawn because the sale or activity that earned it no longer
	 * counts, a person's training-quiz points ('quiz'), or a new quiz open to everyone ('quiz_open':
	 * no person; userId 0, `points` the most it earns). Clients that do not know a kind show
	 * `summary` (the quiz's title). A duel's result ('challenge', #17): the winner (or, for a
	 * draw, the challenger) as the person, `duel` the rest.
	 * A logged activity ('activity', #17): a call, a visit…
	 */
	kind: 'sale' | 'badge_withdrawn' | 'quiz' | 'quiz_open' | 'challenge' | 'activity';
	userId: number;
	userName: string;
	teamName: string;
	/** e.g. "2 × Headset Pro, 1 × Case": product names and quantities, the same in every language. */
	summary: string;
	/**
	 * A withdrawn badge (kind 'badge_withdrawn'): data, so that each board words the line in its
	 * viewer's language.
	 */
	badge?: { name: string; emoji: string };
	/** The quiz of a 'quiz' or 'quiz_open' item, to link to it. */
	quiz?: { id: number; title: string };
	/** A duel's result (kind 'challenge'): the other side, both values (the person's first). */
	duel?: {
		id: number;
		otherName: string;
		values: [number, number];
		draw: boolean;
		measure: string;
	};
	/** The activity of an 'activity' item: how many of which type ("3 × 📞 Call"). */
	activity?: { quantity: number; name: string; emoji: string };
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
	/**
	 * The fingerprint of the season's name, theme, dates and target (seasons/look.ts), in the
	 * frames that may change them: a TV reloads its page only when it differs from its own.
	 */
	look?: string;
}

/**
 * `badge` frames of the season sent since `since` (an ISO instant) may not have reached this
 * socket: GET /api/v1/seasons/{seasonId}/badges?since=… lists the awards since then. A frame and
 * an entry are the same award when `badge.id`, `subjectType`, `subjectId` and `periodKey` match.
 */
export interface BadgesMissed {
	seasonId: number;
	since: string;
}

type Refusal = { error: { code: string; message: string } };
export type WatchAck = LeaderboardSnapshot | Refusal;
export type StandingAck = { me: MyStanding | null } | Refusal;

export interface ServerToClientEvents {
	leaderboard: (push: LeaderboardPush) => void;
	/** To API-token sockets only (seasonBadgeRoom); others get `badges` in the push. */
	badge: (event: BadgeEvent) => void;
	season: (event: SeasonEvent) => void;
	/** To API-token sockets only, after a Redis outage (docs/scale-out.md). */
	badgesMissed: (hint: BadgesMissed) => void;
}

export interface ClientToServerEvents {
	watch: (payload: { seasonId: number }, ack: (response: WatchAck) => void) => void;
	unwatch: (payload: { seasonId: number }) => void;
	/** The current top of a watched season (after a missed push). */
	snapshot: (payload: { seasonId: number }, ack: (response: WatchAck) => void) => void;
	/** The signed-in viewer's own standing in a watched season. */
	standing: (payload: { seasonId: number }, ack: (response: StandingAck) => void) => void;
}

export const seasonRoom = (seasonId: number) => `season:${seasonId}`;

/**
 * The API-token sockets watching a season, which also get a `badge` frame per award (the
 * contract's event for other tools); browsers and TVs get the same events in the push.
 */
export const seasonBadgeRoom = (seasonId: number) => `season:${seasonId}:badges`;

/** The season of a room name made by seasonBadgeRoom; null for any other room. */
export function seasonOfBadgeRoom(room: string): number | null {
	const match = /^season:(\d+):badges$/.exec(room);
	return match ? Number(match[1]) : null;
}

/** The season of a room name made by seasonRoom; null for any other room. */
export function seasonOfRoom(room: string): number | null {
	const match = /^season:(\d+)$/.exec(room);
	return match ? Number(match[1]) : null;
}
