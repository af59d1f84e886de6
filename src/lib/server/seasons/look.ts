import { createHash } from 'node:crypto';
import type { SeasonTheme } from '../db/schema';

/** What a screen shows of a season besides its board: the fields a `season` frame may change. */
export interface SeasonLooks {
	name: string;
	theme: SeasonTheme;
	startsAt: number;
	endsAt: number;
	target: number | null;
}

/**
 * A short fingerprint of a season's looks, carried by the `season` frames that may change them
 * and by the TV page's data: a screen reloads its page only when the frame's differs from the one
 * it was built with. After a Redis outage every node sends the state of every watched season
 * again (publish.ts, `resendSeasons`), and without it every TV in the company reloaded then.
 * The theme is hashed with its banner (a data URL), so no frame carries the image itself.
 */
export function seasonLook(s: SeasonLooks): string {
	const shown = JSON.stringify([s.name, s.theme, s.startsAt, s.endsAt, s.target]);
	return createHash('sha256').update(shown).digest('base64url').slice(0, 16);
}
