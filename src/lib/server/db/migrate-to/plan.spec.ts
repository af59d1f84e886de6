import { describe, expect, it } from 'vitest';
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as sqlite from '../schema';
import { copyPlan } from './plan';

const plans = copyPlan();
const position = new Map(plans.map((p, i) => [p.name, i]));
const column = (table: string, name: string) =>
	plans.find((p) => p.name === table)!.columns.find((c) => c.name === name)!;

describe('copyPlan', () => {
	it('copies every table of schema.ts once', () => {
		const names = Object.values(sqlite)
			.filter((t) => is(t, SQLiteTable))
			.map((t) => getTableConfig(t as SQLiteTable).name)
			.sort();
		expect(plans.map((p) => p.name).sort()).toEqual(names);
	});

	it('puts every referenced table first, except references deferred to after the copy', () => {
		for (const table of Object.values(sqlite).filter((t) => is(t, SQLiteTable))) {
			const config = getTableConfig(table as SQLiteTable);
			const plan = plans.find((p) => p.name === config.name)!;
			for (const fk of config.foreignKeys) {
				const ref = fk.reference();
				const to = getTableConfig(ref.foreignTable as SQLiteTable).name;
				if (ref.columns.every((c) => plan.deferred.includes(c.name))) continue;
				if (to === config.name) continue; // a required self-reference: key order
				expect(position.get(to), `${config.name} → ${to}`).toBeLessThan(position.get(config.name)!);
			}
		}
	});

	it('breaks the activity ↔ ledger_entry cycle at one nullable column, defers self-references', () => {
		const deferred = plans.flatMap((p) => p.deferred.map((c) => `${p.name}.${c}`));
		expect(deferred).toEqual(
			expect.arrayContaining(['activity.ledger_entry_id', 'referral.duplicate_of_id'])
		);
		expect(deferred).not.toContain('ledger_entry.activity_id');
		expect(position.get('activity')).toBeLessThan(position.get('ledger_entry')!);
	});

	it('converts by the PostgreSQL column type', () => {
		const boolean = column('quiz_attempt', 'earning');
		expect(boolean.type).toBe('boolean');
		expect([boolean.convert(0n), boolean.convert(1n)]).toEqual([false, true]);
		expect(() => boolean.convert(2n)).toThrow('not a boolean');
		const json = column('season', 'theme');
		expect(json.type).toBe('jsonb');
		expect(json.convert('{"emoji":"🌱"}')).toBe('{"emoji":"🌱"}');
		expect(() => json.convert('{oops')).toThrow('not JSON');
		const int = column('ledger_entry', 'points');
		expect(int.convert(-3n)).toBe(-3n);
		expect(() => int.convert('3')).toThrow('not an integer');
		expect(column('user', 'email').convert('a@b.test')).toBe('a@b.test');
		expect(() => column('user', 'email').convert(5n)).toThrow('where text belongs');
	});
});
