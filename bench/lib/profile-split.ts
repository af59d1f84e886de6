// Where an import's main-thread CPU goes (bench/import.ts --profile): V8's sampling profiler,
// started in this process around one pass (node:inspector), and each sample given to the first
// part below that its stack passes through, looked for from the sampled function outwards. The
// SQLite parts are better-sqlite3's calls made from those functions: the native statement's
// time is counted in its JavaScript caller. The window's body is async: a function resumed after
// an await has no caller on its stack, so a sample there counts in the innermost part it is in.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string };
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** A part of the pass: a function (named, in a file whose path ends so) that marks its stack. */
interface Part {
	name: string;
	functionName: string;
	file: string;
}

// Innermost first: the first of these met walking from a sample outwards names its part.
const PARTS: Part[] = [
	{
		name: 'SQLite: the held sales, lines, entries',
		functionName: 'writeInWrite',
		file: 'scoring/sale-rows.ts'
	},
	{
		name: 'SQLite: versions, standings, days',
		functionName: 'finishInWrite',
		file: 'scoring/write-batch.ts'
	},
	{
		name: 'badge step (windowAwardsInWrite)',
		functionName: 'windowAwardsInWrite',
		file: 'imports/sales.ts'
	},
	{
		name: 'day reads (dayTotalsInWrite)',
		functionName: 'dayTotalsInWrite',
		file: 'scoring/person-day.ts'
	},
	{
		name: 'sales: planned (planSaleInWrite)',
		functionName: 'planSaleInWrite',
		file: 'scoring/sales.ts'
	},
	{
		name: 'sales: written (writeSaleInWrite)',
		functionName: 'writeSaleInWrite',
		file: 'scoring/sales.ts'
	},
	{
		name: 'window: the rest (prefetches, its loop)',
		functionName: 'recordWindowInWrite',
		file: 'imports/sales.ts'
	},
	// better-sqlite3's exec runs only the window's BEGIN and COMMIT here.
	{
		name: 'SQLite: BEGIN, COMMIT (WAL writes, checkpoints)',
		functionName: 'exec',
		file: 'methods/wrappers.js'
	},
	{ name: 'rows from the parse thread', functionName: 'pass', file: 'imports/parse-thread.ts' },
	{ name: 'garbage collector', functionName: '(garbage collector)', file: '' }
];

const SAMPLE_US = 5000;

/** Profiles `work` on this thread; writes the profile to `file` when given. */
export async function profiled<T>(work: () => Promise<T>, file?: string) {
	const session = new Session();
	session.connect();
	await session.post('Profiler.enable');
	// Note: V8 samples by signalling the thread, and a signal ends SQLite's busy-handler sleep
	// early while SQLite counts the sleep as whole: at 0.5 ms the 5 s busy timeout ran out in
	// tens of ms and a window's BEGIN failed (SQLITE_BUSY) behind a checkpoint's RESTART (load
	// 9-12, twice). Every 5 ms it lasts longer than the longest RESTART measured (~90 ms).
	await session.post('Profiler.setSamplingInterval', { interval: SAMPLE_US });
	await session.post('Profiler.start');
	try {
		return { result: await work(), profile: await stop(session, file) };
	} catch (error) {
		await stop(session);
		throw error;
	}
}

async function stop(session: Session, file?: string): Promise<Profile> {
	const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
	session.disconnect();
	if (file) writeFileSync(file, JSON.stringify(profile));
	return profile;
}

/**
 * Each part's share of the profile's samples (idle left out), largest first. Shares, not the
 * samples' times: on a loaded machine a sample's time includes the time the thread waited for a
 * core, so the shares are applied to the thread's CPU time instead.
 */
export function splitOf(profile: Profile): [string, number][] {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const partOf = new Map<number, string>();
	const samples = new Map<string, number>();
	let total = 0;
	for (const id of profile.samples) {
		if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
		let part = partOf.get(id);
		if (part === undefined) partOf.set(id, (part = partFor(id, byId, parent)));
		samples.set(part, (samples.get(part) ?? 0) + 1);
		total += 1;
	}
	return [...samples]
		.map(([part, n]): [string, number] => [part, n / total])
		.sort((a, b) => b[1] - a[1]);
}

function partFor(id: number, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
	const stack: ProfileNode['callFrame'][] = [];
	for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
		stack.push(byId.get(at)!.callFrame);
	for (const frame of stack)
		for (const part of PARTS)
			if (frame.functionName === part.functionName && frame.url.endsWith(part.file))
				return part.name;
	return 'other';
}
