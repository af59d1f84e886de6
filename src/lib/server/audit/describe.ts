// Each audit event in plain words, in the reader's language: "Moved Anna Kowalska from Falcons to
// Eagles", with names for ids, money in the organisation's currency and times in the season's
// zone. Whole sentences come from messages (never glued fragments). Pure: the names come from a
// lookup that audit/log.ts fills in one query per kind. An action added later still reads as words (never
// raw JSON): the generic describer labels its fields the same way.
import {
	actionLabel,
	changes,
	count,
	fields,
	ID_KINDS,
	isRecord,
	label,
	num,
	phrase,
	quoted,
	ruleSentence,
	show,
	signed,
	splitSubject,
	str,
	words,
	type AuditEventInput,
	type DescribeContext,
	type Described,
	type Detail,
	type NamedKind,
	type SummaryPart
} from './words';
import { isLocale, LOCALE_NAMES } from '../../i18n/locales';
import { sayReason } from '../scoring/stored-reasons';
import { m } from '../../paraglide/messages.js';

export {
	ACTION_LABELS,
	actionLabel,
	type AuditEventInput,
	type DescribeContext,
	type Described,
	type Detail,
	type NamedKind,
	type SummaryPart
} from './words';

/**
 * A sprint's or knockout's changed fields in the console form's words (duels record `subject`
 * and `measure` too, under their own labels).
 */
function raceChanges(diff: unknown, ctx: DescribeContext): Detail[] {
	if (!isRecord(diff)) return [];
	const who = (v: unknown) =>
		v === 'team' ? m.sprints_subject_team() : v === 'user' ? m.sprints_subject_user() : String(v);
	return Object.entries(diff).flatMap(([key, change]): Detail[] => {
		if (key === 'subject' && isRecord(change))
			return [
				{ label: m.sprints_form_subject(), value: `${who(change.from)} → ${who(change.to)}` }
			];
		const [detail] = changes({ [key]: change }, ctx);
		return [key === 'measure' ? { ...detail, label: m.sprints_form_measure() } : detail];
	});
}

