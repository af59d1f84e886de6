// Every page of the app, per role, for the checks that walk them all (layout.spec.ts: nothing
// wider than a phone; a11y.spec.ts: no serious accessibility problem, and at 375 px nothing wider
// than the phone either). The ids of the detail pages are read from the seeded demo database.
import { withDb } from './database';
import { createHash } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { Locale } from '../../src/lib/i18n/locales';

export type Role = 'rep' | 'executive' | 'manager' | 'admin';

export const ACCOUNTS: Record<Role, string> = {
	rep: 'rep1@demo.test',
	executive: 'executive@demo.test',
	manager: 'manager@demo.test',
	admin: 'admin@demo.test'
};

interface Ids {
	season: number;
	rep: number;
	rule: number | undefined;
	badge: number | undefined;
	pastSeason: number | undefined;
	quiz: number | undefined;
	knockout: number | undefined;
}

function ids(): Promise<Ids> {
	return withDb(async (db) => {
		const one = (sql: string, ...args: unknown[]) => db.value<number | undefined>(sql, ...args);
		const season = (await one(`select id from season where key = 'demo'`))!;
		return {
			season,
			rep: (await one(`select id from "user" where email = ?`, ACCOUNTS.rep))!,
			rule: await one(`select id from rule where season_id = ? order by id limit 1`, season),
			badge: await one(`select id from badge where season_id = ? order by id limit 1`, season),
			pastSeason: await one(
				`select id from season where status in ('ended', 'archived') order by id limit 1`
			),
			quiz: await one(`select id from quiz where season_id = ? order by id limit 1`, season),
			knockout: await one(`select id from knockout where season_id = ? order by id limit 1`, season)
		};
	});
}

/** The pages every signed-in person sees. */
function common(i: Ids): string[] {
	return [
		'/',
		'/how-to-score',
		'/hall-of-fame',
		'/rewards',
		'/sprints',
		...(i.knockout ? [`/knockouts/${i.knockout}`] : []),
		'/divisions',
		...(i.pastSeason ? [`/hall-of-fame/${i.pastSeason}`] : []),
		`/people/${i.rep}`
	];
}

function consolePages(i: Ids, admin: boolean): string[] {
	return [
		'/dashboard',
		'/manage',
		'/manage/seasons',
		'/manage/seasons/new',
		`/manage/seasons/${i.season}`,
		`/manage/seasons/${i.season}/preview`,
		`/manage/seasons/${i.season}/prizes`,
		'/manage/teams',
		'/manage/review',
		'/manage/referrals',
		'/manage/rules',
		'/manage/rules/new',
		...(i.rule ? [`/manage/rules/${i.rule}`] : []),
		'/manage/badges',
		'/manage/badges/new',
		...(i.badge ? [`/manage/badges/${i.badge}`] : []),
		'/manage/quizzes',
		'/manage/quizzes/new',
		'/manage/challenges',
		...(i.quiz ? [`/manage/quizzes/${i.quiz}`, `/manage/quizzes/${i.quiz}/results`] : []),
		'/manage/sprints',
		'/manage/knockouts',
		'/manage/activities',
		'/manage/products',
		'/manage/people',
		`/manage/people/${i.rep}`,
		'/manage/audit',
		'/manage/displays',
		'/manage/import',
		'/manage/exports',
		'/manage/rewards',
		'/manage/divisions',
		'/manage/quotas',
		...(admin ? ['/manage/webhooks', '/manage/chat', '/manage/messages', '/manage/api'] : [])
	];
}

/**
 * The pages the a11y check visits per role: every page once, and the pages that differ by role
 * (the navigation, the console overview) for each role. The contest console's pages are the same
 * for managers and admins (admins also have webhooks), so they are checked as admin.
 */
export async function a11yPagesFor(role: Role | 'console' | 'console-wide'): Promise<string[]> {
	const i = await ids();
	switch (role) {
		case 'console':
			return consolePages(i, true);
		case 'console-wide':
			// One page of each kind (overview, list, form, detail, the admins' own), for the wide
			// layout: names, labels and contrast do not change with the width, checked at 375 px.
			return [
				'/manage',
				'/manage/seasons',
				`/manage/seasons/${i.season}`,
				'/manage/rules/new',
				`/manage/people/${i.rep}`,
				'/manage/import',
				'/manage/messages'
			];
		case 'manager':
			return [...common(i), '/dashboard', '/manage', '/manage/seasons'];
		case 'admin':
			return ['/', '/manage'];
		default:
			return pagesFor(role);
	}
}

/** The pages of one role, every main page and one of each detail page. */
export async function pagesFor(role: Role): Promise<string[]> {
	const i = await ids();
	switch (role) {
		case 'rep':
			return [
				...common(i),
				'/sell',
				'/sell/activity',
				'/me',
				'/referrals',
				'/quizzes',
				...(i.quiz ? [`/quizzes/${i.quiz}`] : []),
				'/challenges'
			];
		case 'executive':
			return [...common(i), '/dashboard'];
		case 'manager':
			return [...common(i), ...consolePages(i, false)];
		case 'admin':
			return [...common(i), ...consolePages(i, true)];
	}
}

/**
 * A TV display link for the demo season, the display speaking `locale` (as if an admin had
 * created it on Manage → Displays). Written straight into the database: the CLI's
 * `display create` (tests/integration/cli.test.ts) takes seconds to start.
 */
export async function tvPath(name: string, locale: Locale = 'en'): Promise<string> {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	const token = `tv_${encodeBase32LowerCaseNoPadding(bytes)}`;
	const hash = createHash('sha256').update(token).digest('hex');
	const { season } = await ids();
	await withDb((db) =>
		db.run(
			'insert into display (season_id, name, locale, token_hash) values (?, ?, ?, ?)',
			season,
			name,
			locale,
			hash
		)
	);
	return `/tv/${token}?rotate=0`;
}

/**
 * Where an admin's pages differ from a manager's: the navigation (the same on every page, so one
 * page of the app and one of the console) and the pages only admins have.
 */
export function adminOnlyPages(): string[] {
	return ['/', '/manage', '/manage/webhooks', '/manage/chat', '/manage/messages', '/manage/api'];
}

/**
 * The pages a11y.spec.ts's sweeps open at 375 px in `locale` (as whichever role): there they are
 * checked for their width too, so layout.spec.ts's phone walks leave them out (each page at
 * 375 px is opened once per language). English: every role's a11y pages; Russian: a rep's;
 * Polish: the contest console's, as an admin.
 */
export async function sweptOnPhone(locale: Locale): Promise<Set<string>> {
	const sweeps: (Role | 'console')[] =
		locale === 'en'
			? ['rep', 'executive', 'manager', 'admin']
			: locale === 'ru'
				? ['rep']
				: locale === 'pl'
					? ['console']
					: [];
	return new Set((await Promise.all(sweeps.map(a11yPagesFor))).flat());
}

/**
 * The roles whose phone walk in `locale` still has pages to open once `sweptOnPhone(locale)` is
 * left out (every page a rep sees is swept in English and Russian, an executive's in English).
 */
export function phoneWalkRoles(locale: Locale): Role[] {
	if (locale === 'en') return ['manager', 'admin'];
	if (locale === 'ru') return ['executive', 'manager', 'admin'];
	return ['rep', 'executive', 'manager', 'admin'];
}
