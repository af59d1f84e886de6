import { count, desc, eq, inArray } from 'drizzle-orm';
import type { Store } from '../db/store';
import { datesIn } from '../../format/dates';
import {
	actionLabel,
	describeEvent,
	referencedIds,
	type Detail,
	type NamedKind,
	type SummaryPart
} from './describe';
import { m } from '../../paraglide/messages.js';
import { intlLocale } from '../../i18n/current';

export type { SummaryPart } from './describe';

const AUDIT_PAGE_SIZE = 50;

export interface AuditRow {
	id: number;
	at: number;
	/** When, in the season's zone: "3 Dec 2026, 14:05". */
	when: string;
	actor: { kind: 'user' | 'token' | 'system'; name: string };
	action: string;
	/** The event in plain words, e.g. "Adjusted the points of Anna Kowalska by -20". */
	summary: string;
	/** The same words in parts, people linked to their page in the console. */
	parts: SummaryPart[];
	reason: string | null;
	points: number | null;
	/** The rest of the event's data, labelled and formatted for people. */
	details: Detail[];
}

/**
 * One page of the audit log, newest first, optionally of one action, dates in `timeZone`. Read
 * through the store (db/store.ts): every node's entries, as every node wrote them.
 */
export async function auditLog(
	store: Store,
	options: { action?: string; page: number; perPage?: number; timeZone?: string }
) {
	const { auditEvent, user, apiToken } = store.tables;
	const perPage = options.perPage ?? AUDIT_PAGE_SIZE;
	const where = options.action ? eq(auditEvent.action, options.action) : undefined;
	const [{ n: total }] = await store.db.select({ n: count() }).from(auditEvent).where(where);
	const pages = Math.max(1, Math.ceil(total / perPage));
	const page = Math.min(Math.max(1, options.page), pages);
	const events = (
		await store.db
			.select({
				id: auditEvent.id,
				action: auditEvent.action,
				subject: auditEvent.subject,
				data: auditEvent.data,
				at: auditEvent.createdAt,
				userName: user.displayName,
				tokenName: apiToken.name
			})
			.from(auditEvent)
			.leftJoin(user, eq(user.id, auditEvent.actorUserId))
			.leftJoin(apiToken, eq(apiToken.id, auditEvent.actorTokenId))
			.where(where)
			.orderBy(desc(auditEvent.createdAt), desc(auditEvent.id))
			.limit(perPage)
			.offset((page - 1) * perPage)
	).map((e) => ({ ...e, data: e.data ?? {} }));

	const [names, sellers, actionRows] = await Promise.all([
		lookUpNames(store, referencedIds(events)),
		saleSellers(
			store,
			events.map((e) => e.subject)
		),
		store.db
			.selectDistinct({ action: auditEvent.action })
			.from(auditEvent)
			.orderBy(auditEvent.action)
	]);
	const timeZone = options.timeZone ?? 'UTC';
	const dates = datesIn(timeZone);
	const ctx = {
		name: (kind: NamedKind, id: number) => names.get(`${kind}:${id}`),
		seller: (saleId: number) => sellers.get(saleId),
		timeZone,
		dates
	};
	const rows: AuditRow[] = events.map((event) => {
		const described = describeEvent(event, ctx);
		return {
			id: event.id,
			at: event.at,
			when: `${dates.date(event.at)}, ${dates.time(event.at)}`,
			actor: event.userName
				? { kind: 'user', name: event.userName }
				: event.tokenName
					? { kind: 'token', name: m.audit_api_token({ name: event.tokenName }) }
					: { kind: 'system', name: m.audit_system() },
			action: event.action,
			summary: described.parts.map((p) => p.text).join(''),
			...described
		};
	});
	const actions = actionRows
		.map(({ action }) => ({ value: action, label: actionLabel(action) }))
		.sort((a, b) => a.label.localeCompare(b.label, intlLocale()));
	return { rows, total, page, pages, perPage, actions };
}

/** Who sold each sale that events are about (sale id → seller), to say whose sale it was. */
async function saleSellers(store: Store, subjects: string[]) {
	const { sale, user } = store.tables;
	const ids = [
		...new Set(
			subjects.flatMap((s) => {
				const [kind, raw] = s.split(':');
				const id = Number(raw);
				return kind === 'sale' && Number.isInteger(id) && id > 0 ? [id] : [];
			})
		)
	];
	if (ids.length === 0) return new Map<number, { id: number; name: string }>();
	const rows = await store.db
		.select({ saleId: sale.id, id: user.id, name: user.displayName })
		.from(sale)
		.innerJoin(user, eq(user.id, sale.sellerId))
		.where(inArray(sale.id, ids));
	return new Map(rows.map((r) => [r.saleId, { id: r.id, name: r.name }]));
}

/** Current names of everything the events refer to, keyed "kind:id", one query per kind. */
async function lookUpNames(
	store: Store,
	ids: Map<NamedKind, Set<number>>
): Promise<Map<string, string>> {
	const { user, season, team, badge, rule, product, display, webhook } = store.tables;
	const names = new Map<string, string>();
	const tables = {
		user: { table: user, id: user.id, name: user.displayName },
		season: { table: season, id: season.id, name: season.name },
		team: { table: team, id: team.id, name: team.name },
		badge: { table: badge, id: badge.id, name: badge.name },
		rule: { table: rule, id: rule.id, name: rule.name },
		product: { table: product, id: product.id, name: product.name },
		display: { table: display, id: display.id, name: display.name },
		webhook: { table: webhook, id: webhook.id, name: webhook.url }
	} as const;
	for (const [kind, set] of ids) {
		const source = tables[kind];
		if (!source || set.size === 0) continue;
		for (const row of await store.db
			.select({ id: source.id, name: source.name })
			.from(source.table)
			.where(inArray(source.id, [...set]))) {
			names.set(`${kind}:${row.id}`, row.name);
		}
	}
	return names;
}
