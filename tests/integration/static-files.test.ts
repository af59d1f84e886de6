// build/client served by the production build (adapter-node's sirv, as scripts/build-server.mjs
// bundles it): a file is stat'd, and its headers made, the first time it is asked for, not for
// every file before the server listens (the cold start, docs/benchmarks.md "The cold start's
// rise since 214b2d11"); the headers are still the file's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, type RunningServer } from '../helpers/server';

const CLIENT = resolve(import.meta.dirname, '../../build/client');
// Counts the server's statSync calls on build/client's files and prints the count at exit.
const COUNTER = `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
let count = 0;
const statSync = fs.statSync;
fs.statSync = (path, ...rest) => {
	if (String(path).includes('/build/client/')) count++;
	return statSync(path, ...rest);
};
syncBuiltinESMExports();
process.on('exit', () => process.stdout.write('client stats: ' + count + '\\n'));
`;

let dir: string;
let server: RunningServer;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'honorboard-static-'));
	const counter = join(dir, 'count-stats.mjs');
	writeFileSync(counter, COUNTER);
	server = await startServer({ env: { NODE_OPTIONS: `--import ${counter}` } });
});

afterAll(async () => {
	await server?.dispose();
	rmSync(dir, { recursive: true, force: true });
});

/** One GET with node:http (fetch would decode the body and hide Content-Encoding). */
function get(
	path: string,
	headers: Record<string, string> = {}
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
	return new Promise((done, fail) => {
		http
			.get(`${server.url}${path}`, { headers, agent: false }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) })
				);
			})
			.on('error', fail);
	});
}

/** A stylesheet with its precompressed copies: /_app/immutable/assets/<name>. */
function stylesheet(): string {
	const assets = join(CLIENT, '_app/immutable/assets');
	const names = readdirSync(assets);
	const css = names.find((n) => n.endsWith('.css') && names.includes(`${n}.br`));
	if (!css) throw new Error(`no stylesheet with a .br copy in ${assets}`);
	return css;
}

describe('build/client', () => {
	it("is served with each file's own headers, the precompressed copy's when accepted", async () => {
		const name = stylesheet();
		for (const [encoding, suffix] of [
			['identity', ''],
			['br', '.br'],
			['gzip', '.gz']
		]) {
			const file = statSync(join(CLIENT, '_app/immutable/assets', name + suffix));
			const response = await get(`/_app/immutable/assets/${name}`, {
				'accept-encoding': encoding
			});
			expect(response.status, encoding).toBe(200);
			expect(response.body.length, encoding).toBe(file.size);
			expect(response.headers['content-length'], encoding).toBe(String(file.size));
			expect(response.headers['content-type'], encoding).toBe('text/css');
			expect(response.headers['content-encoding'], encoding).toBe(suffix ? encoding : undefined);
			expect(response.headers['last-modified'], encoding).toBe(file.mtime.toUTCString());
			expect(response.headers.etag, encoding).toBe(`W/"${file.size}-${file.mtime.getTime()}"`);
			expect(response.headers['cache-control'], encoding).toBe('public,max-age=31536000,immutable');
			const again = await get(`/_app/immutable/assets/${name}`, {
				'accept-encoding': encoding,
				'if-none-match': response.headers.etag!
			});
			expect(again.status, encoding).toBe(304);
		}
	});

	it('leaves every other path to the app', async () => {
		expect((await get('/_app/immutable/assets/none.css')).status).toBe(404);
		expect((await get('/login')).status).toBe(200);
	});

	it("is not stat'd file by file when the server starts", async () => {
		await get(`/_app/immutable/assets/${stylesheet()}`, { 'accept-encoding': 'br' });
		await server.stop();
		// One line per thread that loaded the counter: the server's main thread is one of them.
		const counts = [...server.output().matchAll(/client stats: (\d+)/g)].map((m) => Number(m[1]));
		expect(counts.length).toBeGreaterThan(0);
		// The files asked for above, not the ~1,000 there (with their .br and .gz copies).
		expect(Math.max(...counts)).toBeLessThan(10);
	});
});
