// What a built bundle's entry loads before its first line runs: the entry and the chunks it
// imports statically, and theirs (esbuild's `import … from "./chunk.js"`), not the chunks it
// imports on demand (`import("./chunk.js")`). For the read thread's start (read-thread.test.ts,
// bench/read-thread-boot.ts).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The files `entry` loads at once, with their sizes, the entry first. */
export function filesLoadedAtStart(entry: string): { file: string; bytes: number }[] {
	const loaded = new Map<string, number>();
	const visit = (file: string) => {
		if (loaded.has(file)) return;
		const text = readFileSync(file, 'utf8');
		loaded.set(file, Buffer.byteLength(text));
		// A static import or re-export names its file after `from` or a bare `import`; a dynamic
		// one has a parenthesis between `import` and the name.
		for (const [, path] of text.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g))
			visit(resolve(dirname(file), path));
	};
	visit(resolve(entry));
	return [...loaded].map(([file, bytes]) => ({ file, bytes }));
}
