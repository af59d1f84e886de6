import { describe, expect, it } from 'vitest';
import { parseLevels, type LevelsValues } from './levels-form';

describe('parseLevels', () => {
	const tiers = (...rows: [string, string, string?][]) =>
		rows.map(([name, minPoints, emoji = '']) => ({ name, minPoints, emoji }));
	const levels = (patch: Partial<LevelsValues>): LevelsValues => ({
		tiers: tiers(['Bronze', '0'], ['Silver', '500']),
		holidays: '',
		...patch
	});

	it('accepts ascending levels from 0 and sorts and dedupes holidays', () => {
		const parsed = parseLevels(levels({ holidays: '2026-12-25\n\n 2026-12-24 \n2026-12-25' }));
		expect(parsed).toEqual({
			ok: true,
			levels: {
				tiers: [
					{ name: 'Bronze', minPoints: 0 },
					{ name: 'Silver', minPoints: 500 }
				],
				holidays: ['2026-12-24', '2026-12-25']
			}
		});
	});
	it('drops rows left empty', () => {
		const parsed = parseLevels(levels({ tiers: tiers(['Bronze', '0', '🥉'], ['', '', '']) }));
		expect(parsed.ok && parsed.levels.tiers).toEqual([
			{ name: 'Bronze', minPoints: 0, emoji: '🥉' }
		]);
	});
	const refused: {
		name: string;
		values: LevelsValues;
		where: (e: ReturnType<typeof parseLevels>) => unknown;
	}[] = [
		{
			name: 'first level above 0',
			values: levels({ tiers: tiers(['Bronze', '100']) }),
			where: (p) => !p.ok && p.errors['tiers.0.minPoints']
		},
		{
			name: 'not ascending',
			values: levels({ tiers: tiers(['Bronze', '0'], ['Gold', '900'], ['Silver', '500']) }),
			where: (p) => !p.ok && p.errors['tiers.2.minPoints']
		},
		{
			name: 'equal thresholds',
			values: levels({ tiers: tiers(['Bronze', '0'], ['Silver', '0']) }),
			where: (p) => !p.ok && p.errors['tiers.1.minPoints']
		},
		{
			name: 'duplicate names',
			values: levels({ tiers: tiers(['Bronze', '0'], ['bronze', '10']) }),
			where: (p) => !p.ok && p.errors['tiers.1.name']
		},
		{
			name: 'no levels',
			values: levels({ tiers: tiers(['', '']) }),
			where: (p) => !p.ok && p.errors.tiers
		},
		{
			name: 'an impossible date',
			values: levels({ holidays: '2026-02-30' }),
			where: (p) => !p.ok && p.errors.holidays
		},
		{
			name: 'a date in another format',
			values: levels({ holidays: '24.12.2026' }),
			where: (p) => !p.ok && p.errors.holidays
		}
	];
	it.each(refused)('refuses $name', ({ values, where }) => {
		expect(where(parseLevels(values))).toBeTruthy();
	});
});
