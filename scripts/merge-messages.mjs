// Git merge driver for messages/<locale>.json: the union of both sides' keys, sorted. A key both
// sides changed differently is a real conflict: ours is kept and the merge reports failure.
// Set up once per clone: git config merge.messages.driver "node scripts/merge-messages.mjs %O %A %B"
import { readFileSync, writeFileSync } from 'node:fs';

const [basePath, oursPath, theirsPath] = process.argv.slice(2);
/** @param {string} path @returns {Record<string, unknown>} */
const read = (path) => {
	try {
		return JSON.parse(readFileSync(path, 'utf8') || '{}');
	} catch {
		return {};
	}
};
const base = read(basePath);
const ours = read(oursPath);
const theirs = read(theirsPath);
/** @param {unknown} a @param {unknown} b */
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
/** @type {Record<string, unknown>} */
const merged = {};
let conflicts = 0;
for (const key of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
	const o = ours[key];
	const t = theirs[key];
	const b = base[key];
	if (o === undefined) {
		if (!same(t, b)) merged[key] = t; // added by them (or changed by them, deleted by us: keep theirs)
	} else if (t === undefined) {
		if (!same(o, b)) merged[key] = o;
	} else if (same(o, t) || same(t, b)) merged[key] = o;
	else if (same(o, b)) merged[key] = t;
	else {
		merged[key] = o;
		conflicts++;
		console.error(`messages: both sides changed "${key}" differently (kept ours)`);
	}
}
const sorted = Object.fromEntries(
	Object.keys(merged)
		.sort((a, b) => (a === '$schema' ? -1 : b === '$schema' ? 1 : a < b ? -1 : a > b ? 1 : 0))
		.map((k) => [k, merged[k]])
);
writeFileSync(oursPath, JSON.stringify(sorted, null, '\t') + '\n');
process.exit(conflicts ? 1 : 0);
