// Slack and Teams with the production build: a local receiver on 127.0.0.1 stands in for both
// platforms. A big sale arrives once, as Block Kit and as an Adaptive Card; a 429 is retried
// after its Retry-After; a paused channel gets nothing; /manage/chat is for admins and refuses
// a URL that is not the platform's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import * as devalue from 'devalue';
import { startServer, type RunningServer } from '../helpers/server';
import { postSale } from '../helpers/sales';
import {
	apiTokenFor,
	PASSWORD,
	readDb,
	seedServerDb,
	signIn,
	waitFor,
	type SeededDb
} from '../helpers/seeded';
import { makeUser } from '../helpers/factories';
import { openDatabase } from '../../src/lib/server/db';
import type { AddressInfo } from 'node:net';

// The receiver's port is the OS's choice: a fixed one (47450) lies in Linux's ephemeral range,
// where another test's connection held it once in CI (EADDRINUSE).
let receiverPort = 0;

interface Received {
	path: string;
	body: Record<string, unknown>;
	at: number;
	answered: number;
}

let db: SeededDb;
let running: RunningServer;
let receiver: Server;
let admin: string;
let token: string;
const received: Received[] = [];
/** How the receiver answers each path: a list of statuses used up in order, then 200. */
const script = new Map<string, number[]>();
const receiverUrl = (path: string) => `http://127.0.0.1:${receiverPort}${path}`;

beforeAll(async () => {
	db = await seedServerDb({ teams: 2, people: 4 });
	const d = openDatabase(db.path);
	try {
		await makeUser(d, { email: 'admin@test.test', role: 'admin', password: PASSWORD });
		await makeUser(d, { email: 'manager@test.test', role: 'manager', password: PASSWORD });
	} finally {
		d.$client.close();
	}
	token = apiTokenFor(db.path);
	receiver = createServer((req, res) => {
		let text = '';
		req.on('data', (c) => (text += c));
		req.on('end', () => {
			const path = req.url ?? '';
			const status = script.get(path)?.shift() ?? 200;
			received.push({ path, body: JSON.parse(text), at: Date.now(), answered: status });
			if (status === 429) res.writeHead(429, { 'retry-after': '2' }).end('rate_limited');
			else res.writeHead(status).end('ok');
		});
	});
	await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
	receiverPort = (receiver.address() as AddressInfo).port;
	running = await startServer({ dbPath: db.path });
	admin = await signIn(running.url, 'admin@test.test');
}, 120_000);

afterAll(async () => {
	await running?.dispose();
	await new Promise((done) => receiver?.close(done));
	db?.cleanup();
});

/** Posts a form action the way the page's enhanced form does; returns SvelteKit's answer. */
async function action(session: string, name: string, fields: [string, string][]) {
	const response = await fetch(`${running.url}/manage/chat?/${name}`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: {
			origin: running.url,
			cookie: `session=${session}`,
			'content-type': 'application/x-www-form-urlencoded',
			'x-sveltekit-action': 'true'
		}
	});
	const result = (await response.json()) as { type: string; status?: number; data?: string };
	return {
		status: response.status,
		...result,
		data: typeof result.data === 'string' ? devalue.parse(result.data) : result.data
	};
}

const channelCount = () =>
	readDb(db.path, (r) => r.prepare('select count(*) from chat_channel').pluck().get()) as number;
const channelId = (name: string) =>
	readDb(db.path, (r) =>
		r.prepare('select id from chat_channel where name = ?').pluck().get(name)
	) as number;

async function addChannel(platform: string, name: string, path: string, points = '50') {
	const result = await action(admin, 'create', [
		['platform', platform],
		['name', name],
		['url', receiverUrl(path)],
		['events', 'big_sale'],
		['events', 'badge'],
		['bigSalePoints', points]
	]);
	expect(result).toMatchObject({ type: 'success' });
	return channelId(name);
}

/** One moment for all sales: the same externalId posted again is the same sale (a replay). */
const SOLD_AT = new Date(Date.now() - 60_000).toISOString();

async function sell(externalId: string, sku: string) {
	const answer = await postSale(running.url, token, {
		externalId,
		seller: db.people[1].email,
		occurredAt: SOLD_AT,
		sku,
		unitPrice: 10
	});
	expect(answer.status).toBeLessThan(300);
}

const at = (path: string) => received.filter((r) => r.path === path);

