import { TZDate } from '@date-fns/tz';
import { describe, expect, it } from 'vitest';
import {
	decimalOf,
	decodeBytes,
	detectDateOrder,
	detectDecimal,
	instantOf,
	normalizeHeader,
	parseAmount,
	parseDate
} from './formats';

describe('normalizeHeader', () => {
	it.each([
		['Data sprzedaży', 'datasprzedazy'],
		['Ilość', 'ilosc'],
		['QUANTITÉ', 'quantite'],
		['Deal - Won time', 'dealwontime'],
		['E-mail', 'email'],
		['Försäljningsdatum', 'forsaljningsdatum'],
		['Количество', 'количество']
	])('%s → %s', (header, normalized) => expect(normalizeHeader(header)).toBe(normalized));
});

describe('amounts', () => {
	it.each([
		['1,099.00', '.', 1099],
		['1099.5', '.', 1099.5],
		['1.099,00', ',', 1099],
		['1099,00', ',', 1099],
		['1 099,00', ',', 1099],
		['1\u00a0099,00', ',', 1099],
		['1\u202f099,50', ',', 1099.5],
		['12 345 678.90', '.', 12345678.9],
		['USD 1,099.00', '.', 1099],
		['29,90 zł', ',', 29.9],
		['€ 12,50', ',', 12.5],
		['7', ',', 7]
	] as const)('%s with %s decimals is %d', (text, mark, value) =>
		expect(parseAmount(text, mark)).toBe(value)
	);

	it.each([
		['1,099.00', ','],
		['-5', '.'],
		['1.09.9', '.'],
		['12,34,5', '.'],
		['1e3', '.'],
		['0x10', '.'],
		['abc', '.'],
		['1 09,00', ',']
	] as const)('%s with %s decimals is not an amount', (text, mark) =>
		expect(parseAmount(text, mark)).toBeNull()
	);

	it('one value tells the mark when it can', () => {
		expect(decimalOf('1,099.00')).toBe('.');
		expect(decimalOf('1.099,00')).toBe(',');
		expect(decimalOf('1099,5')).toBe(',');
		expect(decimalOf('1,099')).toBeNull();
		expect(decimalOf('1 099')).toBeNull();
		expect(decimalOf('1,099,000')).toBe('.');
	});

	it('the file tells the mark, or says it is mixed', () => {
		expect(detectDecimal(['1', '1,099', '29,90'])).toBe(',');
		expect(detectDecimal(['1', '1,099.00'])).toBe('.');
		expect(detectDecimal(['1', '2'])).toBeNull();
		expect(detectDecimal(['1,50', '2.50'])).toBe('conflict');
	});
});

