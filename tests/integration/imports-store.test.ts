// The import jobs on the store (#20, db/store.ts): the saved mappings, the uploads, a job's row
// (its start, progress, claim, release and expiry, its error download) and the seller
// directory, with the same assertions on a temp SQLite file and a throwaway PostgreSQL
// (tests/helpers/postgres.ts). "Two nodes" are two stores on one database: what one wrote, the
// other reads. Running a job's rows (imports/sales.ts) stays on SQLite's connection; its
// windows' progress is covered by import-jobs-nodes.test.ts and exports.test.ts.
import { describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { type Store } from '../../src/lib/server/db/store';
import {
	deleteMapping,
	listSavedMappings,
	saveMapping
} from '../../src/lib/server/imports/saved-mappings';
import {
	dropUpload,
	saveUpload,
	storeText,
	uploadSource
} from '../../src/lib/server/imports/upload';
import {
	claimStaleImportJobs,
	errorsDownload,
	getImportJob,
	pruneImportJobs,
	releaseImportJobs,
	startImportJob
} from '../../src/lib/server/imports/jobs';
import { readSellerDirectory } from '../../src/lib/server/imports/sellers';
import { ERRORS_CSV_HEADER } from '../../src/lib/server/imports/report-sink';
import { twoNodesPerDialect } from '../helpers/store-nodes';
import { appErrorCode, liveSeasonOn } from '../helpers/store-season';

const nodes = twoNodesPerDialect('imports-store');

const HOUR = 60 * 60 * 1000;
const reading = { dateOrder: 'DMY' as const, decimal: ',' as const, encoding: 'utf-8' as const };
const headers = ['Deal', 'Owner', 'Closed', 'Product', 'Qty', 'Price'];
const mapping = {
	externalId: 'Deal',
	sellerEmail: 'Owner',
	occurredAt: 'Closed',
	sku: 'Product',
	quantity: 'Qty',
	unitPrice: 'Price'
};

/** The bytes an upload reads back, as text. */
async function readBack(store: Store, uploadId: number): Promise<string> {
	const source = await uploadSource(store, uploadId, 'utf-8');
	const parts: Buffer[] = [];
	if (!('bytes' in source)) throw new Error('an upload is read as bytes');
	for await (const part of source.bytes()) parts.push(Buffer.from(part));
	return Buffer.concat(parts).toString('utf8');
}

/** A job row as a node leaves it mid-import (`heartbeatAt` old: its process died). */
async function jobLeftBy(
	store: Store,
	ownerUserId: number,
	values: { heartbeatAt: number | null; uploadId?: number | null; done?: number }
) {
	const { importJob } = store.tables;
	const id = randomBytes(12).toString('hex');
	await store.db.insert(importJob).values({
		id,
		ownerUserId,
		dryRun: false,
		exclusive: true,
		options: { encoding: 'utf-8', batchSize: 5 },
		uploadId: values.uploadId ?? null,
		status: 'running',
		done: values.done ?? 0,
		total: 100,
		startedAt: Date.now() - HOUR / 2,
		holder: 'a node that died',
		heartbeatAt: values.heartbeatAt
	});
	return id;
}

async function jobRows(store: Store, ids: string[]) {
	const { importJob } = store.tables;
	return store.db.select().from(importJob).where(inArray(importJob.id, ids));
}

describe.each(['sqlite', 'postgres'] as const)('import jobs on %s, two nodes', (dialect) => {
	it('a mapping saved on one node is listed on the other; saved at once, one is kept; removed at once, once', async () => {
		const [a, b] = nodes[dialect];
		const { people } = await liveSeasonOn(a, { size: 2, teams: ['North'], endsAt: 1e13 });
		const before = (await listSavedMappings(b)).length;
		const input = { name: 'CRM deals', headers, mapping, reading, userId: people[0].id };
		const saved = await saveMapping(a, input);
		expect(await listSavedMappings(b)).toContainEqual(
			expect.objectContaining({ id: saved.id, name: 'CRM deals', mapping, dateOrder: 'DMY' })
		);
		// The same headers saved on both nodes at once: one mapping, under one of the two names.
		const both = await Promise.all([
			saveMapping(a, { ...input, name: 'From A', userId: people[0].id }),
			saveMapping(b, { ...input, name: 'From B', userId: people[1].id })
		]);
		const listed = await listSavedMappings(a);
		expect(listed).toHaveLength(before + 1);
		expect(both.map((m) => m.id)).toEqual([saved.id, saved.id]);
		expect(['From A', 'From B']).toContain(listed.find((m) => m.id === saved.id)!.name);
		// Bad input changes nothing: no name, a column the file does not have.
		expect(await appErrorCode(() => saveMapping(b, { ...input, name: '  ' }))).toBe('invalid_name');
		expect(
			await appErrorCode(() =>
				saveMapping(b, { ...input, name: 'Other', mapping: { ...mapping, sku: 'SKU' } })
			)
		).toBe('invalid_mapping');
		expect(await listSavedMappings(b)).toEqual(listed);
		// Forgotten on both nodes at once: one of them removed it.
		expect(await Promise.all([deleteMapping(a, saved.id), deleteMapping(b, saved.id)])).toEqual(
			expect.arrayContaining([true, false])
		);
		expect(await listSavedMappings(b)).toHaveLength(before);
	});

	it('an upload stored on one node reads back whole on the other; one too large keeps nothing', async () => {
		const [a, b] = nodes[dialect];
		const { importUpload } = a.tables;
		// Past two chunks of 1 MB, with characters of two, three and four bytes across the cuts.
		const line = 'Zażółć gęślą jaźń, 東京, 🎉 ;1;29,90\n';
		const text = line.repeat(Math.ceil((2.5 * 1024 * 1024) / Buffer.byteLength(line)));
		const id = await storeText(a, text);
		expect(await readBack(b, id)).toBe(text);
		const body = new Blob([text]).stream();
		const upload = await saveUpload(b, body, 10 * 1024 * 1024);
		const lines = text.split('\n').filter((l) => l.trim()).length;
		expect(upload).toMatchObject({ bytes: Buffer.byteLength(text), dataLines: lines - 1 });
		expect(await readBack(a, upload.id)).toBe(text);
		const uploads = async () => (await b.db.select().from(importUpload)).length;
		const count = await uploads();
		expect(await appErrorCode(() => saveUpload(a, new Blob([text]).stream(), 1024 * 1024))).toBe(
			'too_large'
		);
		expect(await uploads()).toBe(count);
		await Promise.all([dropUpload(a, id), dropUpload(b, upload.id)]);
		expect(await uploads()).toBe(count - 2);
	});

	it('one running import per owner across nodes: started at once on both, one runs', async () => {
		const [a, b] = nodes[dialect];
		const { importJob } = a.tables;
		const { people } = await liveSeasonOn(a, { size: 2, teams: ['North'], endsAt: 1e13 });
		// A job another node runs (its heartbeat is fresh): this owner's next import waits for it.
		const held = await jobLeftBy(a, people[0].id, { heartbeatAt: Date.now() });
		const outcomes = await Promise.all(
			[a, b].map((node) =>
				appErrorCode(() =>
					startImportJob(node, 'Deal,Owner\n1,x', { owner: { userId: people[0].id } })
				)
			)
		);
		expect(outcomes).toEqual(['import_running', 'import_running']);
		const mine = (userId: number) =>
			b.db.select().from(importJob).where(eq(importJob.ownerUserId, userId));
		expect(await mine(people[0].id)).toHaveLength(1);
		// Two starts at once on two nodes: one job, the other told to wait. The file is a few MB,
		// so that the first is still storing it (running) whenever the second looks.
		const text = 'Deal,Owner\n' + 'x,y\n'.repeat(1_500_000);
		const started = await Promise.allSettled(
			[a, b].map((node) => startImportJob(node, text, { owner: { userId: people[1].id } }))
		);
		const ran = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
		expect(ran).toHaveLength(1);
		const refused = started.find((s) => s.status === 'rejected') as PromiseRejectedResult;
		expect(refused.reason).toMatchObject({ code: 'import_running' });
		await ran[0].finished;
		expect(await mine(people[1].id)).toHaveLength(1);
		await a.db.delete(importJob).where(eq(importJob.id, held));
	});

	it("a job's progress is read from any node, by its owner only; a stale job is claimed by one node", async () => {
		const [a, b] = nodes[dialect];
		const { people } = await liveSeasonOn(a, { size: 2, teams: ['North'], endsAt: 1e13 });
		const owner = { userId: people[0].id };
		const uploadId = await storeText(a, 'Deal,Owner\n1,x\n');
		const stale = Date.now() - 10 * 60 * 1000;
		const resumable = await jobLeftBy(a, owner.userId, { heartbeatAt: stale, uploadId, done: 40 });
		// The console's awaited dry run keeps no file: taken over, it can only be failed.
		const fileless = await jobLeftBy(a, owner.userId, { heartbeatAt: stale });
		expect(await getImportJob(b, resumable, owner)).toMatchObject({
			id: resumable,
			status: 'running',
			done: 40,
			total: 100
		});
		expect(await getImportJob(b, resumable, { userId: people[1].id })).toBeNull();
		// Both nodes look for stale jobs at once: each job is taken by one of them.
		const claims = await Promise.all([claimStaleImportJobs(a), claimStaleImportJobs(b)]);
		expect(claims.map((c) => c.taken).sort()).toEqual([0, 2]);
		expect(claims.flatMap((c) => c.runnable.map((r) => r.id))).toEqual([resumable]);
		const [job, failed] = await Promise.all([
			getImportJob(a, resumable, owner),
			getImportJob(b, fileless, owner)
		]);
		expect(job).toMatchObject({ status: 'running', done: 40 });
		expect(failed).toMatchObject({
			status: 'failed',
			error: expect.stringMatching(/upload it again/)
		});
		// Its lease is fresh now: nobody takes it again until it runs out or is given up.
		expect((await claimStaleImportJobs(b)).taken).toBe(0);
		await releaseImportJobs(a);
		const [released] = await jobRows(b, [resumable]);
		expect(released).toMatchObject({ holder: null, heartbeatAt: null, status: 'running' });
		const again = await claimStaleImportJobs(b);
		expect(again.runnable.map((r) => r.id)).toEqual([resumable]);
		await a.db
			.delete(a.tables.importJob)
			.where(inArray(a.tables.importJob.id, [resumable, fileless]));
		await dropUpload(a, uploadId);
	});

	it("a finished job's errors download from any node; an hour later the job, its errors and stray uploads are gone", async () => {
		const [a, b] = nodes[dialect];
		const { importJob, importJobError, importUpload } = a.tables;
		const { people } = await liveSeasonOn(a, { size: 1, teams: ['North'], endsAt: 1e13 });
		const owner = { userId: people[0].id };
		const id = await jobLeftBy(a, owner.userId, { heartbeatAt: null });
		const finishedAt = Date.now();
		await a.db
			.update(importJob)
			.set({ status: 'done', finishedAt, holder: null, report: { rows: 3 } })
			.where(eq(importJob.id, id));
		const chunks = ['\r\n2,sellerEmail,No one has the address x@y', '\r\n3,sku,Unknown product ÄÖ'];
		await a.db.insert(importJobError).values(chunks.map((csv, seq) => ({ jobId: id, seq, csv })));
		const job = (await getImportJob(b, id, owner))!;
		expect(await errorsDownload(b, job).text()).toBe(ERRORS_CSV_HEADER + chunks.join(''));
		// A stray upload (a request cut off) older than an hour, and a fresh one.
		const old = await storeText(a, 'Deal\n1\n', finishedAt - 2 * HOUR);
		const fresh = await storeText(a, 'Deal\n1\n', finishedAt + HOUR);
		await pruneImportJobs(b, finishedAt + HOUR / 2);
		expect(await getImportJob(a, id, owner, () => finishedAt + HOUR / 2)).not.toBeNull();
		await pruneImportJobs(b, finishedAt + HOUR + 1);
		expect(await jobRows(a, [id])).toEqual([]);
		expect(await a.db.select().from(importJobError).where(eq(importJobError.jobId, id))).toEqual(
			[]
		);
		const left = (await a.db.select({ id: importUpload.id }).from(importUpload)).map((u) => u.id);
		expect(left).toContain(fresh);
		expect(left).not.toContain(old);
		await dropUpload(a, fresh);
	});

	it('the sellers a file names are read from what any node wrote: addresses, numbers, unique names', async () => {
		const [a, b] = nodes[dialect];
		const { user } = a.tables;
		const { people } = await liveSeasonOn(a, { size: 3, teams: ['North'], endsAt: 1e13 });
		const number = `E-${randomBytes(4).toString('hex')}`;
		await a.db.update(user).set({ employeeNumber: number }).where(eq(user.id, people[0].id));
		const twin = `Łucja Żak ${randomBytes(3).toString('hex')}`;
		await a.db
			.update(user)
			.set({ displayName: twin })
			.where(inArray(user.id, [people[1].id, people[2].id]));
		const directory = await readSellerDirectory(b);
		expect(directory.find(` ${people[0].email.toUpperCase()} `)).toEqual({ userId: people[0].id });
		expect(directory.find(number.toLowerCase())).toEqual({ userId: people[0].id });
		expect(directory.find(people[0].name.toUpperCase())).toEqual({ userId: people[0].id });
		expect(directory.find(twin.replace('Ł', 'L').replace('Ż', 'Z'))).toMatchObject({
			code: 'ambiguous_seller'
		});
		expect(directory.find('nobody@example.test')).toMatchObject({ code: 'unknown_seller' });
	});
});
