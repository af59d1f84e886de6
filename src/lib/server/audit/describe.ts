// Each audit event in plain words: "Moved Anna Kowalska from Falcons to Eagles", with names for
// ids, money in euros and times in the season's zone. Pure: the names come from a lookup that
// audit/log.ts fills in one query per kind. An action added later still reads as words (never
// raw JSON): the generic describer labels its fields the same way.
import {
	actionLabel,
	changes,
	count,
	fields,
	ID_KINDS,
	isRecord,
	num,
	plural,
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

/** The event in words and its details. */
export function describeEvent(event: AuditEventInput, ctx: DescribeContext): Described {
	const data = event.data ?? {};
	const [kind, id] = splitSubject(event.subject);
	const reason = typeof data.reason === 'string' && data.reason ? data.reason : null;
	const out = (parts: SummaryPart[], details: Detail[] = [], points: number | null = null) => ({
		parts,
		details,
		points,
		reason
	});
	const named = (k: NamedKind, fallback: unknown, what: string): SummaryPart => {
		const current = id ? ctx.name(k, id) : undefined;
		const text = current ?? str(fallback) ?? (id ? `${what} #${id}` : what);
		return { text, href: k === 'user' && id && current ? `/manage/people/${id}` : undefined };
	};
	const person = () => named('user', data.email, 'a person');
	const team = (key: string) => {
		const teamId = num(data[key]);
		return {
			text: (teamId ? ctx.name('team', teamId) : undefined) ?? 'a team that no longer exists'
		};
	};
	const season = () => named('season', data.name, 'season');
	const t = (text: string): SummaryPart => ({ text });

	switch (event.action) {
		case 'sale.confirm':
		case 'sale.reject':
		case 'sale.reverse': {
			const verb = {
				'sale.confirm': 'Confirmed',
				'sale.reject': 'Rejected',
				'sale.reverse': 'Reversed'
			}[event.action];
			const recorded = num(data.points);
			// A sale's events record its points; what a rejection or reversal does is take them away.
			const points =
				recorded === null ? null : event.action === 'sale.confirm' ? recorded : -recorded;
			const seller = id ? ctx.seller(id) : undefined;
			return out(
				[
					t(`${verb} sale #${id ?? '?'}`),
					...(seller ? [t(' of '), { text: seller.name, href: `/manage/people/${seller.id}` }] : [])
				],
				[],
				points
			);
		}
		case 'sales.import':
			return out(
				[t(`Imported ${plural(num(data.rows) ?? 0, 'row')} of sales`)],
				[
					{ label: 'New sales', value: count(num(data.new) ?? 0) },
					{ label: 'Already known', value: count(num(data.duplicate) ?? 0) },
					{ label: 'Rejected rows', value: count(num(data.rejected) ?? 0) }
				]
			);
		case 'points.adjust': {
			const points = num(data.points);
			return out(
				[
					t('Adjusted the points of '),
					person(),
					...(points === null ? [] : [t(` by ${signed(points)}`)])
				],
				[],
				points
			);
		}
		case 'season.recalculate': {
			const before = num(data.pointsBefore) ?? 0;
			const after = num(data.pointsAfter) ?? 0;
			return out(
				[t('Recalculated season '), season()],
				[
					{ label: 'Sales checked', value: count(num(data.salesChecked) ?? 0) },
					{ label: 'Sales changed', value: count(num(data.salesChanged) ?? 0) },
					...(before !== after
						? [
								{
									label: 'Points of the changed sales',
									value: `${count(before)} → ${count(after)}`
								}
							]
						: [])
				]
			);
		}
		case 'season.create': {
			const from = str(data.from) ?? 'scratch';
			const origin = from.startsWith('clone:')
				? `a copy of ${ctx.name('season', Number(from.slice(6))) ?? 'another season'}`
				: from.startsWith('theme:')
					? `from the ${from.slice(6)} theme`
					: null;
			return out(
				[
					t('Created season '),
					season(),
					t(data.status === 'scheduled' ? ' (scheduled)' : ' (draft)')
				],
				origin ? [{ label: 'Made as', value: origin }] : []
			);
		}
		case 'season.publish':
			return out([t('Published season '), season()]);
		case 'season.update':
			return out([t('Edited season '), season()], changes(data, ctx));
		case 'season.configure':
			return out([t('Changed the settings of season '), season()], changes(data, ctx));
		case 'season.levels':
			return out(
				[t('Changed the levels and days off of season '), season()],
				changes(
					Object.fromEntries(
						Object.entries(data).map(([k, v]) => [
							k,
							isRecord(v)
								? {
										from: v.from === 'default' ? 'the standard levels' : v.from,
										to: v.to === 'default' ? 'the standard levels' : v.to
									}
								: v
						])
					),
					ctx
				)
			);
		case 'season.announce':
			return out(
				[t('Posted an announcement on season '), season()],
				[
					{ label: 'Announcement', value: quoted(str(data.to) ?? '') },
					...(str(data.from) ? [{ label: 'Replaced', value: quoted(str(data.from)!) }] : [])
				]
			);
		case 'season.announcement_clear':
			return out(
				[t('Removed the announcement of season '), season()],
				str(data.from) ? [{ label: 'It read', value: quoted(str(data.from)!) }] : []
			);
		case 'season.prize.create':
		case 'season.prize.update':
		case 'season.prize.remove': {
			const verb = {
				'season.prize.create': 'Added the prize ',
				'season.prize.update': 'Changed the prize ',
				'season.prize.remove': 'Removed the prize '
			}[event.action];
			return out(
				[
					t(
						`${verb}${quoted(str(data.title) ?? '')} ${event.action.endsWith('create') ? 'to' : 'of'} season `
					),
					season()
				],
				data.image === 'set' ? [{ label: 'Picture', value: 'yes' }] : []
			);
		}
		case 'team.create':
			return out(
				[t(`Created team ${[str(data.emoji), str(data.name)].filter(Boolean).join(' ')}`)],
				fields(data, ctx, ['seasonId', 'name', 'emoji'])
			);
		case 'team.update':
			return out(
				[t('Changed team '), named('team', isRecord(data.name) ? data.name.to : null, 'team')],
				changes(data, ctx, ['seasonId'])
			);
		case 'team.delete':
			return out([t(`Deleted team ${str(data.name) ?? ''}`.trim())]);
		case 'member.invite':
			return out(
				[t('Invited '), person(), t(' to team '), team('teamId')],
				[{ label: 'Email', value: str(data.email) ?? '' }]
			);
		case 'member.accept_invite':
			return out([t('Accepted the invitation and set a password')]);
		case 'member.add':
			return out([t('Added '), person(), t(' to team '), team('teamId')]);
		case 'member.move':
			return out([
				t('Moved '),
				person(),
				t(' from '),
				team('fromTeamId'),
				t(' to '),
				team('toTeamId')
			]);
		case 'member.remove':
			return out([t('Removed '), person(), t(' from team '), team('teamId')]);
		case 'member.reset_link':
			return out(
				[t('Issued a password reset link for '), person()],
				num(data.expiresAt)
					? [{ label: 'Valid until', value: show('expiresAt', data.expiresAt, ctx) }]
					: []
			);
		case 'member.reset_password':
			return out([t('Set a new password with a reset link')]);
		case 'product.create':
			return out(
				[
					t('Added the product '),
					named('product', data.name, 'product'),
					t(data.sku ? ` (${data.sku})` : '')
				],
				fields(data, ctx, ['seasonId', 'name', 'sku'])
			);
		case 'product.update':
			return out(
				[
					t('Changed the product '),
					named('product', data.sku, 'product'),
					t(data.sku ? ` (${data.sku})` : '')
				],
				isRecord(data.changes) ? changes(data.changes, ctx) : []
			);
		case 'product.activate':
		case 'product.deactivate':
			return out([
				t(`Switched ${event.action.endsWith('deactivate') ? 'off' : 'on'} the product `),
				named('product', data.sku, 'product'),
				t(data.sku ? ` (${data.sku})` : '')
			]);
		case 'catalogue.import': {
			const added = Array.isArray(data.added) ? data.added.length : (num(data.added) ?? 0);
			const updated = Array.isArray(data.updated) ? data.updated : [];
			return out(
				[
					t(`Imported the catalogue of season `),
					season(),
					t(` (${plural(num(data.rows) ?? 0, 'row')})`)
				],
				[
					{
						label: 'Added',
						value: added === 0 ? 'none' : (data.added as unknown[]).map(String).join(', ')
					},
					{
						label: 'Changed',
						value:
							updated.length === 0
								? 'none'
								: updated.map((u) => (isRecord(u) ? String(u.sku) : String(u))).join(', ')
					},
					{ label: 'Unchanged', value: plural(num(data.unchanged) ?? 0, 'product') }
				]
			);
		}
		case 'rule.create':
		case 'rule.delete': {
			const what = ruleSentence(data, ctx);
			return out(
				[
					t(
						`${event.action === 'rule.create' ? 'Created' : 'Deleted'} the rule ${quoted(str(data.name) ?? '')}`
					)
				],
				what ? [{ label: 'Rule', value: what }] : []
			);
		}
		case 'rule.update': {
			const before = ruleSentence(data.before, ctx);
			const after = ruleSentence(data.after, ctx);
			const name = isRecord(data.after) ? str(data.after.name) : null;
			const oldName = isRecord(data.before) ? str(data.before.name) : null;
			return out(
				[t(`Changed the rule ${quoted(name ?? '')}`)],
				[
					...(oldName && oldName !== name ? [{ label: 'Was called', value: quoted(oldName) }] : []),
					...(before && before !== after ? [{ label: 'Before', value: before }] : []),
					...(after ? [{ label: before === after ? 'Rule' : 'After', value: after }] : [])
				]
			);
		}
		case 'rule.activate':
		case 'rule.deactivate':
			return out([
				t(
					`Switched ${event.action.endsWith('deactivate') ? 'off' : 'on'} the rule ${quoted(str(data.name) ?? '')}`
				)
			]);
		case 'badge.create':
			return out(
				[t(`Created the badge ${[str(data.emoji), str(data.name)].filter(Boolean).join(' ')}`)],
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
			return out([t(`Changed the badge ${str(data.name) ?? ''}`.trim())], changes(diff, ctx));
		}
		case 'badge.activate':
		case 'badge.deactivate':
			return out([
				t(
					`Switched ${event.action.endsWith('deactivate') ? 'off' : 'on'} the badge ${str(data.name) ?? ''}`.trim()
				)
			]);
		case 'badge.starter':
			return out([
				t(
					`Added the starter badges ${Array.isArray(data.added) ? data.added.map((n) => quoted(String(n))).join(', ') : ''} to season `
				),
				{ text: show('seasonId', data.seasonId, ctx) }
			]);
		case 'token.create':
			return out([
				t(
					`Created the API token ${quoted(str(data.name) ?? '')} with the ${str(data.role) ?? 'integration'} role`
				)
			]);
		case 'token.revoke':
			return out([t(`Revoked the API token ${quoted(str(data.name) ?? '')}`)]);
		case 'display.create':
			return out([
				t(`Created the TV display ${quoted(str(data.name) ?? '')} for season `),
				{ text: show('seasonId', data.seasonId, ctx) }
			]);
		case 'display.revoke':
			return out([t(`Revoked the TV display ${quoted(str(data.name) ?? '')}`)]);
		case 'webhook.create':
			return out(
				[t(`Added a webhook to ${str(data.url) ?? ''}`)],
				[{ label: 'Events', value: Array.isArray(data.events) ? data.events.join(', ') : 'none' }]
			);
		case 'webhook.enable':
		case 'webhook.disable':
			return out([
				t(
					`Switched ${event.action === 'webhook.disable' ? 'off' : 'on'} the webhook to ${str(data.url) ?? ''}`
				)
			]);
		case 'webhook.delete':
			return out([t(`Deleted the webhook to ${str(data.url) ?? ''}`)]);
		case 'webhook.redeliver':
			return out([
				t(`Sent ${str(data.event) ?? 'a delivery'} again to the webhook ${str(data.url) ?? ''}`)
			]);
		case 'webhook.test':
			return out([t(`Sent a test event to the webhook ${str(data.url) ?? ''}`)]);
	}
	// An action this page does not know yet: its label and subject, and its fields in words.
	const subjectName = id && isNamed(kind) ? ctx.name(kind, id) : undefined;
	const subject: SummaryPart = {
		text: subjectName ?? str(data.name) ?? (id ? `${words(kind)} #${id}` : words(kind)),
		href: kind === 'user' && id && subjectName ? `/manage/people/${id}` : undefined
	};
	return out(
		[t(`${actionLabel(event.action)}: `), subject],
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
