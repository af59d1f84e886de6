// The API reference (issue #14): /api/v1/openapi.json is the document generated from the routes'
// schemas, every documented operation answers as documented (statuses and bodies checked against
// the documented schemas), and every /api/v1 answer is JSON, unknown paths and methods included;
// on the seeded SQLite file and on its copy in a throwaway PostgreSQL database (server-db.ts).
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { apiTokenFor, withDb, type SeededDb } from '../helpers/seeded';
import { DIALECTS, seedServerDbOn, serverEnvFor, type ServerDb } from '../helpers/server-db';
import { recordReferral } from '../../src/lib/server/referrals/record';
import { createActivityType } from '../../src/lib/server/activities/types';
import { createKnockout } from '../../src/lib/server/knockouts/commands';
import { operations, type Operation } from '../../src/lib/server/api/operations';
import { buildOpenApiDocument } from '../../src/lib/server/api/openapi';

let db: ServerDb;
let seeded: SeededDb;
let server: RunningServer;
let token: string;
/** Two open referrals: one to confirm by the sale doc-1, one to reject. */
let referrals: number[];
/** A knockout made in the console's way, for GET /knockouts/{id}. */
let knockoutId: number;

/** The rows the documented calls need, written to the seeded file before the server starts. */
async function prepare(file: SeededDb) {
	seeded = file;
	token = apiTokenFor(seeded.path, 'openapi');
	referrals = await withDb(seeded.path, async (db) => {
		const ids: number[] = [];
		for (const name of ['A', 'B']) {
			const recorded = await recordReferral(sqliteStore(db), {
				referrerId: seeded.people[1].id,
				requestId: `openapi-referral-${name}`,
				customerName: `Customer ${name}`,
				customerRef: `REF-${name}`,
				contact: null,
				note: null
			});
			ids.push(recorded.id);
		}
		return ids;
	});
	await withDb(seeded.path, (db) =>
		createActivityType(
			sqliteStore(db),
			seeded.seasonId,
			{ key: 'call', name: 'Call', points: 2, emoji: '📞' },
			{}
		)
	);
	knockoutId = await withDb(
		seeded.path,
		async (db) =>
			(
				await createKnockout(
					sqliteStore(db),
					seeded.seasonId,
					{
						name: 'Documented cup',
						subject: 'user',
						measure: 'points',
						size: 4,
						roundLength: 1,
						roundUnit: 'day',
						graceHours: 2,
						startsAt: Date.now() + 86_400_000,
						prize: null,
						requestId: 'openapi-knockout'
					},
					{}
				)
			).knockout.id
	);
}

interface Call {
	path: string;
	query?: string;
	json?: unknown;
	csv?: string;
	contentType?: string;
	auth?: false;
	status: number;
	/** Runs on the parsed answer (after the schema check). */
	then?: (body: unknown) => void | Promise<void>;
}

async function send(op: Operation, call: Call) {
	const headers: Record<string, string> = {};
	if (call.auth !== false) headers.authorization = `Bearer ${token}`;
	let body: string | undefined;
	if (call.json !== undefined) {
		headers['content-type'] = 'application/json';
		body = JSON.stringify(call.json);
	} else if (call.csv !== undefined) {
		headers['content-type'] = call.contentType ?? 'text/csv';
		body = call.csv;
	}
	return fetch(`${server.url}/api/v1${call.path}${call.query ? `?${call.query}` : ''}`, {
		method: op.method.toUpperCase(),
		headers,
		body
	});
}

/** Checks an answer against the operation's documented responses. */
async function checkAnswer(op: Operation, call: Call, response: Response) {
	const where = `${op.method} ${call.path}${call.query ? `?${call.query}` : ''}`;
	expect(response.status, where).toBe(call.status);
	const documented = op.responses[response.status];
	expect(documented, `${where}: ${response.status} is documented`).toBeDefined();
	const type = response.headers.get('content-type') ?? '';
	if (documented.csv) {
		expect(type).toMatch(/^text\/csv/);
		return response.text();
	}
	expect(type, where).toMatch(/^application\/json/);
	const body = await response.json();
	const parsed = documented.schema!.safeParse(body);
	expect(parsed.error?.issues ?? [], `${where}: ${JSON.stringify(body).slice(0, 300)}`).toEqual([]);
	return body;
}

