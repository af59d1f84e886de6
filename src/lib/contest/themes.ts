// Built-in season themes a manager can start from. Pure data: the console fills the season
// form with one, and every field stays editable afterwards.

export interface BuiltInTheme {
	key: string;
	/** What the gallery calls it. */
	label: string;
	/** A name the form suggests for the season. */
	seasonName: string;
	/** Dark enough for white text on the board's hero (WCAG AA for its tagline). */
	primary: string;
	accent: string;
	emoji: string;
	tagline: string;
}

export const BUILT_IN_THEMES: readonly BuiltInTheme[] = [
	{
		key: 'summit',
		label: 'Summit',
		seasonName: 'Summit Challenge',
		primary: '#2563eb',
		accent: '#f59e0b',
		emoji: '🏔️',
		tagline: 'Every sale is a step closer to the summit.'
	},
	{
		key: 'rocket',
		label: 'Rocket launch',
		seasonName: 'Rocket Launch',
		primary: '#6d28d9',
		accent: '#f97316',
		emoji: '🚀',
		tagline: '3, 2, 1… lift-off! Every sale is fuel for the rocket.'
	},
	{
		key: 'champions',
		label: 'Champions league',
		seasonName: 'Champions League',
		primary: '#1e1b4b',
		accent: '#eab308',
		emoji: '🏆',
		tagline: 'Play like champions: every sale is a goal.'
	},
	{
		key: 'winter',
		label: 'Winter cup',
		seasonName: 'Winter Cup',
		primary: '#0369a1',
		accent: '#7dd3fc',
		emoji: '❄️',
		tagline: 'Cold outside, red-hot on the board.'
	},
	{
		key: 'summer',
		label: 'Summer heat',
		seasonName: 'Summer Heat',
		primary: '#c2410c',
		accent: '#facc15',
		emoji: '☀️',
		tagline: 'Turn up the heat: the hottest sellers take the crown.'
	},
	{
		key: 'ocean',
		label: 'Ocean race',
		seasonName: 'Ocean Race',
		primary: '#0e7490',
		accent: '#2dd4bf',
		emoji: '⛵',
		tagline: 'Catch the wind and race your crew to the finish line.'
	}
];

export function findTheme(key: string): BuiltInTheme | undefined {
	return BUILT_IN_THEMES.find((theme) => theme.key === key);
}
