// Note: the registry these machines reach serves only this platform's native binaries, so
// `npm install` cannot record rollup's other-platform optional packages in package-lock.json,
// and `npm ci` then refuses the lock as out of sync. This drops optionalDependencies that the
// lock has no package for. Idempotent; run after every `npm install` (postinstall).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const file = 'package-lock.json';
if (existsSync(file)) {
	const text = readFileSync(file, 'utf8');
	const lock = JSON.parse(text);
	const names = Object.keys(lock.packages ?? {});
	const present = (/** @type {string} */ dep) =>
		names.some((n) => n === `node_modules/${dep}` || n.endsWith(`/node_modules/${dep}`));
	let pruned = 0;
	for (const entry of Object.values(lock.packages ?? {})) {
		if (!entry.optionalDependencies) continue;
		for (const dep of Object.keys(entry.optionalDependencies)) {
			if (!present(dep)) {
				delete entry.optionalDependencies[dep];
				pruned += 1;
			}
		}
	}
	if (pruned > 0) {
		writeFileSync(file, JSON.stringify(lock, null, '\t') + '\n');
		console.log(`prune-lock: removed ${pruned} optional dependencies this registry cannot serve`);
	}
}
