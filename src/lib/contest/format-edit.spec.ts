import { describe, expect, it } from 'vitest';
import {
	knockoutEdit,
	knockoutLocked,
	removal,
	sprintEdit,
	sprintLocked,
	type KnockoutFields,
	type SprintFields
} from './format-edit';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 2, 12, 0);

// Stored times carry seconds (the API and the demo write exact instants); the form shows minutes.
const SPRINT: SprintFields & { status: string } = {
	name: 'First to 500',
	subject: 'user',
	measure: 'points',
	target: 500,
	startsAt: NOW - DAY + 17_345,
	endsAt: NOW + DAY + 41_002,
	prize: 'Lunch',
	status: 'live'
};
const minute = (t: number) => Math.floor(t / 60_000) * 60_000;
const asShown = { ...SPRINT, startsAt: minute(SPRINT.startsAt), endsAt: minute(SPRINT.endsAt) };

describe('sprintEdit once the race is on', () => {
	it.each<[string, Partial<SprintFields>, unknown]>([
		['a new name and prize', { name: 'Sprint!', prize: null }, { ok: true }],
		['a later deadline', { endsAt: NOW + 2 * DAY }, { ok: true }],
		[
			'an earlier deadline, even after now',
			{ endsAt: NOW + HOUR },
			{ ok: false, refusal: { reason: 'deadline_later', field: 'endsAt' } }
		],
		[
			'another target',
			{ target: 400 },
			{ ok: false, refusal: { reason: 'locked', field: 'target' } }
		],
		[
			'another measure',
			{ measure: 'sales' },
			{ ok: false, refusal: { reason: 'locked', field: 'measure' } }
		],
		[
			'teams instead of people',
			{ subject: 'team' },
			{ ok: false, refusal: { reason: 'locked', field: 'subject' } }
		],
		[
			'another start',
			{ startsAt: NOW - 2 * DAY },
			{ ok: false, refusal: { reason: 'locked', field: 'startsAt' } }
		]
	])('%s', (_, change, expected) => {
		expect(sprintEdit(SPRINT, { ...asShown, ...change }, NOW)).toMatchObject(expected as object);
	});

	it('keeps the stored instants for times sent back as shown', () => {
		expect(sprintEdit(SPRINT, { ...asShown, name: 'Renamed' }, NOW)).toEqual({
			ok: true,
			set: { name: 'Renamed', prize: 'Lunch', endsAt: SPRINT.endsAt }
		});
	});

	it('writes only the name, the prize and the deadline', () => {
		const result = sprintEdit(SPRINT, { ...asShown, endsAt: NOW + 3 * DAY }, NOW);
		expect(result).toEqual({
			ok: true,
			set: { name: SPRINT.name, prize: SPRINT.prize, endsAt: NOW + 3 * DAY }
		});
	});

	it('refuses to extend a deadline that has passed (the race is over)', () => {
		const over = { ...SPRINT, status: 'expired', endsAt: NOW - HOUR };
		expect(
			sprintEdit(over, { ...over, endsAt: NOW + DAY, startsAt: minute(SPRINT.startsAt) }, NOW)
		).toEqual({ ok: false, refusal: { reason: 'deadline_passed', field: 'endsAt' } });
		expect(sprintLocked(over, NOW)).toEqual(['subject', 'measure', 'target', 'startsAt', 'endsAt']);
	});

	it('counts a start that has come as started, before the scheduler has run', () => {
		const due = { ...SPRINT, status: 'scheduled', startsAt: NOW - HOUR };
		expect(sprintEdit(due, { ...due, target: 50 }, NOW)).toMatchObject({ ok: false });
		expect(sprintLocked(due, NOW)).toEqual(['subject', 'measure', 'target', 'startsAt']);
	});
});

describe('sprintEdit before the start', () => {
	const later = { ...SPRINT, status: 'scheduled', startsAt: NOW + DAY, endsAt: NOW + 2 * DAY };

	it('takes every field', () => {
		const next = {
			...later,
			subject: 'team' as const,
			measure: 'sales',
			target: 20,
			startsAt: NOW + 2 * DAY,
			endsAt: NOW + 3 * DAY
		};
		expect(sprintEdit(later, next, NOW)).toEqual({
			ok: true,
			set: {
				name: SPRINT.name,
				subject: 'team',
				measure: 'sales',
				target: 20,
				startsAt: NOW + 2 * DAY,
				endsAt: NOW + 3 * DAY,
				prize: 'Lunch',
				status: 'scheduled'
			}
		});
		expect(sprintLocked(later, NOW)).toEqual([]);
	});

	it('is live at once when the new start has come', () => {
		expect(sprintEdit(later, { ...later, startsAt: NOW - HOUR }, NOW)).toMatchObject({
			ok: true,
			set: { status: 'live', startsAt: NOW - HOUR }
		});
	});
});

