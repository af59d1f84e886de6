import type { Season } from '../db/schema';

export function seasonJson(season: Season) {
	return {
		id: season.id,
		name: season.name,
		startsAt: new Date(season.startsAt).toISOString(),
		endsAt: new Date(season.endsAt).toISOString(),
		status: season.status,
		timeZone: season.timeZone,
		theme: season.theme,
		recurrence: season.recurrence,
		requireConfirmation: season.requireConfirmation,
		target: season.target,
		graceDays: season.graceDays,
		multiplierMode: season.multiplierMode,
		maxSalePoints: season.maxSalePoints,
		previousSeasonId: season.previousSeasonId
	};
}
