// What a self-hoster deploys with (issue #16): the Dockerfile passes dockerfilelint and runs as
// a non-root user with the database on a volume, and .env.example names every setting the app
// reads.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Every .ts/.js/.mjs file below `dir`. */
function sources(dir: string): string[] {
	return readdirSync(join(ROOT, dir)).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
		return /\.(ts|js|mjs|svelte)$/.test(name) && !/\.spec\.ts$/.test(name) ? [path] : [];
	});
}

describe('packaging', () => {
	it('the Dockerfile passes dockerfilelint', () => {
		const bin = join(ROOT, 'node_modules/.bin/dockerfilelint');
		// Throws (and shows the issues) on a non-zero exit.
		const out = execFileSync(bin, [join(ROOT, 'Dockerfile')], { encoding: 'utf8' });
		expect(out).toContain('Issues: None found');
	});

	it('the image runs as a non-root user, keeps the database on /data and checks /healthz', () => {
		const dockerfile = read('Dockerfile');
		const stages = dockerfile.split(/^FROM /m).slice(1);
		expect(stages).toHaveLength(2);
		for (const stage of stages) expect(stage).toMatch(/^node:20[\w.-]*-slim/);
		const run = stages[1];
		expect(run).toMatch(/^USER node$/m);
		expect(run).toMatch(/^VOLUME \["\/data"\]$/m);
		expect(run).toMatch(/DATABASE_URL=\/data\/honorboard\.db/);
		expect(run).toMatch(/^HEALTHCHECK /m);
		expect(read('scripts/healthcheck.mjs')).toContain('/healthz');
		expect(run).toMatch(/^CMD \["node", "build\/server\.js"\]$/m);
		// The build context leaves local databases and secrets out.
		const ignored = read('.dockerignore').split('\n');
		for (const entry of ['*.db', '.env', 'data', 'node_modules']) expect(ignored).toContain(entry);
	});

	it('the image can run `node build/cli.js migrate-to`: the PostgreSQL migrations and pg', () => {
		const run = read('Dockerfile').split(/^FROM /m)[2];
		expect(run).toMatch(/^COPY --from=build \/app\/drizzle-pg \.\/drizzle-pg$/m);
		// `npm prune --omit=dev` keeps only the runtime dependencies.
		const pkg = JSON.parse(read('package.json'));
		expect(pkg.dependencies.pg).toBeDefined();
		expect(pkg.devDependencies.pg).toBeUndefined();
	});

	it('.env.example names every environment variable the app and adapter-node read', () => {
		const read_ = new Set<string>();
		for (const file of [...sources('src'), ...sources('scripts'), 'server.ts'])
			for (const m of read(file).matchAll(/process\.env(?:\.([A-Z0-9_]+)|\[\s*['"]([A-Z0-9_]+))/g))
				read_.add(m[1] ?? m[2]);
		// Named through a constant (webhooks/target.ts).
		for (const m of read('src/lib/server/webhooks/target.ts').matchAll(/_ENV = '([A-Z0-9_]+)'/g))
			read_.add(m[1]);
		// adapter-node's handler reads these.
		for (const name of ['ORIGIN', 'ADDRESS_HEADER', 'XFF_DEPTH', 'PROTOCOL_HEADER', 'HOST_HEADER'])
			read_.add(name);
		expect(read_.size).toBeGreaterThan(8);
		const example = read('.env.example');
		const missing = [...read_].filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example));
		expect(missing).toEqual([]);
	});
});
