import type Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

// In WAL mode SQLite keeps the wal-index in the -shm file beside the database: a header (two
// copies of 48 bytes) that every commit rewrites, then the checkpoint's progress
// (https://sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, in the machine's
// byte order). Read here with one 100-byte pread, without a transaction: what the checkpoint
// thread polls, and how the replay answers know that nothing was committed since (a read
// transaction cost more than the read it guarded). A read torn by a commit in progress only
// looks changed.

const HEADER_BYTES = 48;
const READ_BYTES = 100;
const little = endianness() === 'LE';

export class WalIndex {
	private readonly fd: number;
	private readonly buffer = Buffer.alloc(READ_BYTES);
	private readonly seen = Buffer.alloc(HEADER_BYTES);
	private commitCount = 0;

	constructor(databasePath: string) {
		this.fd = openSync(`${databasePath}-shm`, 'r');
	}

	private read(): boolean {
		return readSync(this.fd, this.buffer, 0, READ_BYTES, 0) === READ_BYTES;
	}

	/** The WAL's last frame, and how many of its frames are in the database file already. */
	frames(): { last: number; copied: number } {
		if (!this.read()) return { last: 0, copied: 0 };
		return little
			? { last: this.buffer.readUInt32LE(16), copied: this.buffer.readUInt32LE(96) }
			: { last: this.buffer.readUInt32BE(16), copied: this.buffer.readUInt32BE(96) };
	}

	/**
	 * A number that changes whenever any connection, in this process or another, has committed
	 * since the last call (and at times when none has: a WAL started over).
	 */
	commits(): number {
		if (!this.read() || this.buffer.compare(this.seen, 0, HEADER_BYTES, 0, HEADER_BYTES) !== 0) {
			this.buffer.copy(this.seen, 0, 0, HEADER_BYTES);
			this.commitCount++;
		}
		return this.commitCount;
	}

	close(): void {
		closeSync(this.fd);
	}
}

const byClient = new WeakMap<Database.Database, WalIndex | null>();

/** The wal-index of this connection's file; null for a database that has none (in memory). */
export function walIndexOf(client: Database.Database): WalIndex | null {
	let index = byClient.get(client);
	if (index === undefined) {
		const path = client.name;
		const wal = !client.memory && existsSync(`${path}-shm`);
		byClient.set(client, (index = wal ? new WalIndex(path) : null));
	}
	return index;
}
