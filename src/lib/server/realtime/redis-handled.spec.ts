import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handledClients, type RedisClientLike } from './redis-handled';

/** A stand-in for node-redis's client: commands that fail, copies, a private field. */
class FakeClient implements RedisClientLike {
	#secret = 'private fields need the client itself as `this`';
	isReady = true;
	copies: FakeClient[] = [];
	publish(channel: string): Promise<number> {
		return Promise.reject(new Error(`PUBLISH ${channel}: socket closed`));
	}
	secret(): string {
		return this.#secret;
	}
	connect(): Promise<this> {
		return Promise.reject(new Error('closed while connecting'));
	}
	duplicate(): FakeClient {
		const copy = new FakeClient();
		this.copies.push(copy);
		return copy;
	}
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('handledClients', () => {
	const unhandled: unknown[] = [];
	const onUnhandled = (reason: unknown) => unhandled.push(reason);
	beforeEach(() => {
		unhandled.length = 0;
		process.on('unhandledRejection', onUnhandled);
	});
	afterEach(() => {
		process.off('unhandledRejection', onUnhandled);
	});

	it('handles a command whose promise is dropped, and tells which command failed', async () => {
		const failures: string[] = [];
		const { client } = handledClients(new FakeClient(), (command) => failures.push(command));
		void client.publish('hb#/#');
		await flush();
		expect(unhandled).toEqual([]);
		expect(failures).toEqual(['publish']);
	});

	it('still rejects for a caller that awaits the command', async () => {
		const { client } = handledClients(new FakeClient(), () => {});
		await expect(client.publish('x')).rejects.toThrow('PUBLISH x: socket closed');
	});

	it("calls the client's methods on the client itself", () => {
		const { client } = handledClients(new FakeClient(), () => {});
		expect(client.secret()).toMatch(/private fields/);
	});

	it('handles the copies too, whose connect() never rejects, and counts them for readiness', async () => {
		const failures: string[] = [];
		const raw = new FakeClient();
		const { client, allReady } = handledClients(raw, (command) => failures.push(command));
		const copy = client.duplicate();
		// The adapter connects a copy inside a promise chain of its own that has no handler.
		await expect(copy.connect()).resolves.toBe(raw.copies[0]);
		void copy.publish('y');
		await flush();
		expect(unhandled).toEqual([]);
		expect(failures).toEqual(['connect', 'publish']);
		expect(allReady()).toBe(true);
		raw.copies[0].isReady = false;
		expect(allReady()).toBe(false);
		raw.copies[0].isReady = true;
		raw.isReady = false;
		expect(allReady()).toBe(false);
	});

	it('counts the commands waiting for an answer, and tells of each answer', async () => {
		const raw = new FakeClient();
		let answer!: () => void;
		(raw as unknown as { get: () => Promise<string> }).get = () =>
			new Promise<string>((done) => (answer = () => done('OK')));
		let answers = 0;
		const handled = handledClients(
			raw,
			() => {},
			() => answers++
		);
		const client = handled.client as unknown as {
			get(): Promise<string>;
			publish(c: string): Promise<number>;
		};
		void client.get();
		void client.publish('z');
		expect(handled.pending()).toBe(2);
		await flush();
		// The failed one is no longer waiting.
		expect(handled.pending()).toBe(1);
		expect(answers).toBe(0);
		answer();
		await flush();
		expect(handled.pending()).toBe(0);
		expect(answers).toBe(1);
	});
});
