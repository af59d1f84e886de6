import { openApiDocument } from './openapi';

// The API reference page's view of the OpenAPI document: operations with their parameters,
// bodies and answers flattened into readable field lists (dotted names for nested fields).

type Schema = {
	type?: string | string[];
	enum?: unknown[];
	const?: unknown;
	format?: string;
	description?: string;
	default?: unknown;
	properties?: Record<string, Schema>;
	required?: string[];
	items?: Schema;
	anyOf?: Schema[];
	oneOf?: Schema[];
	minimum?: number;
	maximum?: number;
	maxLength?: number;
	minItems?: number;
	maxItems?: number;
	additionalProperties?: Schema | boolean;
};

export interface FieldRow {
	name: string;
	type: string;
	required: boolean;
	notes: string;
}

function typeOf(schema: Schema): string {
	const variants = schema.anyOf ?? schema.oneOf;
	if (variants) return variants.map(typeOf).join(' | ');
	if (schema.const !== undefined) return JSON.stringify(schema.const);
	if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
	const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
	const base = types.map((t) =>
		t === 'array' ? `${schema.items ? typeOf(schema.items) : 'any'}[]` : t
	);
	const text = base.join(' | ') || 'any';
	return schema.format ? `${text} (${schema.format})` : text;
}

function notes(schema: Schema): string {
	const parts: string[] = [];
	if (schema.description) parts.push(schema.description);
	if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
	if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
	if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
	if (schema.minItems !== undefined) parts.push(`at least ${schema.minItems}`);
	if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems}`);
	if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
	return parts.join('; ');
}

/** An object schema as rows, nested objects and arrays of objects expanded with dotted names. */
export function fieldRows(schema: Schema | undefined, prefix = '', depth = 0): FieldRow[] {
	if (!schema || depth > 5) return [];
	const objectOf = (s: Schema) =>
		s.properties ? s : (s.anyOf ?? s.oneOf ?? []).find((v) => v.properties);
	const object = objectOf(schema);
	if (!object?.properties) return [];
	return Object.entries(object.properties).flatMap(([key, child]) => {
		const name = `${prefix}${key}`;
		const row = {
			name,
			type: typeOf(child),
			required: object.required?.includes(key) ?? false,
			notes: notes(child)
		};
		const nested = objectOf(child);
		const items = child.items ? objectOf(child.items) : undefined;
		return [
			row,
			...(nested ? fieldRows(nested, `${name}.`, depth + 1) : []),
			...(items ? fieldRows(items, `${name}[].`, depth + 1) : [])
		];
	});
}

interface DocOperation {
	operationId: string;
	summary?: string;
	description?: string;
	tags?: string[];
	security?: unknown[];
	parameters?: {
		name: string;
		in: string;
		required?: boolean;
		description?: string;
		schema: Schema;
	}[];
	requestBody?: { content: Record<string, { schema: Schema }> };
	responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}

export function apiReference() {
	const doc = openApiDocument() as unknown as {
		info: { title: string; version: string; description?: string };
		servers: { url: string }[];
		paths: Record<string, Record<string, DocOperation>>;
	};
	const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
		Object.entries(item).map(([method, op]) => {
			const [bodyType, body] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
			return {
				id: op.operationId,
				method: method.toUpperCase(),
				path: `${doc.servers[0].url}${path}`,
				tag: op.tags?.[0] ?? 'Other',
				summary: op.summary ?? '',
				description: op.description ?? '',
				needsToken: (op.security ?? [1]).length > 0,
				parameters: (op.parameters ?? []).map((p) => ({
					name: p.name,
					in: p.in,
					required: p.required ?? false,
					type: typeOf(p.schema),
					notes: [p.description, notes(p.schema)].filter(Boolean).join('; ')
				})),
				body: bodyType ? { type: bodyType, fields: fieldRows(body!.schema) } : null,
				responses: Object.entries(op.responses).map(([status, r]) => {
					const [type, content] = Object.entries(r.content ?? {})[0] ?? [];
					return {
						status,
						description: r.description,
						type: type ?? null,
						fields: content ? fieldRows(content.schema) : []
					};
				})
			};
		})
	);
	const tags = [...new Set(operations.map((o) => o.tag))];
	return {
		info: doc.info,
		groups: tags.map((tag) => ({ tag, operations: operations.filter((o) => o.tag === tag) }))
	};
}