/** The event in words and its details, in the reader's language. */
export function describeEvent(event: AuditEventInput, ctx: DescribeContext): Described {
	const data = event.data ?? {};
	const [kind, id] = splitSubject(event.subject);
	const reason = typeof data.reason === 'string' && data.reason ? sayReason(data.reason) : null;
	const out = (parts: SummaryPart[], details: Detail[] = [], points: number | null = null) => ({
		parts,
		details,
		points,
		reason
	});
	const named = (k: NamedKind, fallback: unknown, what: () => string): SummaryPart => {
		const current = id ? ctx.name(k, id) : undefined;
		const text =
			current ??
			str(fallback) ??
			(id ? m.audit_numbered({ what: what(), id: String(id) }) : what());
		return { text, href: k === 'user' && id && current ? `/manage/people/${id}` : undefined };
	};
	const person = () => named('user', data.email, m.audit_a_person);
	const team = (key: string): SummaryPart => {
		const teamId = num(data[key]);
		return { text: (teamId ? ctx.name('team', teamId) : undefined) ?? m.audit_team_gone() };
	};
	const season = () => named('season', data.name, m.audit_a_season);
	const name = (value: unknown) => quoted(str(value) ?? '');
	const url = str(data.url) ?? '';
	const emojiName = [str(data.emoji), str(data.name)].filter(Boolean).join(' ');
	const trimmed = (parts: SummaryPart[]) =>
		parts.map((p, i) => (i === parts.length - 1 && !p.href ? { ...p, text: p.text.trimEnd() } : p));

	switch (event.action) {
		case 'sale.confirm':
		case 'sale.reject':
		case 'sale.reverse': {
			const recorded = num(data.points);
			// A sale's events record its points; what a rejection or reversal does is take them away.
			const points =
				recorded === null ? null : event.action === 'sale.confirm' ? recorded : -recorded;
			const seller = id ? ctx.seller(id) : undefined;
			const sale = String(id ?? '?');
			const alone = {
				'sale.confirm': m.audit_sale_confirm,
				'sale.reject': m.audit_sale_reject,
				'sale.reverse': m.audit_sale_reverse
			}[event.action];
			const of = {
				'sale.confirm': m.audit_sale_confirm_of,
				'sale.reject': m.audit_sale_reject_of,
				'sale.reverse': m.audit_sale_reverse_of
			}[event.action];
			return out(
				seller
					? phrase(of, { sale, seller: { text: seller.name, href: `/manage/people/${seller.id}` } })
					: phrase(alone, { sale }),
				[],
				points
			);
		}
		case 'activity.void': {
			// Like a reversal: the event records the activity's points, and voiding takes them away.
			const recorded = num(data.points);
			const userId = num(data.userId);
			const name = userId ? ctx.name('user', userId) : undefined;
			const activity = String(id ?? '?');
			return out(
				userId && name
					? phrase(m.activities_audit_void_of, {
							activity,
							person: { text: name, href: `/manage/people/${userId}` }
						})
					: phrase(m.activities_audit_void_alone, { activity }),
				[],
				recorded === null ? null : -recorded
			);
		}
		case 'sales.import': {
			const rows = num(data.rows) ?? 0;
			return out(
				[{ text: m.audit_sales_import({ count: rows, n: count(rows) }) }],
				[
					{ label: m.audit_new_sales(), value: count(num(data.new) ?? 0) },
					{ label: m.audit_already_known(), value: count(num(data.duplicate) ?? 0) },
					{ label: m.audit_rejected_rows(), value: count(num(data.rejected) ?? 0) }
				]
			);
		}
		case 'points.adjust': {
			const points = num(data.points);
			return out(
				points === null
					? phrase(m.audit_points_adjust, { person: person() })
					: phrase(m.audit_points_adjust_by, { person: person(), points: signed(points) }),
				[],
				points
			);
		}
		case 'season.recalculate': {
			const before = num(data.pointsBefore) ?? 0;
			const after = num(data.pointsAfter) ?? 0;
			// Recalculations before #17's activity rules name no activities.
			const activities = num(data.activitiesChecked);
			const pointsLabel =
				activities === null
					? m.audit_changed_sales_points()
					: m.audit_changed_sales_activities_points();
			return out(phrase(m.audit_season_recalculate, { season: season() }), [
				{ label: m.audit_sales_checked(), value: count(num(data.salesChecked) ?? 0) },
				{ label: m.audit_sales_changed(), value: count(num(data.salesChanged) ?? 0) },
				...(activities === null
					? []
					: [
							{ label: m.audit_activities_checked(), value: count(activities) },
							{
								label: m.audit_activities_changed(),
								value: count(num(data.activitiesChanged) ?? 0)
							}
						]),
				...(before !== after
					? [{ label: pointsLabel, value: `${count(before)} → ${count(after)}` }]
					: [])
			]);
		}
		case 'season.create': {
			const from = str(data.from) ?? 'scratch';
			const origin = from.startsWith('clone:')
				? m.audit_made_as_copy({
						season: ctx.name('season', Number(from.slice(6))) ?? m.audit_another_season()
					})
				: from.startsWith('theme:')
					? m.audit_made_from_theme({ theme: from.slice(6) })
					: null;
			const created =
				data.status === 'scheduled' ? m.audit_season_create_scheduled : m.audit_season_create_draft;
			return out(
				phrase(created, { season: season() }),
				origin ? [{ label: m.audit_made_as(), value: origin }] : []
			);
		}
		case 'season.publish':
			return out(phrase(m.audit_season_publish, { season: season() }));
		case 'season.update':
			return out(phrase(m.audit_season_update, { season: season() }), changes(data, ctx));
		case 'season.configure':
			return out(phrase(m.audit_season_configure, { season: season() }), changes(data, ctx));
		case 'season.levels': {
			const standard = (v: unknown) => (v === 'default' ? m.audit_standard_levels() : v);
			return out(
				phrase(m.audit_season_levels, { season: season() }),
				changes(
					Object.fromEntries(
						Object.entries(data).map(([k, v]) => [
							k,
							isRecord(v) ? { from: standard(v.from), to: standard(v.to) } : v
						])
					),
					ctx
				)
			);
		}
		case 'season.announce':
			return out(phrase(m.audit_season_announce, { season: season() }), [
				{ label: m.audit_announcement(), value: quoted(str(data.to) ?? '') },
				...(str(data.from) ? [{ label: m.audit_replaced(), value: quoted(str(data.from)!) }] : [])
			]);
		case 'season.announcement_clear':
			return out(
				phrase(m.audit_season_announcement_clear, { season: season() }),
				str(data.from) ? [{ label: m.audit_it_read(), value: quoted(str(data.from)!) }] : []
			);
		case 'season.prize.create':
		case 'season.prize.update':
		case 'season.prize.remove': {
			const said = {
				'season.prize.create': m.audit_prize_create,
				'season.prize.update': m.audit_prize_update,
				'season.prize.remove': m.audit_prize_remove
			}[event.action];
			return out(
				phrase(said, { title: name(data.title), season: season() }),
				data.image === 'set' ? [{ label: label('image'), value: m.audit_yes() }] : []
			);
		}
		case 'team.create':
			return out(
				phrase(m.audit_team_create, { team: emojiName }),
				fields(data, ctx, ['seasonId', 'name', 'emoji'])
			);
		case 'team.update':
			return out(
				phrase(m.audit_team_update, {
					team: named('team', isRecord(data.name) ? data.name.to : null, m.audit_a_team)
				}),
				changes(data, ctx, ['seasonId'])
			);
		case 'team.delete':
			return out(trimmed(phrase(m.audit_team_delete, { team: str(data.name) ?? '' })));
		case 'member.invite':
			return out(phrase(m.audit_member_invite, { person: person(), team: team('teamId') }), [
				{ label: label('email'), value: str(data.email) ?? '' }
			]);
		case 'member.accept_invite':
			return out([{ text: m.audit_member_accept() }]);
		case 'member.add':
			return out(phrase(m.audit_member_add, { person: person(), team: team('teamId') }));
		case 'member.move':
			return out(
				phrase(m.audit_member_move, {
					person: person(),
					from: team('fromTeamId'),
					to: team('toTeamId')
				})
			);
		case 'member.remove':
			return out(phrase(m.audit_member_remove, { person: person(), team: team('teamId') }));
		case 'member.reset_link':
			return out(
				phrase(m.audit_member_reset_link, { person: person() }),
				num(data.expiresAt)
					? [{ label: label('expiresAt'), value: show('expiresAt', data.expiresAt, ctx) }]
					: []
			);
		case 'member.reset_password':
			return out([{ text: m.audit_member_reset_password() }]);
		case 'product.create':
		case 'product.update':
		case 'product.activate':
		case 'product.deactivate': {
			const plain = {
				'product.create': m.audit_product_create,
				'product.update': m.audit_product_update,
				'product.activate': m.audit_product_activate,
				'product.deactivate': m.audit_product_deactivate
			}[event.action];
			const withSku = {
				'product.create': m.audit_product_create_sku,
				'product.update': m.audit_product_update_sku,
				'product.activate': m.audit_product_activate_sku,
				'product.deactivate': m.audit_product_deactivate_sku
			}[event.action];
			const product = named(
				'product',
				event.action === 'product.create' ? data.name : data.sku,
				m.audit_a_product
			);
			const sku = str(data.sku);
			const details =
				event.action === 'product.create'
					? fields(data, ctx, ['seasonId', 'name', 'sku'])
					: event.action === 'product.update' && isRecord(data.changes)
						? changes(data.changes, ctx)
						: [];
			return out(sku ? phrase(withSku, { product, sku }) : phrase(plain, { product }), details);
		}
		case 'catalogue.import': {
			const added = Array.isArray(data.added) ? data.added.length : (num(data.added) ?? 0);
			const updated = Array.isArray(data.updated) ? data.updated : [];
			const rows = num(data.rows) ?? 0;
			const unchanged = num(data.unchanged) ?? 0;
			return out(
				phrase(m.audit_catalogue_import, { season: season(), count: String(rows), n: count(rows) }),
				[
					{
						label: m.audit_added(),
						value: added === 0 ? m.audit_none() : (data.added as unknown[]).map(String).join(', ')
					},
					{
						label: m.audit_changed(),
						value:
							updated.length === 0
								? m.audit_none()
								: updated.map((u) => (isRecord(u) ? String(u.sku) : String(u))).join(', ')
					},
					{
						label: m.audit_unchanged(),
						value: m.audit_products({ count: unchanged, n: count(unchanged) })
					}
				]
			);
		}
		case 'rule.create':
		case 'rule.delete': {
			const what = ruleSentence(data, ctx);
			const said = event.action === 'rule.create' ? m.audit_rule_create : m.audit_rule_delete;
			return out(
				[{ text: said({ name: name(data.name) }) }],
				what ? [{ label: m.audit_rule(), value: what }] : []
			);
		}
		case 'rule.update': {
			const before = ruleSentence(data.before, ctx);
			const after = ruleSentence(data.after, ctx);
			const now = isRecord(data.after) ? str(data.after.name) : null;
			const oldName = isRecord(data.before) ? str(data.before.name) : null;
			return out(
				[{ text: m.audit_rule_update({ name: name(now) }) }],
				[
					...(oldName && oldName !== now
						? [{ label: m.audit_was_called(), value: quoted(oldName) }]
						: []),
					...(before && before !== after ? [{ label: m.audit_before(), value: before }] : []),
					...(after
						? [{ label: before === after ? m.audit_rule() : m.audit_after(), value: after }]
						: [])
				]
			);
		}
		case 'rule.activate':
		case 'rule.deactivate': {
			const said =
				event.action === 'rule.activate' ? m.audit_rule_activate : m.audit_rule_deactivate;
			return out([{ text: said({ name: name(data.name) }) }]);
		}
		case 'quiz.create':
			return out([{ text: m.audit_quiz_create({ name: name(data.title) }) }]);
		case 'sprint.create':
			return out([{ text: m.sprints_audit_create({ name: name(data.name) }) }]);
		case 'knockout.create':
			return out([{ text: m.knockouts_audit_create({ name: name(data.name) }) }]);
		case 'sprint.update':
		case 'knockout.update': {
			const said =
				event.action === 'sprint.update' ? m.sprints_audit_update : m.knockouts_audit_update;
			return out([{ text: said({ name: name(data.name) }) }], raceChanges(data.changes, ctx));
		}
		case 'sprint.delete':
			return out([{ text: m.sprints_audit_delete({ name: name(data.name) }) }]);
		case 'sprint.cancel':
			return out([{ text: m.sprints_audit_cancel({ name: name(data.name) }) }]);
		case 'knockout.delete':
			return out([{ text: m.knockouts_audit_delete({ name: name(data.name) }) }]);
		case 'knockout.cancel':
			return out([{ text: m.knockouts_audit_cancel({ name: name(data.name) }) }]);
		case 'quiz.update':
			return out([
				{
					text: (data.questionsChanged === true
						? m.audit_quiz_update_questions
						: m.audit_quiz_update)({ name: name(data.title) })
				}
			]);
		case 'quiz.publish':
			return out([{ text: m.audit_quiz_publish({ name: name(data.title) }) }]);
		case 'badge.create':
			return out(
				[{ text: m.audit_badge_create({ badge: emojiName }) }],
				fields(data, ctx, ['seasonId', 'name', 'emoji', 'active'])
			);
		case 'badge.update': {
			const before = isRecord(data.before) ? data.before : {};
			const after = isRecord(data.after) ? data.after : {};
			const diff = Object.fromEntries(
				Object.keys(after)
					.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
					.map((k) => [k, { from: before[k], to: after[k] }])
			);
			return out(
				trimmed([{ text: m.audit_badge_update({ badge: str(data.name) ?? '' }) }]),
				changes(diff, ctx)
			);
		}
		case 'badge.activate':
		case 'badge.deactivate': {
			const said =
				event.action === 'badge.activate' ? m.audit_badge_activate : m.audit_badge_deactivate;
			return out(trimmed([{ text: said({ badge: str(data.name) ?? '' }) }]));
		}
		case 'badge.starter':
			return out(
				phrase(m.audit_badge_starter, {
					badges: Array.isArray(data.added)
						? data.added.map((n) => quoted(String(n))).join(', ')
						: '',
					season: { text: show('seasonId', data.seasonId, ctx) }
				})
			);
		case 'token.create':
			return out([
				{
					text: m.audit_token_create({
						name: name(data.name),
						role: str(data.role) ?? 'integration'
					})
				}
			]);
		case 'token.revoke':
			return out([{ text: m.audit_token_revoke({ name: name(data.name) }) }]);
		case 'display.create':
			return out(
				phrase(m.audit_display_create, {
					name: name(data.name),
					season: { text: show('seasonId', data.seasonId, ctx) }
				})
			);
		case 'display.revoke':
			return out([{ text: m.audit_display_revoke({ name: name(data.name) }) }]);
		case 'webhook.create':
			return out(
				[{ text: m.audit_webhook_create({ url }) }],
				[
					{
						label: label('events'),
						value: Array.isArray(data.events) ? data.events.join(', ') : m.audit_none()
					}
				]
			);
		case 'webhook.enable':
		case 'webhook.disable': {
			const said =
				event.action === 'webhook.enable' ? m.audit_webhook_enable : m.audit_webhook_disable;
			return out([{ text: said({ url }) }]);
		}
		case 'webhook.delete':
			return out([{ text: m.audit_webhook_delete({ url }) }]);
		case 'webhook.redeliver':
			return out([
				{
					text: m.audit_webhook_redeliver({
						event: str(data.event) ?? m.audit_a_delivery(),
						url
					})
				}
			]);
		case 'webhook.test':
			return out([{ text: m.audit_webhook_test({ url }) }]);
		case 'organisation.update': {
			const before = isRecord(data.before) ? data.before : {};
			const after = isRecord(data.after) ? data.after : {};
			// A language in its own name ("Polski"), as the settings page lists it.
			const language = (v: unknown) => (isLocale(v) ? LOCALE_NAMES[v] : v);
			const diff = Object.fromEntries(
				Object.keys(after)
					.filter((k) => before[k] !== after[k])
					.map((k) =>
						k === 'defaultLocale'
							? [k, { from: language(before[k]), to: language(after[k]) }]
							: [k, { from: before[k], to: after[k] }]
					)
			);
			return out([{ text: m.audit_organisation_update() }], changes(diff, ctx));
		}
	}
	// An action this page does not know yet: its label and subject, and its fields in words.
	const subjectName = id && isNamed(kind) ? ctx.name(kind, id) : undefined;
	const subject: SummaryPart = {
		text:
			subjectName ??
			str(data.name) ??
			(id ? m.audit_numbered({ what: words(kind), id: String(id) }) : words(kind)),
		href: kind === 'user' && id && subjectName ? `/manage/people/${id}` : undefined
	};
	return out(
		phrase(m.audit_generic, { action: actionLabel(event.action), subject }),
		fields(data, ctx, ['name', 'points']),
		num(data.points)
	);
}

function isNamed(kind: string): kind is NamedKind {
	return ['user', 'season', 'team', 'badge', 'rule', 'product', 'display', 'webhook'].includes(
		kind
	);
}

/** The ids events refer to, by kind, to look their names up in one query per kind. */
export function referencedIds(events: AuditEventInput[]): Map<NamedKind, Set<number>> {
	const ids = new Map<NamedKind, Set<number>>();
	const add = (kind: NamedKind, id: unknown) => {
		if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) return;
		if (!ids.has(kind)) ids.set(kind, new Set());
		ids.get(kind)!.add(id);
	};
	for (const event of events) {
		const [kind, id] = splitSubject(event.subject);
		if (isNamed(kind)) add(kind, id);
		const data = event.data ?? {};
		for (const [key, value] of Object.entries(data)) {
			if (ID_KINDS[key]) add(ID_KINDS[key], value);
			if (isRecord(value) && ID_KINDS[key]) {
				add(ID_KINDS[key], value.from);
				add(ID_KINDS[key], value.to);
			}
		}
		const from = str(data.from);
		if (event.action === 'season.create' && from?.startsWith('clone:'))
			add('season', Number(from.slice(6)));
	}
	return ids;
}
