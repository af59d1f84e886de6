// Built-in season themes a manager can start from. Pure data: the console fills the season
// form with one, and every field stays editable afterwards. Names and taglines are read in the
// reader's language when used (getters), and become the season's own data once saved.
import { m } from '../paraglide/messages.js';

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
		get label() {
			return m.seasons_theme_summit();
		},
		get seasonName() {
			return m.seasons_theme_summit_name();
		},
		primary: '#2563eb',
		accent: '#f59e0b',
		emoji: '🏔️',
		get tagline() {
			return m.seasons_theme_summit_tagline();
		}
	},
	{
		key: 'rocket',
		get label() {
			return m.seasons_theme_rocket();
		},
		get seasonName() {
			return m.seasons_theme_rocket_name();
		},
		primary: '#6d28d9',
		accent: '#f97316',
		emoji: '🚀',
		get tagline() {
			return m.seasons_theme_rocket_tagline();
		}
	},
	{
		key: 'champions',
		get label() {
			return m.seasons_theme_champions();
		},
		get seasonName() {
			return m.seasons_theme_champions_name();
		},
		primary: '#1e1b4b',
		accent: '#eab308',
		emoji: '🏆',
		get tagline() {
			return m.seasons_theme_champions_tagline();
		}
	},
	{
		key: 'winter',
		get label() {
			return m.seasons_theme_winter();
		},
		get seasonName() {
			return m.seasons_theme_winter_name();
		},
		primary: '#0369a1',
		accent: '#7dd3fc',
		emoji: '❄️',
		get tagline() {
			return m.seasons_theme_winter_tagline();
		}
	},
	{
		key: 'summer',
		get label() {
			return m.seasons_theme_summer();
		},
		get seasonName() {
			return m.seasons_theme_summer_name();
		},
		primary: '#c2410c',
		accent: '#facc15',
		emoji: '☀️',
		get tagline() {
			return m.seasons_theme_summer_tagline();
		}
	},
	{
		key: 'ocean',
		get label() {
			return m.seasons_theme_ocean();
		},
		get seasonName() {
			return m.seasons_theme_ocean_name();
		},
		primary: '#0e7490',
		accent: '#2dd4bf',
		emoji: '⛵',
		get tagline() {
			return m.seasons_theme_ocean_tagline();
		}
	}
];

export function findTheme(key: string): BuiltInTheme | undefined {
	return BUILT_IN_THEMES.find((theme) => theme.key === key);
}
