import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

// In WAL mode SQLite keeps the wal-index in the -shm file beside the database: a header (two
// copies of 48 bytes) that every commit rewrites, then the checkpoint's progress
// (https://sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, in the machine's
// byte order). The checkpoint thread polls it with one 100-byte pread, without asking SQLite (a
// read transaction each time); a read torn by a commit in progress moves a checkpoint by one
// poll at most.

const READ_BYTES = 100;
const little = endianness() === 'LE';

export class WalIndex {
	private readonly fd: number;
	private readonly buffer = Buffer.alloc(READ_BYTES);

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

	close(): void {
		closeSync(this.fd);
	}
}