describe('Slack and Teams channels', () => {
	it('post a big sale once as Block Kit and as an Adaptive Card, wait out a 429, and leave a paused channel alone', async () => {
		await addChannel('slack', '#wins', '/slack');
		await addChannel('teams', 'Sales team', '/teams');
		await addChannel('slack', '#limited', '/limited');
		const paused = await addChannel('slack', '#paused', '/paused');
		expect(
			await action(admin, 'toggle', [
				['id', String(paused)],
				['active', 'false']
			])
		).toMatchObject({ type: 'success' });
		script.set('/limited', [429]);

		await sell('chat-big', 'PHONE'); // 50 points: big for a threshold of 50
		await sell('chat-big', 'PHONE'); // the same sale again: counted (and posted) once
		await sell('chat-small', 'CASE'); // 5 points: not big

		await waitFor(
			() => at('/slack').length >= 1 && at('/teams').length >= 1,
			10_000,
			'the big sale on both platforms'
		);
		await waitFor(
			() => at('/limited').some((r) => r.answered === 200),
			10_000,
			'the rate-limited channel after its Retry-After'
		);
		// Time for a duplicate or a post to the paused channel, were there one.
		await new Promise((r) => setTimeout(r, 1_200));

		const [slack] = at('/slack');
		expect(at('/slack')).toHaveLength(1);
		const seller = db.people[1].displayName;
		expect(slack.body.text).toContain(seller);
		const blocks = slack.body.blocks as { type: string }[];
		expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);

		expect(at('/teams')).toHaveLength(1);
		const [attachment] = at('/teams')[0].body.attachments as {
			contentType: string;
			content: { type: string; version: string; body: { text?: string }[] };
		}[];
		expect(at('/teams')[0].body.type).toBe('message');
		expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
		expect(attachment.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
		expect(JSON.stringify(attachment.content.body)).toContain(seller);

		// 429, then the one delivery at least Retry-After (2 s) later.
		const limited = at('/limited');
		expect(limited.map((r) => r.answered)).toEqual([429, 200]);
		expect(limited[1].at - limited[0].at).toBeGreaterThanOrEqual(1_900);
		expect(at('/paused')).toHaveLength(0);

		const rows = readDb(db.path, (r) =>
			r
				.prepare(
					`select recipient, channel, kind, status, attempts from outgoing_message
					 where chat_channel_id is not null order by id`
				)
				.all()
		);
		expect(rows).toEqual([
			{ recipient: '#wins', channel: 'slack', kind: 'big_sale', status: 'sent', attempts: 1 },
			{ recipient: 'Sales team', channel: 'teams', kind: 'big_sale', status: 'sent', attempts: 1 },
			{ recipient: '#limited', channel: 'slack', kind: 'big_sale', status: 'sent', attempts: 2 }
		]);
	}, 30_000);

	it('are managed by admins only; a URL that is not the platform’s is refused and nothing is saved', async () => {
		for (const email of ['manager@test.test', db.people[0].email]) {
			const session = await signIn(running.url, email);
			const page = await fetch(`${running.url}/manage/chat`, {
				headers: { cookie: `session=${session}` }
			});
			expect(page.status).toBe(403);
			expect(
				await action(session, 'create', [
					['platform', 'slack'],
					['name', '#sneaky'],
					['url', receiverUrl('/sneaky')],
					['events', 'big_sale']
				])
			).toMatchObject({ type: 'error', status: 403 });
		}
		expect(
			(await fetch(`${running.url}/manage/chat`, { headers: { cookie: `session=${admin}` } }))
				.status
		).toBe(200);

		const before = channelCount();
		for (const [platform, url, says] of [
			['slack', 'https://example.com/hook', /hooks\.slack\.com/],
			['slack', 'https://hooks.slack.com.evil.test/services/x', /hooks\.slack\.com/],
			['teams', 'https://hooks.slack.com/services/T0/B0/x', /logic\.azure\.com/],
			['teams', 'ftp://acme.webhook.office.com/x', /.+/],
			['slack', 'not a url', /.+/]
		] as const) {
			const result = await action(admin, 'create', [
				['platform', platform],
				['name', 'bad'],
				['url', url],
				['events', 'big_sale']
			]);
			expect(result).toMatchObject({ type: 'failure', status: 400 });
			expect((result.data as { errors: Record<string, string> }).errors.url).toMatch(says);
		}
		const noEvents = await action(admin, 'create', [
			['platform', 'slack'],
			['name', 'bad'],
			['url', receiverUrl('/x')]
		]);
		expect(noEvents).toMatchObject({ type: 'failure', status: 400 });
		expect(channelCount()).toBe(before);
	});

	it('send a test message at once and say how it went', async () => {
		const id = channelId('#wins');
		const posted = at('/slack').length;
		const ok = await action(admin, 'test', [['id', String(id)]]);
		expect(ok).toMatchObject({ type: 'success' });
		expect(at('/slack')).toHaveLength(posted + 1);
		const blocks = at('/slack').at(-1)!.body.blocks as { text?: { text: string } }[];
		expect(blocks[0].text!.text).toBe('Honorboard is connected');

		script.set('/slack', [404]);
		const refused = await action(admin, 'test', [['id', String(id)]]);
		expect(refused).toMatchObject({ type: 'failure', status: 502 });
		expect((refused.data as { message: string }).message).toMatch(/HTTP 404/);
		const log = readDb(db.path, (r) =>
			r.prepare(`select status from outgoing_message where kind = 'test' order by id`).pluck().all()
		);
		expect(log).toEqual(['sent', 'failed']);
	});
});
