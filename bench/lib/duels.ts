// The live duels the format benchmarks put in a season: thirty of one week, between people
// paired in order (people[0] v people[1], people[2] v people[3], …), all measured in points.

/** The `challenge` rows of thirty live duels in `week`; `people` needs sixty. */
export function liveDuelRows(
	seasonId: number,
	people: readonly { id: number }[],
	week: { from: number; to: number }
) {
	return Array.from({ length: 30 }, (_, d) => ({
		seasonId,
		subjectType: 'user' as const,
		challengerId: people[d * 2].id,
		opponentId: people[d * 2 + 1].id,
		measure: 'points' as const,
		periodFrom: week.from,
		periodTo: week.to,
		status: 'live' as const,
		answerBy: week.from
	}));
}
