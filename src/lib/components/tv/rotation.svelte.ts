import { m } from '$lib/paraglide/messages.js';

export const TV_VIEWS = [
	{ id: 'podium' },
	{ id: 'ranking' },
	{ id: 'teams' },
	{ id: 'feed' },
	{ id: 'sprint' },
	{ id: 'bracket' },
	{ id: 'divisions' },
	{ id: 'duels' }
] as const;

export type TvView = (typeof TV_VIEWS)[number]['id'];

const VIEW_LABELS: Record<TvView, () => string> = {
	podium: m.tv_view_podium,
	ranking: m.tv_view_ranking,
	teams: m.tv_view_teams,
	feed: m.tv_view_feed,
	sprint: m.sprints_tv_view,
	bracket: m.knockouts_tv_view,
	divisions: m.divisions_tv_title,
	duels: m.challenges_tv_view
};

/** A view's heading, in the TV's language. */
export const viewLabel = (view: TvView): string => VIEW_LABELS[view]();

export const isTvView = (value: string | null): value is TvView =>
	TV_VIEWS.some((v) => v.id === value);

const TICK_MS = 250;

/**
 * Which view the TV shows and how far into its turn it is. Time only runs while nothing
 * pauses it (a celebration on screen), so a view interrupted by one gets the rest of its turn.
 */
export class Rotation {
	index = $state(0);
	elapsedMs = $state(0);

	constructor(
		private readonly periodMs: number,
		start: TvView = 'podium'
	) {
		this.index = TV_VIEWS.findIndex((v) => v.id === start);
	}

	get view(): TvView {
		return TV_VIEWS[this.index].id;
	}

	/** 0…1 through the current view's turn; 0 when rotation is off. */
	get progress(): number {
		return this.periodMs > 0 ? Math.min(1, this.elapsedMs / this.periodMs) : 0;
	}

	get rotating(): boolean {
		return this.periodMs > 0;
	}

	/** `skip`: views with nothing to show this season (no duels, divisions, sprints…) are passed over. */
	start(paused: () => boolean, skip: (view: TvView) => boolean = () => false): () => void {
		if (this.periodMs <= 0) return () => {};
		const timer = setInterval(() => {
			if (paused()) return;
			this.elapsedMs += TICK_MS;
			if (this.elapsedMs >= this.periodMs) {
				let next = (this.index + 1) % TV_VIEWS.length;
				while (next !== this.index && skip(TV_VIEWS[next].id)) next = (next + 1) % TV_VIEWS.length;
				this.index = next;
				this.elapsedMs = 0;
			}
		}, TICK_MS);
		return () => clearInterval(timer);
	}
}
