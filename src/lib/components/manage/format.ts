// Formatting shared by the contest console: the one date formatter (src/lib/format/dates.ts), in
// the season's time zone, and the one number format.
import { datesIn } from '$lib/format/dates';

export { points, signed } from '../../format/numbers';
export { age } from '$lib/format/dates';

/** "3 Dec, 14:05" in the season's zone. */
export function dateTime(timeZone: string | undefined) {
	return datesIn(timeZone).dateTime;
}
