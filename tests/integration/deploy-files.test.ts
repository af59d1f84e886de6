// The deployment files agree with each other and with the image (README "Running in
// production", "Running several nodes"): the proxy reaches the app services on the port the
// Dockerfile exposes, and in compose.scale.yaml both nodes run the same image with the same
// settings, on the PostgreSQL and the Redis the file defines. No Docker on the test machines:
// this reads the files; it does not start them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Service {
	build?: string;
	image?: string;
	environment?: Record<string, string>;
	expose?: string[];
	volumes?: string[];
	depends_on?: Record<string, unknown> | string[];
}

function compose(file: string): Record<string, Service> {
	return (parse(read(file), { merge: true }) as { services: Record<string, Service> }).services;
}

/** The upstreams (`host:port`) of the Caddyfile's reverse_proxy, and its block's directives. */
function caddyProxy(file: string) {
	const config = read(file).replace(/^\s*#.*$/gm, '');
	const match = /reverse_proxy\s+([^{\n]+?)\s*(\{([^}]*)\})?\s*\n/.exec(config);
	if (!match) throw new Error(`${file}: no reverse_proxy`);
	const directives = (match[3] ?? '')
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	return { upstreams: match[1].trim().split(/\s+/), directives };
}

/** The Caddyfile a compose file mounts into its caddy service. */
function mountedCaddyfile(services: Record<string, Service>): string {
	const volume = services.caddy.volumes?.find((v) => v.endsWith(':/etc/caddy/Caddyfile:ro'));
	if (!volume) throw new Error('caddy mounts no Caddyfile');
	return volume.split(':')[0].replace(/^\.\//, '');
}

const exposed = /^EXPOSE (\d+)$/m.exec(read('Dockerfile'))![1];

describe('deployment files', () => {
	it('compose.yaml: Caddy proxies the app on the port the image exposes', () => {
		const services = compose('compose.yaml');
		expect(services.app.expose).toEqual([exposed]);
		expect(caddyProxy(mountedCaddyfile(services)).upstreams).toEqual([`app:${exposed}`]);
	});

	it('compose.scale.yaml: two identical nodes on its PostgreSQL and Redis, behind a sticky Caddy', () => {
		const services = compose('compose.scale.yaml');
		const nodes = Object.keys(services).filter((name) => /^app\d+$/.test(name));
		expect(nodes).toEqual(['app1', 'app2']);
		const [first, second] = nodes.map((name) => services[name]);
		expect(second).toEqual(first);
		expect(first.image).toBe(compose('compose.yaml').app.image);
		expect(first.expose).toEqual([exposed]);
		const env = first.environment!;
		const database = new URL(env.DATABASE_URL.replace(/\$\{[^}]+\}/, 'secret'));
		expect(database.protocol).toBe('postgres:');
		expect(database.hostname).toBe('db');
		const db = services.db.environment!;
		expect([database.username, database.pathname.slice(1)]).toEqual([
			db.POSTGRES_USER,
			db.POSTGRES_DB
		]);
		expect(new URL(env.REDIS_URL).hostname).toBe('redis');
		expect(Object.keys(services)).toContain('redis');
		// The nodes wait for a database that answers (their start applies the migrations).
		expect(first.depends_on).toMatchObject({
			db: { condition: 'service_healthy' },
			redis: { condition: 'service_healthy' }
		});
		const proxy = caddyProxy(mountedCaddyfile(services));
		expect(proxy.upstreams).toEqual(nodes.map((name) => `${name}:${exposed}`));
		expect(proxy.directives).toEqual(
			expect.arrayContaining(['lb_policy cookie', 'health_uri /readyz'])
		);
	});
});
