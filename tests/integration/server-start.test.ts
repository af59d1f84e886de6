// What build/server.js loads before it can listen (the cold start, docs/benchmarks.md "The cold
// start's rise since 214b2d11"): the entry and the chunks it imports statically. Code that only
// some requests or jobs need comes in a chunk of its own, loaded when first used.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { filesLoadedAtStart } from '../helpers/bundle-files';

const BUILD = resolve(import.meta.dirname, '../../build');

describe("the server's start, built", () => {
	it('leaves nodemailer out of the files it loads: a chunk loaded with the first mail has it', () => {
		const chunks = readdirSync(join(BUILD, 'server-chunks')).map((name) =>
			join(BUILD, 'server-chunks', name)
		);
		// Bundled CommonJS keeps each module's path.
		const holdsNodemailer = (file: string) =>
			readFileSync(file, 'utf8').includes('node_modules/nodemailer/');
		expect(chunks.some(holdsNodemailer)).toBe(true);
		const atStart = filesLoadedAtStart(join(BUILD, 'server.js'));
		expect(atStart.length).toBeGreaterThan(1);
		for (const { file } of atStart) expect(holdsNodemailer(file), file).toBe(false);
	});
});
