/** "1st", "2nd", "3rd", "4th", … "11th", "12th", "13th", "21st". */
export function ordinal(n: number): string {
	const teen = n % 100 >= 11 && n % 100 <= 13;
	const suffix = teen
		? 'th'
		: (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
	return `${n}${suffix}`;
}

/** The medal of a podium place; a gift for the places after it. */
export const medal = (place: number | null): string =>
	place === 1 ? '🥇' : place === 2 ? '🥈' : place === 3 ? '🥉' : '🎁';
