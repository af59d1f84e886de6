import { afterEach, describe, expect, it } from 'vitest';
import { overwriteGetLocale } from '$lib/paraglide/runtime';
import type { ActivityItem } from '$lib/realtime/events';
import { saleCelebration } from './celebrations.svelte';

// The TV words a big sale in its own language, with the plural form the number needs.

const sale = (points: number, provisional = false): ActivityItem => ({
	id: `sale:${points}`,
	seasonId: 1,
	kind: 'sale',
	userId: 1,
	userName: 'Anna Kowalska',
	teamName: 'Falcons',
	summary: '2 × Phone Pro 15',
	points,
	provisional,
	at: 0
});

const speak = (locale: string) => overwriteGetLocale(() => locale as 'en');

afterEach(() => speak('en'));

describe('a big sale on the TV', () => {
	it.each([
		['en', 1, false, 'scored +1 point'],
		['en', 1200, false, 'scored +1,200 points'],
		['en', 120, true, 'scored +120 points (pending)'],
		['ru', 21, false, 'зарабатывает +21 балл'],
		['ru', 122, false, 'зарабатывает +122 балла'],
		['ru', 125, false, 'зарабатывает +125 баллов'],
		['pl', 1, false, 'zdobywa +1 punkt'],
		['pl', 122, false, 'zdobywa +122 punkty'],
		['pl', 125, false, 'zdobywa +125 punktów'],
		['fr', 1200, false, 'marque +1\u202f200 points']
	] as const)('in %s, %i points (pending: %s): "%s"', (locale, points, provisional, what) => {
		speak(locale);
		expect(saleCelebration(sale(points, provisional)).what).toBe(what);
	});

	it('says a pending sale is waiting for confirmation, in the detail line', () => {
		speak('pl');
		const celebration = saleCelebration(sale(150, true));
		expect(celebration.kicker).toBe('Duża sprzedaż');
		expect(celebration.detail).toBe('2 × Phone Pro 15 · Falcons · czeka na potwierdzenie');
	});
});
