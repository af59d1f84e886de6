// A node's memory while its Redis hangs (issue #20): one node with REDIS_URL, Redis frozen
// (SIGSTOP), `--sales` sales posted to it by 8 clients at once. Reports the node's RSS before and
// after, and what /metrics says waits for Redis and was dropped (builds before the bound have
// neither: "—"); then Redis goes on again and the same number of sales is posted with Redis up,
// for the rate and the node's CPU per sale (what counting each command costs).
//
//   npx tsx bench/redis-outage.ts [--sales 6000] [--entry path/to/server.js] [--port-base 54200]
//
// `--entry` runs another build (a copy of an older build/, to compare); the default is a copy
// of build/. Ports: the node on --port-base, Redis on --port-base + 1.
import { readDb, seedServerDb, apiTokenFor } from '../tests/helpers/seeded';
import { startRedis } from '../tests/helpers/redis';
import { postSale } from '../tests/helpers/sales';
import {
	loadAverage,
	procCpuSeconds,
	procMemory,
	snapshotBuild,
	startBenchServer
} from './lib/server';

const args = process.argv.slice(2);
const option = (name: string) => {
	const at = args.indexOf(`--${name}`);
	return at === -1 ? undefined : args[at + 1];
};
const SALES = Number(option('sales') ?? 6000);
const PORT_BASE = Number(option('port-base') ?? 54200);
const CLIENTS = 8;

async function main() {
	const snapshot = option('entry') ? null : snapshotBuild();
	const entry = option('entry') ?? snapshot!.entry;
	const seeded = await seedServerDb({ teams: 4, people: 40 });
	const token = apiTokenFor(seeded.path);
	const redis = await startRedis({ port: PORT_BASE + 1 });
	const node = await startBenchServer(seeded.path, {
		entry,
		port: PORT_BASE,
		env: { REDIS_URL: redis.url }
	}).catch(async (error: unknown) => {
		await redis.stop();
		throw error;
	});
	let sold = 0;
	async function sell(count: number, prefix: string): Promise<number> {
		const started = performance.now();
		let next = 0;
		await Promise.all(
			Array.from({ length: CLIENTS }, async () => {
				while (next < count) {
					next++;
					const n = ++sold;
					const answer = await postSale(node.url, token, {
						externalId: `${prefix}-${n}`,
						seller: seeded.people[n % seeded.people.length].email
					});
					if (answer.status !== 201) throw new Error(`sale answered ${answer.status}`);
				}
			})
		);
		return (performance.now() - started) / 1000;
	}
	async function redisMetrics() {
		const text = await (
			await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
		).text();
		const value = (name: string) => new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? '—';
		return {
			pending: value('honorboard_redis_commands_pending'),
			dropped: value('honorboard_redis_commands_dropped_total')
		};
	}
	try {
		await sell(200, 'warm');
		const before = procMemory(node.pid)!;
		redis.freeze();
		const frozenSeconds = await sell(SALES, 'frozen');
		await new Promise((resolve) => setTimeout(resolve, 500));
		const frozen = procMemory(node.pid)!;
		const metrics = await redisMetrics();
		redis.thaw();
		await new Promise((resolve) => setTimeout(resolve, 2000));
		const cpu0 = procCpuSeconds(node.pid)!;
		const upSeconds = await sell(SALES, 'up');
		const cpu1 = procCpuSeconds(node.pid)!;
		const stored = readDb(seeded.path, (db) =>
			db.prepare('select count(*) from sale').pluck().get()
		) as number;
		console.log(
			JSON.stringify({
				entry,
				sales: SALES,
				load: loadAverage(),
				rssMiB: { before: Math.round(before.rssMiB), frozen: Math.round(frozen.rssMiB) },
				frozenGrowthKiBPerSale: Math.round(((frozen.rssMiB - before.rssMiB) * 1024) / SALES),
				redisWhileFrozen: metrics,
				frozenSalesPerSecond: Math.round(SALES / frozenSeconds),
				upSalesPerSecond: Math.round(SALES / upSeconds),
				cpuMsPerSaleUp: Math.round(((cpu1 - cpu0) * 1000 * 100) / SALES) / 100,
				stored
			})
		);
	} finally {
		await node.stop();
		await redis.stop();
		seeded.cleanup();
		snapshot?.remove();
	}
}

await main();
