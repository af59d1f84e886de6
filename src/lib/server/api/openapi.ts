import * as z from 'zod';
import {
	OpenAPIRegistry,
	OpenApiGeneratorV31,
	type RouteConfig
} from '@asteasolutions/zod-to-openapi';
import { operations, type Operation } from './operations';
import { envelopeSchema, EVENT_SUMMARIES, WEBHOOK_EVENT_DATA } from '../webhooks/events';
import type { WebhookEvent } from '../db/schema';

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
	// What Honorboard POSTs to webhook receivers (Standard Webhooks: see docs/webhooks.md).
	for (const type of Object.keys(WEBHOOK_EVENT_DATA) as WebhookEvent[])
		registry.registerWebhook({
			method: 'post',
			path: type,
			operationId: `webhook${operationId({ method: 'post', path: `/${type}` }).slice(4)}`,
			summary: type,
			description: `${EVENT_SUMMARIES[type]}\n\nSigned per Standard Webhooks: headers webhook-id (the same on every retry), webhook-timestamp and webhook-signature.`,
			request: {
				headers: z.object({
					'webhook-id': z.string(),
					'webhook-timestamp': z.string(),
					'webhook-signature': z.string()
				}),
				body: { content: { 'application/json': { schema: envelopeSchema(type) } } }
			},
			responses: { 200: { description: 'Any 2xx: received. Anything else is retried.' } }
		});
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
