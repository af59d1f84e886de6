import { z } from 'zod';
import {
	OpenAPIRegistry,
	OpenApiGeneratorV31,
	type RouteConfig
} from '@asteasolutions/zod-to-openapi';
import { operations, type Operation } from './operations';

// The OpenAPI 3.1 document of /api/v1, generated from operations.ts (the schemas the routes
// validate with), once per process.

export const API_BASE = '/api/v1';

function roleNote(op: Operation): string {
	if (op.auth === 'public') return 'No token needed.';
	if (op.auth === 'any') return 'Any API token.';
	return `Token role: ${op.auth.join(', ')}.`;
}

function routeConfig(op: Operation): RouteConfig {
	const request: RouteConfig['request'] = {};
	if (op.params) request.params = op.params;
	if (op.query) request.query = op.query;
	if (op.body)
		request.body =
			'csv' in op.body
				? {
						required: true,
						content: { 'text/csv': { schema: z.string().describe('The CSV file') } }
					}
				: {
						required: !op.body.schema.safeParse(undefined).success,
						content: { 'application/json': { schema: op.body.schema } }
					};
	const responses: RouteConfig['responses'] = {};
	for (const [status, answer] of Object.entries(op.responses)) {
		responses[status] = {
			description: answer.description,
			...(answer.schema && { content: { 'application/json': { schema: answer.schema } } }),
			...(answer.csv && { content: { 'text/csv': { schema: z.string() } } })
		};
	}
	return {
		method: op.method,
		path: op.path,
		operationId: operationId(op),
		tags: [op.tag],
		summary: op.summary,
		description: [op.description, roleNote(op)].filter(Boolean).join('\n\n'),
		security: op.auth === 'public' ? [] : [{ bearerToken: [] }],
		request,
		responses
	};
}

/** `post /sales/{externalId}/confirm` → `postSalesExternalIdConfirm`: stable for generators. */
export function operationId(op: Pick<Operation, 'method' | 'path'>): string {
	const words = op.path
		.split(/[/{}.\-_]+/)
		.filter(Boolean)
		.map((w) => w[0].toUpperCase() + w.slice(1));
	return op.method + words.join('');
}

export function buildOpenApiDocument(version = '1') {
	const registry = new OpenAPIRegistry();
	registry.registerComponent('securitySchemes', 'bearerToken', {
		type: 'http',
		scheme: 'bearer',
		description: 'An API token: `npm run cli -- token create --name N --role R`, or the console.'
	});
	for (const op of operations) registry.registerPath(routeConfig(op));
	return new OpenApiGeneratorV31(registry.definitions).generateDocument({
		openapi: '3.1.0',
		info: {
			title: 'Honorboard API',
			version,
			description:
				'Register sales, read seasons and rankings, import CSV files. Every answer is JSON (CSV downloads aside); every failure is `{ error: { code, message, details } }`.'
		},
		servers: [{ url: API_BASE }],
		security: [{ bearerToken: [] }]
	});
}

let cached: ReturnType<typeof buildOpenApiDocument> | undefined;
export function openApiDocument() {
	cached ??= buildOpenApiDocument();
	return cached;
}
