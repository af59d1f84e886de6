import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as z from 'zod';
import { buildOpenApiDocument, operationId } from './openapi';
import { operations, routeFolder } from './operations';

// The OpenAPI document and the routes cannot drift apart: every exported method of every
// /api/v1 route is documented and every documented operation exists, each route validates with
// the schemas the document was generated from, and the document holds together as OpenAPI 3.1.

const API_DIR = resolve(import.meta.dirname, '../../../routes/api/v1');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function routeFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory()
			? routeFiles(join(dir, entry.name))
			: entry.name === '+server.ts'
				? [join(dir, entry.name)]
				: []
	);
}

const routes = routeFiles(API_DIR).map((file) => {
	const source = readFileSync(file, 'utf8');
	const folder = relative(API_DIR, file).replace(/\/?\+server\.ts$/, '');
	const methods = METHODS.filter((m) =>
		new RegExp(`export\\s+(const|function|async\\s+function)\\s+${m}\\b`).test(source)
	);
	return { file, folder, source, methods };
});

type Doc = ReturnType<typeof buildOpenApiDocument> & Record<string, unknown>;
const doc = buildOpenApiDocument() as Doc;
type DocOperation = {
	operationId: string;
	parameters?: { name: string; in: string; required?: boolean; schema?: object }[];
	requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
	responses: Record<string, { description: string; content?: Record<string, unknown> }>;
	security?: unknown[];
};
const docOperations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
	Object.entries(item as Record<string, DocOperation>).map(([method, op]) => ({ path, method, op }))
);

describe('the OpenAPI document and the routes', () => {
	it('finds the API routes', () => {
		expect(routes.length).toBeGreaterThan(10);
	});

	it('documents every exported method of every /api/v1 route, and nothing else', () => {
		const served = routes
			.filter((r) => r.folder !== '[...path]') // the JSON 404 for unknown paths
			.flatMap((r) => r.methods.map((m) => `${m} ${r.folder}`))
			.sort();
		const documented = operations
			.map((op) => `${op.method.toUpperCase()} ${routeFolder(op.path)}`)
			.sort();
		expect(documented).toEqual(served);
		const inDoc = docOperations.map((o) => `${o.method.toUpperCase()} ${routeFolder(o.path)}`);
		expect(inDoc.sort()).toEqual(served);
	});

	it('the catch-all answers every method (fallback) and nothing else', () => {
		const catchAll = routes.find((r) => r.folder === '[...path]')!;
		expect(catchAll.methods).toEqual([]);
		expect(catchAll.source).toMatch(/export const fallback/);
	});

	it.each(operations.filter((op) => op.validates).map((op) => [`${op.method} ${op.path}`, op]))(
		'%s: the route validates with the documented schemas',
		(_name, op) => {
			const route = routes.find((r) => r.folder === routeFolder(op.path))!;
			// A route may delegate to a shared endpoint helper (review-endpoint.ts).
			const helper = /from '\$lib\/server\/api\/(review-endpoint)'/.exec(route.source);
			const source =
				route.source +
				(helper ? readFileSync(resolve(import.meta.dirname, `${helper[1]}.ts`), 'utf8') : '');
			for (const name of op.validates!) expect(source).toMatch(new RegExp(`\\b${name}\\b`));
			// ...and declares no schema of its own beside them.
			expect(route.source).not.toMatch(/z\.object\(/);
		}
	);

	it.each(operations.map((op) => [`${op.method} ${op.path}`, op]))(
		'%s: the document shows the same parameters and body fields as the schemas',
		(_name, op) => {
			const entry = docOperations.find((o) => o.path === op.path && o.method === op.method)!;
			const params = (where: string) =>
				(entry.op.parameters ?? [])
					.filter((p) => p.in === where)
					.map((p) => p.name)
					.sort();
			expect(params('query')).toEqual(Object.keys(op.query?.shape ?? {}).sort());
			expect(params('path')).toEqual(Object.keys(op.params?.shape ?? {}).sort());
			if (op.body && 'schema' in op.body) {
				const json = z.toJSONSchema(op.body.schema, { io: 'input', unrepresentable: 'any' }) as {
					properties?: object;
				};
				const documented = entry.op.requestBody!.content['application/json'].schema as {
					properties?: object;
				};
				expect(Object.keys(documented.properties ?? {}).sort()).toEqual(
					Object.keys(json.properties ?? {}).sort()
				);
			} else if (op.body) expect(Object.keys(entry.op.requestBody!.content)).toEqual(['text/csv']);
			else expect(entry.op.requestBody).toBeUndefined();
		}
	);
});

describe('the document is OpenAPI 3.1', () => {
	it('has the required top-level fields', () => {
		expect(doc.openapi).toBe('3.1.0');
		expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
		expect(doc.servers).toEqual([{ url: '/api/v1' }]);
		const schemes = doc.components?.securitySchemes as Record<string, { type: string }>;
		expect(schemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
	});

	it('every operation is well formed', () => {
		const ids = new Set<string>();
		for (const { path, method, op } of docOperations) {
			expect(path).toMatch(/^\//);
			expect(['get', 'post', 'put', 'patch', 'delete']).toContain(method);
			expect(ids.has(op.operationId), op.operationId).toBe(false);
			ids.add(op.operationId);
			expect(op.operationId).toBe(operationId({ method: method as 'get', path }));
			// Each {param} of the path is a required path parameter, and only those.
			const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
			const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
			expect(declared.map((p) => p.name).sort()).toEqual(inPath);
			for (const p of declared) expect(p.required).toBe(true);
			for (const p of op.parameters ?? []) {
				expect(['query', 'path', 'header', 'cookie']).toContain(p.in);
				expect(p.schema).toBeTypeOf('object');
			}
			expect(Object.keys(op.responses).length).toBeGreaterThan(0);
			for (const [status, response] of Object.entries(op.responses)) {
				expect(status).toMatch(/^[1-5]\d\d$/);
				expect(response.description).toBeTruthy();
			}
			for (const requirement of op.security ?? [])
				for (const name of Object.keys(requirement as object))
					expect(Object.keys(schemes())).toContain(name);
		}
	});

	it('every $ref points at something in the document', () => {
		const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
		for (const ref of refs) {
			expect(ref).toMatch(/^#\//);
			const target = ref
				.slice(2)
				.split('/')
				.reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
			expect(target, ref).toBeDefined();
		}
	});
});

function schemes() {
	return (doc.components?.securitySchemes ?? {}) as Record<string, unknown>;
}
