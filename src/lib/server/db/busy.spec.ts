import { describe, expect, it } from 'vitest';
import { DatabaseBusyError, retryWhenBusy } from './busy';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('retryWhenBusy', () => {
	it('runs a synchronous write again while it is busy', async () => {
		let attempts = 0;
		const result = await retryWhenBusy(
			() => {
				attempts += 1;
				if (attempts < 3) throw busy();
				return 'written';
			},
			{ delayMs: 1 }
		);
		expect(result).toBe('written');
		expect(attempts).toBe(3);
	});

	it('runs a write through the store again when its promise rejects busy', async () => {
		let attempts = 0;
		const result = await retryWhenBusy(
			async () => {
				attempts += 1;
				if (attempts < 2) throw busy();
				return 42;
			},
			{ delayMs: 1 }
		);
		expect(result).toBe(42);
		expect(attempts).toBe(2);
	});

	it('gives up with DatabaseBusyError after the budget', async () => {
		let attempts = 0;
		const failing = retryWhenBusy(
			async () => {
				attempts += 1;
				throw busy();
			},
			{ budgetMs: 20, delayMs: 5 }
		);
		await expect(failing).rejects.toBeInstanceOf(DatabaseBusyError);
		expect(attempts).toBeGreaterThan(1);
	});

	it('throws any other error at once, sync or async', async () => {
		let attempts = 0;
		const other = retryWhenBusy(async () => {
			attempts += 1;
			throw new Error('constraint');
		});
		await expect(other).rejects.toThrow('constraint');
		expect(attempts).toBe(1);
		await expect(
			retryWhenBusy(() => {
				throw new TypeError('bad');
			})
		).rejects.toBeInstanceOf(TypeError);
	});
});
