import { describe, expect, it } from 'vitest';
import type { Db } from '../db';
import { SeasonRuns, type SeasonRequest } from './season-runs';

interface Ask extends SeasonRequest<string> {
	names: string[];
}

/** The runs never touch the database: it only tells one database's queues from another's. */
const dbA = {} as Db;
const dbB = {} as Db;

function setup() {
	const ran: string[] = [];
	let release: () => void = () => {};
	const runs = new SeasonRuns<string, Ask>(
		async (_db, seasonId, request) => {
			ran.push(`${seasonId}:${request.names.join('+')}`);
			await new Promise<void>((resolve) => (release = resolve));
			if (request.names.includes('bad')) throw new Error('failed');
			return request.names.join('+');
		},
		(into, more) => {
			into.names.push(...more.names);
			into.waiters.push(...more.waiters);
		}
	);
	const ask = (db: Db, seasonId: number, name: string) =>
		new Promise<string>((resolve, reject) =>
			runs.ask(db, seasonId, { names: [name], waiters: [{ resolve, reject }] })
		);
	const turn = () => new Promise((r) => setImmediate(r));
	return { runs, ran, ask, turn, release: () => release() };
}

describe('SeasonRuns', () => {
	it('runs one request per season at a time and merges what is asked meanwhile into one run', async () => {
		const { runs, ran, ask, turn, release } = setup();
		const first = ask(dbA, 1, 'a');
		const second = ask(dbA, 1, 'b');
		const third = ask(dbA, 1, 'c');
		await turn();
		expect(ran).toEqual(['1:a']);
		expect(runs.busy(dbA, 1)).toBe(true);
		release();
		expect(await first).toBe('a');
		await turn();
		expect(ran).toEqual(['1:a', '1:b+c']);
		release();
		expect(await second).toBe('b+c');
		expect(await third).toBe('b+c');
		await runs.settled(dbA);
		expect(runs.busy(dbA, 1)).toBe(false);
	});

	it('keeps seasons and databases apart', async () => {
		const { runs, ran, ask, turn, release } = setup();
		void ask(dbA, 1, 'a');
		await turn();
		expect(runs.busy(dbA, 2)).toBe(false);
		expect(runs.busy(dbB, 1)).toBe(false);
		release();
		await runs.settled(dbA);
		void ask(dbB, 1, 'b');
		await turn();
		expect(ran).toEqual(['1:a', '1:b']);
		expect(runs.busy(dbB, 1)).toBe(true);
		release();
		await runs.settled(dbB);
		expect(runs.busy(dbB, 1)).toBe(false);
	});

	it('rejects the waiters of a failed run and still runs what was asked after it', async () => {
		const { runs, ran, ask, turn, release } = setup();
		const failed = ask(dbA, 1, 'bad');
		const after = ask(dbA, 1, 'next');
		await turn();
		release();
		await expect(failed).rejects.toThrow('failed');
		await turn();
		expect(ran).toEqual(['1:bad', '1:next']);
		release();
		expect(await after).toBe('next');
		await runs.settled(dbA);
	});
});