describe('a closed sprint', () => {
	it.each(['final', 'cancelled'])('%s: nothing changes', (status) => {
		const s = { ...SPRINT, status };
		expect(sprintEdit(s, { ...asShown, name: 'x' }, NOW)).toEqual({
			ok: false,
			refusal: { reason: status }
		});
		expect(sprintLocked(s, NOW)).toHaveLength(7);
	});
});

const CUP: KnockoutFields & { status: string } = {
	name: 'December cup',
	subject: 'user',
	measure: 'points',
	size: 8,
	roundLength: 1,
	roundUnit: 'day',
	graceHours: 2,
	startsAt: NOW - DAY + 5_000,
	prize: null,
	status: 'live'
};

describe('knockoutEdit', () => {
	const shown = { ...CUP, startsAt: minute(CUP.startsAt) };

	it.each<[string, Partial<KnockoutFields>, unknown]>([
		['a new name and prize', { name: 'Cup', prize: 'A trophy' }, { ok: true }],
		['another size', { size: 16 }, { ok: false, refusal: { reason: 'locked', field: 'size' } }],
		[
			'longer rounds',
			{ roundLength: 2 },
			{ ok: false, refusal: { reason: 'locked', field: 'roundLength' } }
		],
		[
			'hours instead of days',
			{ roundUnit: 'hour' },
			{ ok: false, refusal: { reason: 'locked', field: 'roundUnit' } }
		],
		[
			'another grace',
			{ graceHours: 5 },
			{ ok: false, refusal: { reason: 'locked', field: 'graceHours' } }
		],
		[
			'another start',
			{ startsAt: NOW + DAY },
			{ ok: false, refusal: { reason: 'locked', field: 'startsAt' } }
		]
	])('once started: %s', (_, change, expected) => {
		expect(knockoutEdit(CUP, { ...shown, ...change }, NOW)).toMatchObject(expected as object);
	});

	it('once started writes only the name and the prize', () => {
		expect(knockoutEdit(CUP, { ...shown, name: 'Cup', prize: 'Trophy' }, NOW)).toEqual({
			ok: true,
			set: { name: 'Cup', prize: 'Trophy' }
		});
		expect(knockoutLocked(CUP, NOW)).toEqual([
			'subject',
			'measure',
			'size',
			'roundLength',
			'roundUnit',
			'graceHours',
			'startsAt'
		]);
	});

	it('before the start takes every field', () => {
		const later = { ...CUP, status: 'scheduled', startsAt: NOW + DAY };
		const next = {
			...later,
			size: 16,
			roundUnit: 'hour' as const,
			roundLength: 12,
			startsAt: NOW + HOUR
		};
		expect(knockoutEdit(later, next, NOW)).toEqual({
			ok: true,
			set: {
				name: CUP.name,
				subject: 'user',
				measure: 'points',
				size: 16,
				roundLength: 12,
				roundUnit: 'hour',
				graceHours: 2,
				startsAt: NOW + HOUR,
				prize: null
			}
		});
		expect(knockoutLocked(later, NOW)).toEqual([]);
	});

	it.each(['final', 'cancelled'])('%s: nothing changes', (status) => {
		expect(knockoutEdit({ ...CUP, status }, { ...shown, name: 'x' }, NOW)).toEqual({
			ok: false,
			refusal: { reason: status }
		});
	});
});

describe('removal', () => {
	it.each<[string, { status: string; startsAt: number }, unknown]>([
		['not started: deleted', { status: 'scheduled', startsAt: NOW + HOUR }, 'delete'],
		['its start has come: cancelled', { status: 'scheduled', startsAt: NOW }, 'cancel'],
		['live: cancelled', { status: 'live', startsAt: NOW - DAY }, 'cancel'],
		['won, in its grace: cancelled', { status: 'won', startsAt: NOW - DAY }, 'cancel'],
		['expired, in its grace: cancelled', { status: 'expired', startsAt: NOW - DAY }, 'cancel']
	])('%s', (_, race, action) => {
		expect(removal(race, NOW)).toEqual({ ok: true, action });
	});

	it.each(['final', 'cancelled'])('%s: refused', (status) => {
		expect(removal({ status, startsAt: NOW - DAY }, NOW)).toEqual({
			ok: false,
			refusal: { reason: status }
		});
	});
});
