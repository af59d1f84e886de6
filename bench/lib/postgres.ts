// A throwaway PostgreSQL for a benchmark, holding a copy of a seeded SQLite file, and the CPU its
// cluster uses: the database's cost, which a SQLite run has inside the node, reported apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../../tests/helpers/postgres';
import { runCli } from './server';
import { stopOnInterrupt } from './interrupt';

export interface BenchPostgres {
	url: string;
	/** One connection, for the bench's own counts. */
	pool: pg.Pool;
	/**
	 * CPU seconds the whole cluster has used so far (postmaster, its live processes and the
	 * backends that already ended), from /proc; null with PG_TEST_URL (not our cluster) or
	 * without /proc.
	 */
	cpuSeconds: () => number | null;
	stop: () => Promise<void>;
}

// USER_HZ is 100 on every Linux this runs on (getconf CLK_TCK).
const CLOCK_TICKS = 100;

/** utime, stime, cutime and cstime of a process in seconds, from /proc/<pid>/stat. */
function cpuFields(pid: number): [number, number, number, number] | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// After the command's closing parenthesis: utime, stime, cutime, cstime are 12th–15th.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return [11, 12, 13, 14].map((i) => Number(fields[i]) / CLOCK_TICKS) as [
			number,
			number,
			number,
			number
		];
	} catch {
		return null;
	}
}

/**
 * The postmaster's own CPU plus what its ended children used (cutime/cstime: a backend's CPU
 * lands there once the postmaster reaps it), plus its live children's: the cluster's total.
 */
function clusterCpuSeconds(postmaster: number): number | null {
	const own = cpuFields(postmaster);
	if (!own) return null;
	let total = own[0] + own[1] + own[2] + own[3];
	try {
		const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8')
			.trim()
			.split(/\s+/)
			.filter(Boolean);
		for (const child of children) {
			const cpu = cpuFields(Number(child));
			if (cpu) total += cpu[0] + cpu[1];
		}
	} catch {
		return null;
	}
	return total;
}

/** The postmaster's pid, from postmaster.pid in the data directory the server reports. */
async function postmasterPid(pool: pg.Pool): Promise<number | null> {
	try {
		const { rows } = await pool.query<{ data_directory: string }>('show data_directory');
		const pid = Number(
			readFileSync(join(rows[0].data_directory, 'postmaster.pid'), 'utf8').split('\n')[0]
		);
		return pid > 0 ? pid : null;
	} catch {
		return null;
	}
}

/**
 * A throwaway cluster (tests/helpers/postgres.ts, on PG_TEST_PORT or else `port`) holding a copy
 * of the SQLite file `dbPath` (`migrate-to`, which verifies the copy). An interrupted bench still
 * stops it and removes its folder.
 */
export async function seededPostgres(dbPath: string, port: number): Promise<BenchPostgres> {
	process.env.PG_TEST_PORT ??= String(port);
	const server = await startPostgres();
	const forget = stopOnInterrupt(() => server.stop());
	const stopServer = async () => {
		forget();
		await server.stop();
	};
	const copied = await runCli(['migrate-to', '--to', server.url], dbPath);
	if (copied.code !== 0) {
		await stopServer();
		throw new Error(`migrate-to failed (${copied.code}):\n${copied.stdout}${copied.stderr}`);
	}
	const pool = new pg.Pool({ connectionString: server.url, max: 1 });
	// An interrupt reaches the cluster too, which then ends the pool's idle connection (FATAL
	// 57P01): with no listener that 'error' killed the bench before it removed the cluster's folder.
	pool.on('error', () => {});
	const postmaster = await postmasterPid(pool);
	return {
		url: server.url,
		pool,
		cpuSeconds: () => (postmaster === null ? null : clusterCpuSeconds(postmaster)),
		async stop() {
			await pool.end();
			await stopServer();
		}
	};
}
