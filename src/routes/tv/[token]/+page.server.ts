import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getStore, type Store } from '$lib/server/db/store';
import { AppError } from '$lib/server/shared/errors';
import { readSeason } from '$lib/server/seasons/queries';
import { readBoardTop, readPersonNames } from '$lib/server/boards/leaderboard';
import { readRecentActivity } from '$lib/server/boards/activity';
import { readRecentAwards } from '$lib/server/boards/recent-awards';
import { formatsNow } from '$lib/server/realtime/publish';
import { readCampaigns } from '$lib/server/rules/campaigns';
import { isTvView, type TvView } from '$lib/components/tv/rotation.svelte';
import type { BadgeItem } from '$lib/components/tv/badge-item';
import { displayFor, markSeen } from '$lib/server/displays/tokens';
import { seasonLook } from '$lib/server/seasons/look';
import { m } from '$lib/paraglide/messages.js';

const DEFAULT_ROTATE_SECONDS = 15;
const DEFAULT_BIG_SALE_POINTS = 100;

/** `?rotate=SECONDS` (0 stops the rotation), `?view=ranking` to start on a view, `?bigSale=POINTS`. */
function tvOptions(url: URL): { rotateSeconds: number; startView: TvView; bigSalePoints: number } {
	const rotate = Number(url.searchParams.get('rotate') ?? DEFAULT_ROTATE_SECONDS);
	const bigSale = Number(url.searchParams.get('bigSale') ?? DEFAULT_BIG_SALE_POINTS);
	const view = url.searchParams.get('view');
	return {
		rotateSeconds:
			Number.isInteger(rotate) && (rotate === 0 || (rotate >= 3 && rotate <= 3600))
				? rotate
				: DEFAULT_ROTATE_SECONDS,
		startView: isTvView(view) ? view : 'podium',
		bigSalePoints: Number.isInteger(bigSale) && bigSale > 0 ? bigSale : DEFAULT_BIG_SALE_POINTS
	};
}

/** The display the link names, or the error page that tells the TV why not. */
async function shownDisplay(store: Store, token: string) {
	try {
		return await displayFor(store, token);
	} catch (e) {
		if (e instanceof AppError) {
			const message = e.code === 'display_revoked' ? m.tv_revoked_title() : m.tv_unknown_title();
			error(e.status, { message, code: e.code });
		}
		throw e;
	}
}

export const load: PageServerLoad = async ({ params, url, setHeaders }) => {
	const store = getStore();
	const shown = await shownDisplay(store, params.token);
	const season = await readSeason(store, shown.seasonId);
	if (!season) error(404, { message: m.tv_unknown_title(), code: 'display_unknown' });
	const now = Date.now();
	await markSeen(store, shown.id, now);
	// A TV shows live data: never let a proxy or the browser serve it stale after a restart.
	setHeaders({ 'cache-control': 'no-store' });

	// The top of the board, never the whole ranking (a TV shows the top).
	const board = (await readBoardTop(store, season.id))!;
	const awards = await readRecentAwards(store, season.id, 12);
	const names = new Map([
		...board.individual.map((e) => [`user:${e.id}`, e.name] as const),
		...board.teams.map((e) => [`team:${e.id}`, e.name] as const)
	]);
	// Badges earned by people below the top still show their names.
	const missing = awards
		.filter((a) => a.subjectType === 'user' && !names.has(`user:${a.subjectId}`))
		.map((a) => a.subjectId);
	for (const [id, name] of await readPersonNames(store, missing)) names.set(`user:${id}`, name);
	const badges: BadgeItem[] = awards.flatMap((a) => {
		const who = names.get(`${a.subjectType}:${a.subjectId}`);
		if (!who) return [];
		return [
			{ key: `award:${a.id}`, emoji: a.badge.emoji, badge: a.badge.name, who, at: a.earnedAt }
		];
	});

	return {
		token: params.token,
		display: { name: shown.name },
		season: {
			id: season.id,
			name: season.name,
			theme: season.theme,
			status: season.status,
			startsAt: season.startsAt,
			endsAt: season.endsAt,
			timeZone: season.timeZone,
			// What a `season` frame is compared with (season-frame.ts).
			look: seasonLook(season)
		},
		board,
		formats: await formatsNow(store, season.id, now),
		activity: await readRecentActivity(store, season.id, 15),
		badges,
		campaigns: await readCampaigns(store, season, now),
		options: tvOptions(url)
	};
};
