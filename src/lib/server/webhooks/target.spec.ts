import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import {
	ALLOW_PRIVATE_ENV,
	isBlockedAddress,
	privateTargetsAllowed,
	postToTarget,
	refusedTarget,
	resolveTarget,
	TargetRefused
} from './target';

afterEach(() => {
	vi.unstubAllEnvs();
});

describe('isBlockedAddress', () => {
	it.each([
		'127.0.0.1',
		'127.8.9.10',
		'0.0.0.0',
		'10.1.2.3',
		'172.16.0.1',
		'172.31.255.254',
		'192.168.1.1',
		'100.64.0.1',
		'100.127.255.254',
		'169.254.169.254',
		'169.254.0.1',
		'224.0.0.1',
		'255.255.255.255',
		'::',
		'::1',
		'::ffff:127.0.0.1',
		'::ffff:7f00:1',
		'::ffff:169.254.169.254',
		'::ffff:a9fe:a9fe',
		'::ffff:10.0.0.1',
		'::127.0.0.1',
		'64:ff9b::a9fe:a9fe',
		'fc00::1',
		'fd12:3456::1',
		'fe80::1',
		'ff02::1',
		'fd00:ec2::254',
		'not an address'
	])('refuses %s', (address) => {
		expect(isBlockedAddress(address)).toBe(true);
	});

	it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
		'allows the public address %s',
		(address) => {
			expect(isBlockedAddress(address)).toBe(false);
		}
	);
});

describe('resolveTarget', () => {
	it.each([
		'http://localhost:8080/hook',
		'http://127.0.0.1/hook',
		'http://2130706433/hook', // 127.0.0.1 as one number
		'http://0x7f.1/hook',
		'http://[::1]/hook',
		'http://[::ffff:127.0.0.1]/hook',
		'http://169.254.169.254/latest/meta-data/',
		'http://[fd00:ec2::254]/latest/meta-data/'
	])('refuses %s after resolving it', async (url) => {
		await expect(resolveTarget(new URL(url), false)).rejects.toBeInstanceOf(TargetRefused);
	});

	it('allows them with the opt-in for tests and development', async () => {
		await expect(resolveTarget(new URL('http://127.0.0.1/hook'), true)).resolves.toEqual([
			{ address: '127.0.0.1', family: 4 }
		]);
	});

	it('lets a public address literal through', async () => {
		await expect(resolveTarget(new URL('https://93.184.216.34/hook'), false)).resolves.toEqual([
			{ address: '93.184.216.34', family: 4 }
		]);
	});
});

describe('refusedTarget (when a webhook is saved)', () => {
	it('explains why a private target is refused', async () => {
		expect(await refusedTarget('http://localhost:3000/hook')).toMatch(
			/private or internal address/
		);
		expect(await refusedTarget('http://169.254.169.254/')).toMatch(/private or internal/);
		expect(await refusedTarget('http://user:pw@93.184.216.34/')).toMatch(/user name/);
	});

	it('accepts a public address, and a name that does not resolve (yet)', async () => {
		expect(await refusedTarget('https://93.184.216.34/hook')).toBeNull();
		expect(await refusedTarget('https://no-such-host.invalid/hook')).toBeNull();
	});
});

describe('postToTarget', () => {
	let server: Server | undefined;
	afterEach(async () => {
		await new Promise((done) => (server ? server.close(done) : done(null)));
		server = undefined;
	});

	async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
		server = createServer(handler);
		await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
		return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
	}

	it('refuses a local receiver without the opt-in, before connecting', async () => {
		vi.stubEnv(ALLOW_PRIVATE_ENV, '');
		let hits = 0;
		const url = await listen((_req, res) => {
			hits += 1;
			res.end();
		});
		await expect(postToTarget(`${url}/hook`, {}, '{}')).rejects.toThrow(/private or internal/);
		expect(hits).toBe(0);
	});

	it('does not follow a redirect and says so', async () => {
		vi.stubEnv(ALLOW_PRIVATE_ENV, '1');
		const paths: string[] = [];
		const url = await listen((req, res) => {
			paths.push(req.url!);
			if (req.url === '/hook') res.writeHead(302, { location: '/elsewhere' }).end();
			else res.end();
		});
		await expect(postToTarget(`${url}/hook`, {}, '{}')).rejects.toThrow(
			/HTTP 302: redirect to \/elsewhere not followed/
		);
		expect(paths).toEqual(['/hook']);
	});

	it('gives up on a receiver that does not answer', async () => {
		vi.stubEnv(ALLOW_PRIVATE_ENV, '1');
		const url = await listen(() => {
			// never answers
		});
		await expect(postToTarget(`${url}/hook`, {}, '{}', { timeoutMs: 300 })).rejects.toThrow(
			/No answer within 0.3 s/
		);
	});

	it('gives up on a receiver that starts answering but never finishes', async () => {
		vi.stubEnv(ALLOW_PRIVATE_ENV, '1');
		const url = await listen((_req, res) => {
			res.writeHead(200, { 'content-length': '100' });
			res.write('partial');
		});
		await expect(postToTarget(`${url}/hook`, {}, '{}', { timeoutMs: 300 })).rejects.toThrow(
			/within 0.3 s|aborted/
		);
	});

	it('posts the body and headers and resolves with a 2xx status', async () => {
		vi.stubEnv(ALLOW_PRIVATE_ENV, '1');
		let got = '';
		let header: string | undefined;
		const url = await listen((req, res) => {
			header = req.headers['x-test'] as string;
			req.on('data', (c) => (got += c));
			req.on('end', () => res.writeHead(204).end());
		});
		await expect(postToTarget(`${url}/hook`, { 'x-test': 'yes' }, '{"a":1}')).resolves.toEqual({
			status: 204
		});
		expect(got).toBe('{"a":1}');
		expect(header).toBe('yes');
	});
});

describe('privateTargetsAllowed', () => {
	it.each([
		[{ WEBHOOKS_ALLOW_PRIVATE: 'true' }, true],
		[{ WEBHOOKS_ALLOW_PRIVATE: '1' }, true],
		[{ WEBHOOKS_ALLOW_PRIVATE: 'false' }, false],
		[{ WEBHOOKS_ALLOW_PRIVATE: '' }, false],
		// The former name of the switch still works.
		[{ HONORBOARD_WEBHOOKS_ALLOW_PRIVATE: '1' }, true],
		[{ HONORBOARD_WEBHOOKS_ALLOW_PRIVATE: 'true' }, true],
		[{}, false]
	])('%o → %s', (env, allowed) => {
		vi.stubEnv('WEBHOOKS_ALLOW_PRIVATE', '');
		vi.stubEnv('HONORBOARD_WEBHOOKS_ALLOW_PRIVATE', '');
		for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
		expect(privateTargetsAllowed()).toBe(allowed);
	});
});