const saleCsv = (rows: string[]) =>
	['externalId,sellerEmail,occurredAt,sku,quantity,unitPrice', ...rows].join('\n') + '\n';
const at = () => new Date(Date.now() - 60_000).toISOString();

describe.each(DIALECTS)('the API reference on %s', (dialect) => {
	beforeAll(async () => {
		db = await seedServerDbOn(dialect, { teams: 2, people: 4 }, prepare);
		seeded = db.seeded;
		server = await startServer({ dbPath: seeded.path, env: serverEnvFor(db) });
	}, 60_000);
	afterAll(async () => {
		await server?.stop();
		await db?.cleanup();
	});

	describe('/api/v1/openapi.json', () => {
		it('is served without a token: the document generated from the schemas', async () => {
			const response = await fetch(`${server.url}/api/v1/openapi.json`);
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toMatch(/^application\/json/);
			expect(await response.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
		});
	});

	describe('every documented operation answers as documented', () => {
		// Filled in order: later calls use what earlier ones made (a sale, an import job).
		let jobId = '';
		const calls = (): Record<string, Call[]> => {
			const seller = seeded.people[0].email;
			const occurredAt = at();
			const sale = (externalId: string) => ({
				externalId,
				seller: { email: seller },
				occurredAt,
				lines: [{ sku: 'PHONE', quantity: 1, unitPrice: 10 }]
			});
			const sprint = (requestId: string) => ({
				name: 'Documented sprint',
				subject: 'user',
				measure: 'sales',
				target: 10,
				startsAt: occurredAt,
				endsAt: new Date(Date.now() + 86_400_000).toISOString(),
				requestId
			});
			const activity = (externalId: string) => ({
				externalId,
				person: { email: seller },
				type: 'call',
				occurredAt
			});
			return {
				'post /sales': [
					{ path: '/sales', json: sale('doc-1'), status: 201 },
					{ path: '/sales', json: sale('doc-1'), status: 200 },
					{ path: '/sales', json: sale('doc-ref'), status: 201 },
					{ path: '/sales', json: { ...sale('doc-2'), lines: [] }, status: 400 },
					{ path: '/sales', json: sale('doc-3'), auth: false, status: 401 },
					{
						path: '/sales',
						json: { ...sale('doc-1'), lines: [{ sku: 'CASE', quantity: 2, unitPrice: 1 }] },
						status: 409
					}
				],
				'post /activities': [
					{ path: '/activities', json: activity('doc-act-1'), status: 201 },
					{ path: '/activities', json: activity('doc-act-1'), status: 200 },
					{ path: '/activities', json: { ...activity('doc-act-1'), quantity: 2 }, status: 409 },
					{ path: '/activities', json: { ...activity('doc-act-2'), type: 'lunch' }, status: 422 },
					{ path: '/activities', json: { ...activity('doc-act-3'), quantity: 0 }, status: 400 },
					{ path: '/activities', json: activity('doc-act-4'), auth: false, status: 401 }
				],
				'post /activities/{externalId}/void': [
					{ path: '/activities/doc-act-1/void', json: {}, status: 400 },
					{ path: '/activities/doc-act-1/void', json: { reason: 'Logged twice' }, status: 200 },
					{ path: '/activities/nothing/void', json: { reason: 'Logged twice' }, status: 404 }
				],
				'post /sales/{externalId}/confirm': [
					{ path: '/sales/doc-1/confirm', json: {}, status: 200 },
					{ path: '/sales/nobody/confirm', json: {}, status: 404 }
				],
				'post /sales/{externalId}/reverse': [
					{ path: '/sales/doc-1/reverse', json: {}, status: 400 },
					{ path: '/sales/doc-1/reverse', json: { reason: 'Returned' }, status: 200 }
				],
				'get /seasons': [
					{ path: '/seasons', status: 200 },
					{ path: '/seasons', query: 'status=ended', status: 200 },
					{ path: '/seasons', query: 'status=soon', status: 400 }
				],
				'post /seasons': [
					{
						path: '/seasons',
						json: {
							name: 'Documented season',
							timeZone: 'Europe/Stockholm',
							startsAt: new Date(Date.now() + 86_400_000).toISOString(),
							endsAt: new Date(Date.now() + 10 * 86_400_000).toISOString()
						},
						status: 201
					},
					{ path: '/seasons', json: { name: '' }, status: 400 }
				],
				'get /seasons/current': [{ path: '/seasons/current', status: 200 }],
				'get /seasons/{id}': [
					{ path: `/seasons/${seeded.seasonId}`, status: 200 },
					{ path: '/seasons/999999', status: 404 },
					{ path: '/seasons/abc', status: 400 }
				],
				'get /seasons/{id}/products': [
					{ path: `/seasons/${seeded.seasonId}/products`, status: 200 },
					{ path: '/seasons/999999/products', status: 404 }
				],
				'get /seasons/{id}/badges': [
					{
						path: `/seasons/${seeded.seasonId}/badges`,
						query: 'since=2020-01-01T00:00:00Z&limit=1',
						status: 200
					},
					{ path: `/seasons/${seeded.seasonId}/badges`, status: 400 },
					{ path: `/seasons/${seeded.seasonId}/badges`, query: 'since=yesterday', status: 400 },
					{
						path: `/seasons/${seeded.draftSeasonId}/badges`,
						query: 'since=2020-01-01T00:00:00Z',
						status: 404
					}
				],
				'get /seasons/{id}/leaderboard': [
					{ path: `/seasons/${seeded.seasonId}/leaderboard`, status: 200 },
					{
						path: `/seasons/${seeded.seasonId}/leaderboard`,
						query: 'scope=team&limit=2',
						status: 200
					},
					{ path: `/seasons/${seeded.seasonId}/leaderboard`, query: 'scope=all', status: 400 },
					{ path: `/seasons/${seeded.draftSeasonId}/leaderboard`, status: 404 }
				],
				'get /seasons/{id}/results': [
					{ path: `/seasons/${seeded.endedSeasonId}/results`, status: 200 },
					{ path: `/seasons/${seeded.seasonId}/results`, status: 409 }
				],
				'post /imports/sales': [
					{
						path: '/imports/sales',
						csv: saleCsv([`imp-1,${seller},${at()},PHONE,1,10`]),
						status: 200
					},
					{
						path: '/imports/sales',
						query: 'async=1',
						csv: saleCsv([
							`imp-2,${seller},${at()},PHONE,1,10`,
							`imp-3,nobody@test.test,${at()},PHONE,1,10`
						]),
						status: 202,
						then: (body) => {
							jobId = (body as { job: { id: string } }).job.id;
						}
					},
					{ path: '/imports/sales', csv: 'a,b\n1,2\n', status: 422 },
					{ path: '/imports/sales', csv: saleCsv([]), contentType: 'application/json', status: 415 }
				],
				'get /imports/jobs/{id}': [
					{ path: '/imports/jobs/unknown', status: 404 }
					// The job of the 202 above: added once it is known (below).
				],
				'get /imports/jobs/{id}/errors.csv': [
					{ path: '/imports/jobs/unknown/errors.csv', status: 404 }
				],
				// After the sales: doc-ref is confirmed (doc-1 reversed) by then.
				'get /referrals': [
					{ path: '/referrals', query: 'status=open', status: 200 },
					{ path: '/referrals', query: 'status=maybe', status: 400 }
				],
				'post /referrals/{id}/confirm': [
					{
						path: `/referrals/${referrals[0]}/confirm`,
						json: { saleExternalId: 'doc-ref' },
						status: 200
					},
					{ path: '/referrals/999999/confirm', json: { saleExternalId: 'doc-1' }, status: 404 },
					{ path: `/referrals/${referrals[1]}/confirm`, json: {}, status: 400 }
				],
				'post /referrals/{id}/reject': [
					{ path: `/referrals/${referrals[1]}/reject`, json: { reason: 'Not new' }, status: 200 },
					{
						path: `/referrals/${referrals[0]}/reject`,
						json: { reason: 'Too late' },
						status: 409
					}
				],
				// Formats (#17): duels, sprints and knockouts.
				'get /seasons/{id}/challenges': [
					{ path: `/seasons/${seeded.seasonId}/challenges`, status: 200 },
					{ path: `/seasons/${seeded.seasonId}/challenges`, query: 'status=soon', status: 400 },
					{ path: '/seasons/999999/challenges', status: 404 }
				],
				'post /seasons/{id}/challenges': [
					{
						path: `/seasons/${seeded.seasonId}/challenges`,
						json: {
							challenger: { email: seller },
							opponent: { email: seeded.people[1].email },
							measure: 'points',
							requestId: 'openapi-duel-1'
						},
						status: 201
					},
					{
						path: `/seasons/${seeded.seasonId}/challenges`,
						json: {
							challenger: { email: seller },
							opponent: { email: seeded.people[1].email },
							measure: 'points',
							requestId: 'openapi-duel-1'
						},
						status: 200
					},
					{
						path: `/seasons/${seeded.seasonId}/challenges`,
						json: { challenger: { email: seller }, opponent: { teamId: 1 }, measure: 'points' },
						status: 400
					},
					{
						path: `/seasons/${seeded.seasonId}/challenges`,
						json: {
							challenger: { email: seller },
							opponent: { email: seeded.outsider.email },
							measure: 'points'
						},
						status: 422
					},
					{
						path: '/seasons/999999/challenges',
						json: {
							challenger: { email: seller },
							opponent: { email: seeded.people[1].email },
							measure: 'points'
						},
						status: 404
					}
				],
				'get /seasons/{id}/sprints': [
					{ path: `/seasons/${seeded.seasonId}/sprints`, status: 200 },
					{ path: '/seasons/999999/sprints', status: 404 }
				],
				'post /seasons/{id}/sprints': [
					{
						path: `/seasons/${seeded.seasonId}/sprints`,
						json: sprint('openapi-sprint-1'),
						status: 201
					},
					{
						path: `/seasons/${seeded.seasonId}/sprints`,
						json: sprint('openapi-sprint-1'),
						status: 200
					},
					{
						path: `/seasons/${seeded.seasonId}/sprints`,
						json: { ...sprint('openapi-sprint-2'), target: 0 },
						status: 400
					},
					{
						path: `/seasons/${seeded.seasonId}/sprints`,
						json: { ...sprint('openapi-sprint-3'), measure: 'category:None' },
						status: 422
					}
				],
				'get /seasons/{id}/knockouts': [
					{ path: `/seasons/${seeded.seasonId}/knockouts`, status: 200 },
					{ path: '/seasons/999999/knockouts', status: 404 }
				],
				'post /seasons/{id}/knockouts': [
					{
						path: `/seasons/${seeded.seasonId}/knockouts`,
						json: { name: 'Cup', subject: 'team', measure: 'sales', size: 4, startsAt: occurredAt },
						status: 201
					},
					{
						path: `/seasons/${seeded.seasonId}/knockouts`,
						json: {
							name: 'Cup',
							subject: 'team',
							measure: 'sales',
							size: 65,
							startsAt: occurredAt
						},
						status: 400
					},
					{
						path: `/seasons/${seeded.endedSeasonId}/knockouts`,
						json: { name: 'Cup', subject: 'team', measure: 'sales', size: 4, startsAt: occurredAt },
						status: 422
					}
				],
				'get /knockouts/{id}': [
					{ path: `/knockouts/${knockoutId}`, status: 200 },
					{ path: '/knockouts/999999', status: 404 }
				],
				'get /openapi.json': [{ path: '/openapi.json', auth: false, status: 200 }]
			};
		};

		it('has calls for every operation, each answering a documented status and body', async () => {
			const table = calls();
			expect(Object.keys(table).sort()).toEqual(
				operations.map((op) => `${op.method} ${op.path}`).sort()
			);
			const ok = new Set<string>();
			for (const op of operations) {
				const key = `${op.method} ${op.path}`;
				for (const call of table[key]) {
					const body = await checkAnswer(op, call, await send(op, call));
					await call.then?.(body);
					if (call.status < 300) ok.add(key);
				}
			}
			// The import job: poll it until done, then fetch its errors as CSV.
			expect(jobId).not.toBe('');
			const jobOp = operations.find((op) => op.path === '/imports/jobs/{id}')!;
			let status = 'running';
			for (let i = 0; i < 150 && status === 'running'; i++) {
				if (i > 0) await new Promise((r) => setTimeout(r, 100));
				const poll = { path: `/imports/jobs/${jobId}`, status: 200 };
				const body = (await checkAnswer(jobOp, poll, await send(jobOp, poll))) as {
					job: { status: string };
				};
				status = body.job.status;
			}
			expect(status).toBe('done');
			ok.add('get /imports/jobs/{id}');
			const csvOp = operations.find((op) => op.path === '/imports/jobs/{id}/errors.csv')!;
			const csvCall = { path: `/imports/jobs/${jobId}/errors.csv`, status: 200 };
			const csv = (await checkAnswer(csvOp, csvCall, await send(csvOp, csvCall))) as string;
			expect(csv).toMatch(/nobody@test\.test|seller/i);
			ok.add('get /imports/jobs/{id}/errors.csv');
			// Every operation answered a success at least once.
			expect([...ok].sort()).toEqual(operations.map((op) => `${op.method} ${op.path}`).sort());
		}, 60_000);
	});

	describe('every /api/v1 answer is JSON', () => {
		it.each([
			['GET', '/api/v1/nope'],
			['POST', '/api/v1/nope/deeper/still'],
			['GET', '/api/v1/seasons/1/nothing-here'],
			['DELETE', '/api/v1/'],
			['GET', '/api/v1']
		])('%s %s: an unknown path is a JSON 404', async (method, path) => {
			const response = await fetch(`${server.url}${path}`, {
				method,
				headers: { accept: 'text/html', authorization: `Bearer ${token}` }
			});
			expect(response.status).toBe(404);
			expect(response.headers.get('content-type')).toMatch(/^application\/json/);
			expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
		});

		it.each([
			['DELETE', '/api/v1/sales', 'POST'],
			['GET', '/api/v1/sales', 'POST'],
			['PUT', '/api/v1/seasons/1', 'GET'],
			['PATCH', '/api/v1/seasons', 'GET, POST'],
			['POST', '/api/v1/openapi.json', 'GET']
		])('%s %s: a method the route lacks is a JSON 405 with Allow', async (method, path, allow) => {
			const response = await fetch(`${server.url}${path}`, {
				method,
				headers: { accept: 'text/html', authorization: `Bearer ${token}` }
			});
			expect(response.status).toBe(405);
			expect(response.headers.get('content-type')).toMatch(/^application\/json/);
			const allowed = (response.headers.get('allow') ?? '').split(/,\s*/).sort();
			expect(allowed).toEqual(expect.arrayContaining(allow.split(', ')));
			expect(await response.json()).toMatchObject({
				error: {
					code: 'method_not_allowed',
					details: { allow: expect.arrayContaining(allow.split(', ')) }
				}
			});
		});
	});
});
