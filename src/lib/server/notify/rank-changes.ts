// Who was overtaken between two readings of a season's ranking (pure: rank-watch.ts reads the
// rankings, the channels — mail, push, chat — decide what to send).

/** One place in a ranking, best first: points (desc), then who reached them first. */
export interface Placed {
	id: number;
	points: number;
}

export interface Overtaken {
	/** The person who lost places. */
	userId: number;
	/** The person now just above them who was below them before (or new in the ranking). */
	byUserId: number;
	/** Their rank now (1-based). */
	rank: number;
	/** Their rank before. */
	previousRank: number;
}

export interface LeadChange {
	leaderId: number;
	previousLeaderId: number;
}

export interface RankChanges {
	overtaken: Overtaken[];
	lead: LeadChange | null;
}

/**
 * Compares two readings of one ranking. A person is overtaken when somebody who was below them
 * (or not ranked at all) gained points and is now above them; only people with points count as overtaken (the
 * first sale of a season passes everyone at 0, which is nobody's news). The lead changes when
 * the first place is somebody else and both readings have one.
 */
export function rankChanges(before: readonly Placed[], after: readonly Placed[]): RankChanges {
	const previousRank = new Map<number, number>();
	const previousPoints = new Map<number, number>();
	before.forEach((p, i) => {
		previousRank.set(p.id, i + 1);
		previousPoints.set(p.id, p.points);
	});
	const overtaken: Overtaken[] = [];
	for (let i = 0; i < after.length; i++) {
		const person = after[i];
		const was = previousRank.get(person.id);
		if (was === undefined || person.points <= 0 || i + 1 <= was) continue;
		// The nearest person above who was below (or unranked) before and gained points: a
		// person who fell by a reversal of their own was overtaken by nobody.
		for (let j = i - 1; j >= 0; j--) {
			const other = after[j];
			const above = previousRank.get(other.id);
			const gained = other.points > (previousPoints.get(other.id) ?? 0);
			if ((above === undefined || above > was) && gained) {
				overtaken.push({ userId: person.id, byUserId: other.id, rank: i + 1, previousRank: was });
				break;
			}
		}
	}
	const lead =
		before.length > 0 && after.length > 0 && before[0].id !== after[0].id && after[0].points > 0
			? { leaderId: after[0].id, previousLeaderId: before[0].id }
			: null;
	return { overtaken, lead };
}
