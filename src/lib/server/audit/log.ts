import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../db';
import { apiToken, auditEvent, sale, season, user } from '../db/schema';

const AUDIT_PAGE_SIZE = 50;

export interface AuditRow {
	id: number;
	at: number;
	actor: { kind: 'user' | 'token' | 'system'; name: string };
	action: string;
	/** The event in plain words, e.g. "adjusted points of Anna Kowalska by -20". */
	summary: string;
	/** The same words in parts, the subject linked to its page in the console where it has one. */
	parts: SummaryPart[];
	reason: string | null;
	points: number | null;
	/** The rest of the event's data, labelled for people. */
	details: { label: string; value: string }[];
}

export interface SummaryPart {
	text: string;
	href?: string;
}

const PLAIN: Record<string, string> = {
	'sale.confirm': 'Sale confirmed',
	'sale.reject': 'Sale rejected',
	'sale.reverse': 'Sale reversed',
	'points.adjust': 'Points adjusted',
	'season.recalculate': 'Season recalculated'
};

/** A label for an action in the filter, for the actions this page knows and any added later. */
function actionLabel(action: string): string {
	if (PLAIN[action]) return PLAIN[action];
	const [noun, verb = ''] = action.split('.');
	const words = `${noun} ${past(verb)}`.replace(/[_-]/g, ' ').trim();
	return words.charAt(0).toUpperCase() + words.slice(1);
}

function past(verb: string): string {
	if (!verb) return verb;
	if (verb.endsWith('e')) return `${verb}d`;
	if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ied`;
	return `${verb}ed`;
}

const signed = (n: number) => (n > 0 ? `+${n}` : `${n}`);

function humanize(key: string): string {
	const words = key
		.replace(/([a-z])([A-Z])/g, '$1 $2')
		.replace(/[_-]/g, ' ')
		.toLowerCase();
	return words.charAt(0).toUpperCase() + words.slice(1);
}

function display(value: unknown): string {
	if (value === null || value === undefined) return '—';
	if (typeof value === 'number') return value.toLocaleString('en');
	if (typeof value === 'string' || typeof value === 'boolean') return String(value);
	return JSON.stringify(value);
}

/** One page of the audit log, newest first, optionally of one action. */
export function auditLog(
	db: Queryable,
	options: { action?: string; page: number; perPage?: number }
) {
	const perPage = options.perPage ?? AUDIT_PAGE_SIZE;
	const where = options.action ? eq(auditEvent.action, options.action) : undefined;
	const total =
		db
			.select({ n: sql<number>`count(*)` })
			.from(auditEvent)
			.where(where)
			.get()?.n ?? 0;
	const pages = Math.max(1, Math.ceil(total / perPage));
	const page = Math.min(Math.max(1, options.page), pages);
	const events = db
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
		.all();

	const names = subjectNames(
		db,
		events.map((e) => e.subject)
	);
	const sellers = saleSellers(
		db,
		events.map((e) => e.subject)
	);
	const rows: AuditRow[] = events.map((event) => {
		const data = event.data ?? {};
		const [kind, id] = splitSubject(event.subject);
		const name = names.get(event.subject);
		const seller = sellers.get(event.subject);
		// A sale's events record its points; what a rejection or reversal does is take them away.
		const recorded = typeof data.points === 'number' ? data.points : null;
		const points =
			recorded !== null && (event.action === 'sale.reject' || event.action === 'sale.reverse')
				? -recorded
				: recorded;
		const reason = typeof data.reason === 'string' && data.reason ? data.reason : null;
		const subject: SummaryPart = {
			text: name ?? (id ? `${kind} #${id}` : kind),
			href: kind === 'user' && id ? `/manage/people/${id}` : undefined
		};
		const parts = summarize(event.action, subject, name, points);
		if (seller)
			parts.push({ text: ' of ' }, { text: seller.name, href: `/manage/people/${seller.id}` });
		return {
			id: event.id,
			at: event.at,
			actor: event.userName
				? { kind: 'user', name: event.userName }
				: event.tokenName
					? { kind: 'token', name: `API token ${event.tokenName}` }
					: { kind: 'system', name: 'System' },
			action: event.action,
			summary: parts.map((p) => p.text).join(''),
			parts,
			reason,
			points,
			details: Object.entries(data)
				.filter(([key]) => !['reason', 'points', 'seasonId'].includes(key))
				.map(([key, value]) => ({ label: humanize(key), value: display(value) }))
		};
	});
	const actions = db
		.selectDistinct({ action: auditEvent.action })
		.from(auditEvent)
		.orderBy(auditEvent.action)
		.all()
		.map(({ action }) => ({ value: action, label: actionLabel(action) }));
	return { rows, total, page, pages, perPage, actions };
}

function splitSubject(subject: string): [string, number | null] {
	const [kind, raw] = subject.split(':');
	const id = Number(raw);
	return [kind, Number.isInteger(id) && id > 0 ? id : null];
}

function summarize(
	action: string,
	subject: SummaryPart,
	name: string | undefined,
	points: number | null
): SummaryPart[] {
	const by = points === null ? [] : [{ text: ` by ${signed(points)}` }];
	switch (action) {
		case 'sale.confirm':
		case 'sale.reject':
		case 'sale.reverse':
			return [{ text: `${past(action.slice('sale.'.length))} ` }, subject];
		case 'points.adjust':
			return [{ text: 'adjusted points of ' }, subject, ...by];
		case 'season.recalculate':
			return [{ text: 'recalculated ' }, name ? { ...subject, text: `season ${name}` } : subject];
	}
	const verb = action.split('.')[1];
	return [{ text: verb ? `${past(verb).replace(/[_-]/g, ' ')} ` : `${action} ` }, subject];
}

/** Who sold each sale that events are about ("sale:12" → Anna), to say whose sale it was. */
function saleSellers(db: Queryable, subjects: string[]): Map<string, { id: number; name: string }> {
	const ids = [
		...new Set(
			subjects.flatMap((s) => {
				const [kind, id] = splitSubject(s);
				return kind === 'sale' && id ? [id] : [];
			})
		)
	];
	if (ids.length === 0) return new Map();
	return new Map(
		db
			.select({ saleId: sale.id, id: user.id, name: user.displayName })
			.from(sale)
			.innerJoin(user, eq(user.id, sale.sellerId))
			.where(inArray(sale.id, ids))
			.all()
			.map((r) => [`sale:${r.saleId}`, { id: r.id, name: r.name }])
	);
}

/** Names of the people and seasons that events are about, by subject ("user:5" → "Anna"). */
function subjectNames(db: Queryable, subjects: string[]): Map<string, string> {
	const ids = (kind: string) => [
		...new Set(
			subjects.flatMap((s) => {
				const [k, id] = splitSubject(s);
				return k === kind && id ? [id] : [];
			})
		)
	];
	const names = new Map<string, string>();
	const userIds = ids('user');
	if (userIds.length > 0) {
		for (const u of db
			.select({ id: user.id, name: user.displayName })
			.from(user)
			.where(inArray(user.id, userIds))
			.all()) {
			names.set(`user:${u.id}`, u.name);
		}
	}
	const seasonIds = ids('season');
	if (seasonIds.length > 0) {
		for (const s of db
			.select({ id: season.id, name: season.name })
			.from(season)
			.where(inArray(season.id, seasonIds))
			.all()) {
			names.set(`season:${s.id}`, s.name);
		}
	}
	return names;
}