describe('dates', () => {
	it('finds the day/month order from the file, or says it cannot', () => {
		expect(detectDateOrder(['05/11/2026', '20/11/2026'])).toEqual({ order: 'DMY' });
		expect(detectDateOrder(['11/5/2026', '11/20/2026 3:15 PM'])).toEqual({ order: 'MDY' });
		expect(detectDateOrder(['2026-11-20 10:15', '2026-11-05'])).toEqual({ order: null });
		expect(detectDateOrder(['05.11.2026', '06.11.2026'])).toEqual({
			ambiguous: true,
			example: '05.11.2026'
		});
		expect(detectDateOrder(['20/11/2026', '11/20/2026'])).toMatchObject({ conflict: true });
		// The same day and month read the same both ways.
		expect(detectDateOrder(['11/11/2026'])).toEqual({ order: null });
	});

	const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, dateOnly = false) => ({
		kind: 'local',
		year: y,
		month: mo,
		day: d,
		hour: h,
		minute: mi,
		second: s,
		ms: 0,
		dateOnly
	});

	it.each([
		['2026-11-20T10:15:00+01:00', null, { kind: 'instant', ms: Date.UTC(2026, 10, 20, 9, 15) }],
		['2026-11-20T10:15:00Z', null, { kind: 'instant', ms: Date.UTC(2026, 10, 20, 10, 15) }],
		[
			'2026-11-20T10:15:00.250-0500',
			null,
			{ kind: 'instant', ms: Date.UTC(2026, 10, 20, 15, 15, 0, 250) }
		],
		['2026-11-20 10:15', null, local(2026, 11, 20, 10, 15)],
		['2026-11-20 10:15:30', null, local(2026, 11, 20, 10, 15, 30)],
		['2026-11-20', null, local(2026, 11, 20, 0, 0, 0, true)],
		['2026/11/20', null, local(2026, 11, 20, 0, 0, 0, true)],
		['20.11.2026 10:15', 'DMY', local(2026, 11, 20, 10, 15)],
		['20/11/2026', 'DMY', local(2026, 11, 20, 0, 0, 0, true)],
		['20-11-2026 9:05', 'DMY', local(2026, 11, 20, 9, 5)],
		['11/20/2026', 'MDY', local(2026, 11, 20, 0, 0, 0, true)],
		['11/20/2026 3:15 PM', 'MDY', local(2026, 11, 20, 15, 15)],
		['11/20/2026 12:05 am', 'MDY', local(2026, 11, 20, 0, 5)]
	] as const)('%s (%s)', (text, order, parsed) => {
		expect(parseDate(text, order)).toEqual(parsed);
	});

	it.each([
		['last tuesday', 'DMY'],
		['31/02/2026', 'DMY'],
		['20/11/2026', 'MDY'],
		['05/11/2026', null],
		['05/11/2026', 'YMD'],
		['2026-11-20 25:00', null],
		['2026-13-01', null],
		['13/20/2026 1:00 PM', 'MDY']
	] as const)('%s (%s) is refused', (text, order) => {
		expect(parseDate(text, order)).toHaveProperty('error');
	});

	it("reads a time without a zone in the season's zone, a date alone at that day's start", () => {
		const at = parseDate('20.11.2026 10:15', 'DMY');
		if ('error' in at) throw new Error(at.error);
		expect(instantOf(at, 'Europe/Warsaw')).toBe(Date.UTC(2026, 10, 20, 9, 15));
		expect(instantOf(at, 'America/New_York')).toBe(Date.UTC(2026, 10, 20, 15, 15));
		const day = parseDate('2026-07-01', null);
		if ('error' in day) throw new Error(day.error);
		expect(instantOf(day, 'Europe/Stockholm')).toBe(Date.UTC(2026, 5, 30, 22, 0));
	});

	// Around DST changes, as TZDate reads each time (instantOf remembers a day's midnight
	// only where the offset holds): Amsterdam's 2026 changes, Moscow's move to +4 (2011) and back
	// to +3 (2014), each day with its neighbours.
	const changes = [
		['Europe/Amsterdam', 2026, 3, 29],
		['Europe/Amsterdam', 2026, 10, 25],
		['Europe/Moscow', 2011, 3, 27],
		['Europe/Moscow', 2014, 10, 26]
	] as const;
	const times = [
		[0, 0],
		[0, 30],
		[1, 0],
		[1, 30],
		[1, 59],
		[2, 0],
		[2, 30],
		[2, 59],
		[3, 0],
		[3, 30],
		[4, 0],
		[12, 0],
		[23, 59]
	];
	it.each(changes)(
		'reads local times around the change in %s on %i-%i-%i as TZDate does',
		(zone, year, month, day) => {
			for (const offset of [-1, 0, 1])
				for (const [hour, minute] of times) {
					const date = {
						kind: 'local',
						year,
						month,
						day: day + offset,
						hour,
						minute,
						second: 7,
						ms: 5,
						dateOnly: false
					} as const;
					expect(
						instantOf(date, zone),
						`${zone} ${year}-${month}-${day + offset} ${hour}:${minute}`
					).toBe(new TZDate(year, month - 1, day + offset, hour, minute, 7, 5, zone).getTime());
				}
		}
	);

	it('skips the missing hour of a spring-forward and reads the doubled one once', () => {
		const local = (zone: string, y: number, mo: number, d: number, h: number, mi: number) =>
			instantOf(
				{
					kind: 'local',
					year: y,
					month: mo,
					day: d,
					hour: h,
					minute: mi,
					second: 0,
					ms: 0,
					dateOnly: false
				},
				zone
			);
		expect(local('Europe/Amsterdam', 2026, 3, 29, 1, 30)).toBe(Date.UTC(2026, 2, 29, 0, 30));
		expect(local('Europe/Amsterdam', 2026, 3, 29, 3, 30)).toBe(Date.UTC(2026, 2, 29, 1, 30));
		expect(local('Europe/Amsterdam', 2026, 10, 25, 3, 30)).toBe(Date.UTC(2026, 9, 25, 2, 30));
		expect(local('Europe/Moscow', 2011, 3, 27, 3, 30)).toBe(Date.UTC(2011, 2, 26, 23, 30));
		expect(local('Europe/Moscow', 2014, 10, 26, 3, 30)).toBe(Date.UTC(2014, 9, 26, 0, 30));
	});
});

describe('decodeBytes', () => {
	const cp = (encoding: string, text: string) =>
		// Node has no encoder for code pages: build the bytes from the decoder's table.
		Uint8Array.from(
			[...text].map((char) => {
				if (char.charCodeAt(0) < 0x80) return char.charCodeAt(0);
				for (let b = 0x80; b < 0x100; b++)
					if (new TextDecoder(encoding).decode(Uint8Array.of(b)) === char) return b;
				throw new Error(`${char} is not in ${encoding}`);
			})
		);

	it.each([
		['windows-1250', 'Sprzedawca;Ilość;Cena\nŁukasz Wiśniewski;2;1 099,00\nZofia Żółć;1;29,90'],
		['windows-1250', 'Zamówienie;Kod\nA1;ŻÓŁW-ą'],
		['windows-1252', 'Vendeur;Quantité;Prix\nFrançoise Lefèvre;2;1 099,00\nJérôme Dûpont;1;29,90'],
		['windows-1252', 'Säljare;Antal\nÅsa Öberg;2']
	])('detects %s', (encoding, text) => {
		expect(decodeBytes(cp(encoding, text))).toEqual({ text, encoding, detected: true });
	});

	it('reads UTF-8 with and without a byte-order mark, and a chosen encoding', () => {
		const utf8 = new TextEncoder().encode('Ilość;Quantité');
		expect(decodeBytes(utf8).text).toBe('Ilość;Quantité');
		expect(decodeBytes(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8])).text).toBe('Ilość;Quantité');
		expect(decodeBytes(cp('windows-1250', 'Ilość'), 'windows-1252').text).toBe('Iloœæ');
	});
});
