// GENERATED from schema.ts by schema-pg-source.ts: do not edit by hand.
// Regenerate with `npm run db:generate:pg` (this file, then the drizzle-pg/ migrations).
import { sql } from 'drizzle-orm';
import {
	type AnyPgColumn,
	bigint,
	boolean,
	index,
	jsonb,
	pgTable,
	primaryKey,
	text,
	uniqueIndex
} from 'drizzle-orm/pg-core';
import type * as sqlite from './schema';

/** A column's type in the SQLite schema: both schemas infer the same rows. */
type Of<T extends { $inferSelect: object }, K extends keyof T['$inferSelect']> = NonNullable<
	T['$inferSelect'][K]
>;

/** Epoch milliseconds, as SQLite's `unixepoch('subsec') * 1000` (statement time). */
const now = sql`(floor(extract(epoch from statement_timestamp()) * 1000)::bigint)`;

export const activity = pgTable(
	'activity',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id),
		teamId: bigint('team_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => team.id),
		typeId: bigint('type_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => activityType.id),
		quantity: bigint('quantity', { mode: 'number' }).notNull(),
		occurredAt: bigint('occurred_at', { mode: 'number' }).notNull(),
		source: text('source').$type<Of<typeof sqlite.activity, 'source'>>().notNull(),
		externalId: text('external_id').$type<Of<typeof sqlite.activity, 'externalId'>>().notNull(),
		status: text('status')
			.$type<Of<typeof sqlite.activity, 'status'>>()
			.notNull()
			.default('counted'),
		points: bigint('points', { mode: 'number' }).notNull(),
		breakdown: jsonb('breakdown').$type<Of<typeof sqlite.activity, 'breakdown'>>(),
		ledgerEntryId: bigint('ledger_entry_id', { mode: 'number' }).references(
			(): AnyPgColumn => ledgerEntry.id
		),
		createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
		voidedById: bigint('voided_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		voidedAt: bigint('voided_at', { mode: 'number' }),
		voidReason: text('void_reason').$type<Of<typeof sqlite.activity, 'voidReason'>>()
	},
	(t) => [
		uniqueIndex('activity_source_external_uq').on(t.source, t.externalId),
		index('activity_season_time_idx').on(t.seasonId, t.occurredAt),
		index('activity_season_created_idx').on(t.seasonId, t.createdAt),
		index('activity_user_idx').on(t.userId, t.typeId)
	]
);

export const activityType = pgTable(
	'activity_type',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		key: text('key').$type<Of<typeof sqlite.activityType, 'key'>>().notNull(),
		name: text('name').$type<Of<typeof sqlite.activityType, 'name'>>().notNull(),
		points: bigint('points', { mode: 'number' }).notNull(),
		emoji: text('emoji').$type<Of<typeof sqlite.activityType, 'emoji'>>().notNull().default('✅'),
		active: boolean('active').notNull().default(true),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
		updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [uniqueIndex('activity_type_season_key_uq').on(t.seasonId, t.key)]
);

export const apiToken = pgTable('api_token', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	name: text('name').$type<Of<typeof sqlite.apiToken, 'name'>>().notNull(),
	tokenHash: text('token_hash').$type<Of<typeof sqlite.apiToken, 'tokenHash'>>().notNull().unique(),
	role: text('role').$type<Of<typeof sqlite.apiToken, 'role'>>().notNull().default('admin'),
	createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
	createdById: bigint('created_by_id', { mode: 'number' }),
	expiresAt: bigint('expires_at', { mode: 'number' }),
	lastUsedAt: bigint('last_used_at', { mode: 'number' }),
	revokedAt: bigint('revoked_at', { mode: 'number' })
});

export const auditEvent = pgTable(
	'audit_event',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		actorUserId: bigint('actor_user_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		actorTokenId: bigint('actor_token_id', { mode: 'number' }).references(
			(): AnyPgColumn => apiToken.id
		),
		action: text('action').$type<Of<typeof sqlite.auditEvent, 'action'>>().notNull(),
		subject: text('subject').$type<Of<typeof sqlite.auditEvent, 'subject'>>().notNull(),
		data: jsonb('data').$type<Of<typeof sqlite.auditEvent, 'data'>>(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [index('audit_created_idx').on(t.createdAt)]
);

export const award = pgTable(
	'award',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		badgeId: bigint('badge_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => badge.id, { onDelete: 'cascade' }),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<Of<typeof sqlite.award, 'subjectType'>>().notNull(),
		subjectId: bigint('subject_id', { mode: 'number' }).notNull(),
		periodKey: text('period_key')
			.$type<Of<typeof sqlite.award, 'periodKey'>>()
			.notNull()
			.default(''),
		earnedAt: bigint('earned_at', { mode: 'number' }).notNull(),
		saleId: bigint('sale_id', { mode: 'number' }).references((): AnyPgColumn => sale.id),
		status: text('status')
			.$type<Of<typeof sqlite.award, 'status'>>()
			.notNull()
			.default('confirmed'),
		voidedAt: bigint('voided_at', { mode: 'number' }),
		createdAt: bigint('created_at', { mode: 'number' }).notNull()
	},
	(t) => [
		uniqueIndex('award_once_uq')
			.on(t.badgeId, t.subjectType, t.subjectId, t.periodKey)
			.where(sql`status <> 'void'`),
		index('award_season_subject_idx').on(t.seasonId, t.subjectType, t.subjectId),
		index('award_season_created_idx').on(t.seasonId, t.createdAt),
		index('award_sale_idx').on(t.saleId)
	]
);

export const badge = pgTable(
	'badge',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' }).references((): AnyPgColumn => season.id, {
			onDelete: 'cascade'
		}),
		name: text('name').$type<Of<typeof sqlite.badge, 'name'>>().notNull(),
		emoji: text('emoji').$type<Of<typeof sqlite.badge, 'emoji'>>().notNull().default('🏅'),
		description: text('description')
			.$type<Of<typeof sqlite.badge, 'description'>>()
			.notNull()
			.default(''),
		criterion: jsonb('criterion').$type<Of<typeof sqlite.badge, 'criterion'>>().notNull(),
		points: bigint('points', { mode: 'number' }).notNull().default(0),
		active: boolean('active').notNull().default(true),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [index('badge_season_idx').on(t.seasonId)]
);

export const badgeCursor = pgTable('badge_cursor', {
	id: bigint('id', { mode: 'number' }).primaryKey(),
	ledgerId: bigint('ledger_id', { mode: 'number' }).notNull()
});

export const badgeDay = pgTable(
	'badge_day',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		userId: bigint('user_id', { mode: 'number' }).notNull(),
		day: text('day').$type<Of<typeof sqlite.badgeDay, 'day'>>().notNull(),
		sales: bigint('sales', { mode: 'number' }).notNull(),
		firstAt: bigint('first_at', { mode: 'number' }).notNull(),
		firstSaleId: bigint('first_sale_id', { mode: 'number' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.userId, t.day] })]
);

export const badgePeriod = pgTable(
	'badge_period',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		periodKey: text('period_key').$type<Of<typeof sqlite.badgePeriod, 'periodKey'>>().notNull(),
		endsAt: bigint('ends_at', { mode: 'number' }).notNull(),
		dirty: bigint('dirty', { mode: 'number' }).notNull().default(1),
		decidedWith: text('decided_with').$type<Of<typeof sqlite.badgePeriod, 'decidedWith'>>()
	},
	(t) => [
		primaryKey({ columns: [t.seasonId, t.periodKey] }),
		index('badge_period_due_idx').on(t.endsAt)
	]
);

export const badgeRecord = pgTable(
	'badge_record',
	{
		seasonId: bigint('season_id', { mode: 'number' }).notNull(),
		occurredAt: bigint('occurred_at', { mode: 'number' }).notNull(),
		saleId: bigint('sale_id', { mode: 'number' }).notNull(),
		amount: bigint('amount', { mode: 'number' }).notNull()
	},
	(t) => [
		primaryKey({ columns: [t.seasonId, t.occurredAt, t.saleId] }),
		index('badge_record_amount_idx').on(t.seasonId, t.amount)
	]
);

export const badgeTally = pgTable(
	'badge_tally',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type')
			.$type<Of<typeof sqlite.badgeTally, 'subjectType'>>()
			.notNull(),
		subjectId: bigint('subject_id', { mode: 'number' }).notNull(),
		metric: text('metric').$type<Of<typeof sqlite.badgeTally, 'metric'>>().notNull(),
		value: bigint('value', { mode: 'number' }).notNull().default(0)
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.subjectType, t.subjectId, t.metric] })]
);

export const badgeWeek = pgTable(
	'badge_week',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		week: text('week').$type<Of<typeof sqlite.badgeWeek, 'week'>>().notNull(),
		userId: bigint('user_id', { mode: 'number' }).notNull(),
		sales: bigint('sales', { mode: 'number' }).notNull(),
		points: bigint('points', { mode: 'number' }).notNull(),
		reachedAt: bigint('reached_at', { mode: 'number' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.week, t.userId] })]
);

export const challenge = pgTable(
	'challenge',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<Of<typeof sqlite.challenge, 'subjectType'>>().notNull(),
		challengerId: bigint('challenger_id', { mode: 'number' }).notNull(),
		opponentId: bigint('opponent_id', { mode: 'number' }).notNull(),
		measure: text('measure').$type<Of<typeof sqlite.challenge, 'measure'>>().notNull(),
		periodFrom: bigint('period_from', { mode: 'number' }).notNull(),
		periodTo: bigint('period_to', { mode: 'number' }).notNull(),
		stakePoints: bigint('stake_points', { mode: 'number' }).notNull().default(0),
		status: text('status').$type<Of<typeof sqlite.challenge, 'status'>>().notNull(),
		answerBy: bigint('answer_by', { mode: 'number' }).notNull(),
		challengerValue: bigint('challenger_value', { mode: 'number' }),
		opponentValue: bigint('opponent_value', { mode: 'number' }),
		winnerId: bigint('winner_id', { mode: 'number' }),
		payoutEntryId: bigint('payout_entry_id', { mode: 'number' }).references(
			(): AnyPgColumn => ledgerEntry.id
		),
		createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		decidedById: bigint('decided_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		decidedAt: bigint('decided_at', { mode: 'number' }),
		finishedAt: bigint('finished_at', { mode: 'number' }),
		finalizedAt: bigint('finalized_at', { mode: 'number' }),
		requestId: text('request_id').$type<Of<typeof sqlite.challenge, 'requestId'>>().unique(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [
		index('challenge_season_status_idx').on(t.seasonId, t.status),
		index('challenge_status_idx').on(t.status)
	]
);

export const challengeSettings = pgTable('challenge_settings', {
	seasonId: bigint('season_id', { mode: 'number' })
		.primaryKey()
		.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
	stakeBudgetPoints: bigint('stake_budget_points', { mode: 'number' }).notNull().default(0),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
});

export const challengeWinMember = pgTable(
	'challenge_win_member',
	{
		challengeId: bigint('challenge_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => challenge.id, { onDelete: 'cascade' }),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
		teamId: bigint('team_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => team.id)
	},
	(t) => [
		primaryKey({ columns: [t.challengeId, t.userId] }),
		index('challenge_win_member_user_idx').on(t.userId)
	]
);

export const chatChannel = pgTable('chat_channel', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	platform: text('platform').$type<Of<typeof sqlite.chatChannel, 'platform'>>().notNull(),
	name: text('name').$type<Of<typeof sqlite.chatChannel, 'name'>>().notNull(),
	url: text('url').$type<Of<typeof sqlite.chatChannel, 'url'>>().notNull(),
	events: jsonb('events').$type<Of<typeof sqlite.chatChannel, 'events'>>().notNull(),
	bigSalePoints: bigint('big_sale_points', { mode: 'number' }),
	active: boolean('active').notNull().default(true),
	createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id, {
		onDelete: 'set null'
	}),
	createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
});

export const dashboardLine = pgTable(
	'dashboard_line',
	{
		seasonId: bigint('season_id', { mode: 'number' }).notNull(),
		productId: bigint('product_id', { mode: 'number' }).notNull(),
		occurredAt: bigint('occurred_at', { mode: 'number' }).notNull(),
		lineId: bigint('line_id', { mode: 'number' }).notNull(),
		saleId: bigint('sale_id', { mode: 'number' }).notNull(),
		teamId: bigint('team_id', { mode: 'number' }).notNull(),
		quantity: bigint('quantity', { mode: 'number' }).notNull(),
		points: bigint('points', { mode: 'number' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.productId, t.occurredAt, t.lineId] })]
);

export const dashboardProductDay = pgTable(
	'dashboard_product_day',
	{
		seasonId: bigint('season_id', { mode: 'number' }).notNull(),
		teamId: bigint('team_id', { mode: 'number' }).notNull(),
		productId: bigint('product_id', { mode: 'number' }).notNull(),
		day: bigint('day', { mode: 'number' }).notNull(),
		units: bigint('units', { mode: 'number' }).notNull().default(0),
		points: bigint('points', { mode: 'number' }).notNull().default(0)
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.day, t.teamId, t.productId] })]
);

export const dashboardSlot = pgTable(
	'dashboard_slot',
	{
		seasonId: bigint('season_id', { mode: 'number' }).notNull(),
		teamId: bigint('team_id', { mode: 'number' }).notNull(),
		slot: bigint('slot', { mode: 'number' }).notNull(),
		confirmed: bigint('confirmed', { mode: 'number' }).notNull().default(0),
		provisional: bigint('provisional', { mode: 'number' }).notNull().default(0),
		sales: bigint('sales', { mode: 'number' }).notNull().default(0),
		revenue: bigint('revenue', { mode: 'number' }).notNull().default(0)
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.slot, t.teamId] })]
);

export const display = pgTable('display', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	seasonId: bigint('season_id', { mode: 'number' })
		.notNull()
		.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
	name: text('name').$type<Of<typeof sqlite.display, 'name'>>().notNull(),
	locale: text('locale').$type<Of<typeof sqlite.display, 'locale'>>().notNull().default('en'),
	tokenHash: text('token_hash').$type<Of<typeof sqlite.display, 'tokenHash'>>().notNull().unique(),
	createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
	lastSeenAt: bigint('last_seen_at', { mode: 'number' }),
	revokedAt: bigint('revoked_at', { mode: 'number' })
});

export const division = pgTable(
	'division',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		name: text('name').$type<Of<typeof sqlite.division, 'name'>>().notNull(),
		position: bigint('position', { mode: 'number' }).notNull(),
		promote: bigint('promote', { mode: 'number' }).notNull().default(0),
		relegate: bigint('relegate', { mode: 'number' }).notNull().default(0),
		prizes: jsonb('prizes').$type<Of<typeof sqlite.division, 'prizes'>>(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [
		uniqueIndex('division_season_position_uq').on(t.seasonId, t.position),
		uniqueIndex('division_season_name_uq').on(t.seasonId, t.name)
	]
);

export const divisionMember = pgTable(
	'division_member',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
		divisionId: bigint('division_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => division.id, { onDelete: 'cascade' }),
		placedBy: text('placed_by').$type<Of<typeof sqlite.divisionMember, 'placedBy'>>().notNull(),
		updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [
		primaryKey({ columns: [t.seasonId, t.userId] }),
		index('division_member_division_idx').on(t.divisionId)
	]
);

export const importJob = pgTable(
	'import_job',
	{
		id: text('id').$type<Of<typeof sqlite.importJob, 'id'>>().primaryKey(),
		ownerUserId: bigint('owner_user_id', { mode: 'number' }).references(
			(): AnyPgColumn => user.id,
			{ onDelete: 'cascade' }
		),
		ownerTokenId: bigint('owner_token_id', { mode: 'number' }).references(
			(): AnyPgColumn => apiToken.id,
			{ onDelete: 'cascade' }
		),
		dryRun: boolean('dry_run').notNull(),
		exclusive: boolean('exclusive').notNull(),
		options: jsonb('options').$type<Of<typeof sqlite.importJob, 'options'>>().notNull(),
		uploadId: bigint('upload_id', { mode: 'number' }).references(
			(): AnyPgColumn => importUpload.id,
			{ onDelete: 'set null' }
		),
		status: text('status').$type<Of<typeof sqlite.importJob, 'status'>>().notNull(),
		done: bigint('done', { mode: 'number' }).notNull().default(0),
		total: bigint('total', { mode: 'number' }).notNull().default(0),
		checkpoint: jsonb('checkpoint').$type<Of<typeof sqlite.importJob, 'checkpoint'>>(),
		kept: jsonb('kept').$type<Of<typeof sqlite.importJob, 'kept'>>(),
		report: jsonb('report').$type<Of<typeof sqlite.importJob, 'report'>>(),
		error: text('error').$type<Of<typeof sqlite.importJob, 'error'>>(),
		failure: jsonb('failure').$type<Of<typeof sqlite.importJob, 'failure'>>(),
		startedAt: bigint('started_at', { mode: 'number' }).notNull(),
		finishedAt: bigint('finished_at', { mode: 'number' }),
		holder: text('holder').$type<Of<typeof sqlite.importJob, 'holder'>>(),
		heartbeatAt: bigint('heartbeat_at', { mode: 'number' })
	},
	(t) => [
		index('import_job_status_idx').on(t.status, t.heartbeatAt),
		index('import_job_finished_idx').on(t.finishedAt)
	]
);

export const importJobError = pgTable(
	'import_job_error',
	{
		jobId: text('job_id')
			.$type<Of<typeof sqlite.importJobError, 'jobId'>>()
			.notNull()
			.references((): AnyPgColumn => importJob.id, { onDelete: 'cascade' }),
		seq: bigint('seq', { mode: 'number' }).notNull(),
		csv: text('csv').$type<Of<typeof sqlite.importJobError, 'csv'>>().notNull()
	},
	(t) => [primaryKey({ columns: [t.jobId, t.seq] })]
);

export const importMapping = pgTable('import_mapping', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	name: text('name').$type<Of<typeof sqlite.importMapping, 'name'>>().notNull(),
	headerKey: text('header_key')
		.$type<Of<typeof sqlite.importMapping, 'headerKey'>>()
		.notNull()
		.unique(),
	mapping: jsonb('mapping').$type<Of<typeof sqlite.importMapping, 'mapping'>>().notNull(),
	dateOrder: text('date_order').$type<Of<typeof sqlite.importMapping, 'dateOrder'>>(),
	decimal: text('decimal').$type<Of<typeof sqlite.importMapping, 'decimal'>>(),
	encoding: text('encoding').$type<Of<typeof sqlite.importMapping, 'encoding'>>(),
	updatedById: bigint('updated_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id, {
		onDelete: 'set null'
	}),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
});

export const importUpload = pgTable('import_upload', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
	createdAt: bigint('created_at', { mode: 'number' }).notNull()
});

export const importUploadChunk = pgTable(
	'import_upload_chunk',
	{
		uploadId: bigint('upload_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => importUpload.id, { onDelete: 'cascade' }),
		seq: bigint('seq', { mode: 'number' }).notNull(),
		data: text('data').$type<Of<typeof sqlite.importUploadChunk, 'data'>>().notNull()
	},
	(t) => [primaryKey({ columns: [t.uploadId, t.seq] })]
);

export const invite = pgTable('invite', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	email: text('email').$type<Of<typeof sqlite.invite, 'email'>>().notNull(),
	userId: bigint('user_id', { mode: 'number' })
		.notNull()
		.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
	seasonId: bigint('season_id', { mode: 'number' }).references((): AnyPgColumn => season.id, {
		onDelete: 'cascade'
	}),
	tokenHash: text('token_hash').$type<Of<typeof sqlite.invite, 'tokenHash'>>().notNull().unique(),
	createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
	createdAt: bigint('created_at', { mode: 'number' }).notNull(),
	expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
	acceptedAt: bigint('accepted_at', { mode: 'number' }),
	purpose: text('purpose').$type<Of<typeof sqlite.invite, 'purpose'>>().notNull().default('invite'),
	voidedAt: bigint('voided_at', { mode: 'number' })
});

export const knockout = pgTable(
	'knockout',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		name: text('name').$type<Of<typeof sqlite.knockout, 'name'>>().notNull(),
		subject: text('subject').$type<Of<typeof sqlite.knockout, 'subject'>>().notNull(),
		size: bigint('size', { mode: 'number' }).notNull(),
		measure: text('measure').$type<Of<typeof sqlite.knockout, 'measure'>>().notNull(),
		roundLength: bigint('round_length', { mode: 'number' }).notNull(),
		roundUnit: text('round_unit')
			.$type<Of<typeof sqlite.knockout, 'roundUnit'>>()
			.notNull()
			.default('day'),
		graceHours: bigint('grace_hours', { mode: 'number' }).notNull().default(2),
		startsAt: bigint('starts_at', { mode: 'number' }).notNull(),
		prize: text('prize').$type<Of<typeof sqlite.knockout, 'prize'>>(),
		status: text('status')
			.$type<Of<typeof sqlite.knockout, 'status'>>()
			.notNull()
			.default('scheduled'),
		seededAt: bigint('seeded_at', { mode: 'number' }),
		roundsFrozen: bigint('rounds_frozen', { mode: 'number' }).notNull().default(0),
		winnerId: bigint('winner_id', { mode: 'number' }),
		finalizedAt: bigint('finalized_at', { mode: 'number' }),
		requestId: text('request_id').$type<Of<typeof sqlite.knockout, 'requestId'>>().unique(),
		createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [index('knockout_season_idx').on(t.seasonId, t.status)]
);

export const knockoutMatch = pgTable(
	'knockout_match',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		knockoutId: bigint('knockout_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => knockout.id, { onDelete: 'cascade' }),
		round: bigint('round', { mode: 'number' }).notNull(),
		slot: bigint('slot', { mode: 'number' }).notNull(),
		aId: bigint('a_id', { mode: 'number' }),
		bId: bigint('b_id', { mode: 'number' }),
		aSeed: bigint('a_seed', { mode: 'number' }),
		bSeed: bigint('b_seed', { mode: 'number' }),
		aValue: bigint('a_value', { mode: 'number' }),
		bValue: bigint('b_value', { mode: 'number' }),
		winnerId: bigint('winner_id', { mode: 'number' }),
		decidedAt: bigint('decided_at', { mode: 'number' })
	},
	(t) => [uniqueIndex('knockout_match_slot_uq').on(t.knockoutId, t.round, t.slot)]
);

export const knockoutWinMember = pgTable(
	'knockout_win_member',
	{
		knockoutId: bigint('knockout_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => knockout.id, { onDelete: 'cascade' }),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
		teamId: bigint('team_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => team.id)
	},
	(t) => [
		primaryKey({ columns: [t.knockoutId, t.userId] }),
		index('knockout_win_member_user_idx').on(t.userId)
	]
);

export const ledgerEntry = pgTable(
	'ledger_entry',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id),
		teamId: bigint('team_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => team.id),
		saleId: bigint('sale_id', { mode: 'number' }).references((): AnyPgColumn => sale.id),
		awardId: bigint('award_id', { mode: 'number' }).references((): AnyPgColumn => award.id),
		activityId: bigint('activity_id', { mode: 'number' }).references(
			(): AnyPgColumn => activity.id
		),
		kind: text('kind').$type<Of<typeof sqlite.ledgerEntry, 'kind'>>().notNull(),
		points: bigint('points', { mode: 'number' }).notNull(),
		status: text('status').$type<Of<typeof sqlite.ledgerEntry, 'status'>>().notNull(),
		breakdown: jsonb('breakdown').$type<Of<typeof sqlite.ledgerEntry, 'breakdown'>>(),
		reason: text('reason').$type<Of<typeof sqlite.ledgerEntry, 'reason'>>(),
		createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		createdAt: bigint('created_at', { mode: 'number' }).notNull()
	},
	(t) => [
		index('ledger_season_user_idx').on(t.seasonId, t.userId, t.createdAt),
		index('ledger_sale_idx').on(t.saleId),
		index('ledger_activity_idx')
			.on(t.activityId)
			.where(sql`activity_id IS NOT NULL`),
		index('ledger_other_time_idx')
			.on(t.seasonId, t.createdAt)
			.where(sql`sale_id IS NULL AND activity_id IS NULL`),
		index('ledger_award_idx')
			.on(t.awardId)
			.where(sql`award_id IS NOT NULL`)
	]
);

export const loginThrottle = pgTable('login_throttle', {
	key: text('key').$type<Of<typeof sqlite.loginThrottle, 'key'>>().primaryKey(),
	failures: bigint('failures', { mode: 'number' }).notNull(),
	lastFailureAt: bigint('last_failure_at', { mode: 'number' }).notNull()
});

export const notificationOptOut = pgTable(
	'notification_opt_out',
	{
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
		channel: text('channel').$type<Of<typeof sqlite.notificationOptOut, 'channel'>>().notNull(),
		kind: text('kind').$type<Of<typeof sqlite.notificationOptOut, 'kind'>>().notNull(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [primaryKey({ columns: [t.userId, t.channel, t.kind] })]
);

export const organisation = pgTable('organisation', {
	id: bigint('id', { mode: 'number' }).primaryKey(),
	defaultLocale: text('default_locale')
		.$type<Of<typeof sqlite.organisation, 'defaultLocale'>>()
		.notNull()
		.default('en'),
	currency: text('currency')
		.$type<Of<typeof sqlite.organisation, 'currency'>>()
		.notNull()
		.default('EUR'),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
});

export const outgoingMessage = pgTable(
	'outgoing_message',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		channel: text('channel').$type<Of<typeof sqlite.outgoingMessage, 'channel'>>().notNull(),
		kind: text('kind').$type<Of<typeof sqlite.outgoingMessage, 'kind'>>().notNull(),
		userId: bigint('user_id', { mode: 'number' }).references((): AnyPgColumn => user.id, {
			onDelete: 'set null'
		}),
		chatChannelId: bigint('chat_channel_id', { mode: 'number' }).references(
			(): AnyPgColumn => chatChannel.id,
			{ onDelete: 'cascade' }
		),
		recipient: text('recipient').$type<Of<typeof sqlite.outgoingMessage, 'recipient'>>().notNull(),
		subject: text('subject').$type<Of<typeof sqlite.outgoingMessage, 'subject'>>().notNull(),
		body: text('body').$type<Of<typeof sqlite.outgoingMessage, 'body'>>().notNull(),
		payload: jsonb('payload').$type<Of<typeof sqlite.outgoingMessage, 'payload'>>(),
		dedupeKey: text('dedupe_key').$type<Of<typeof sqlite.outgoingMessage, 'dedupeKey'>>().unique(),
		status: text('status')
			.$type<Of<typeof sqlite.outgoingMessage, 'status'>>()
			.notNull()
			.default('pending'),
		attempts: bigint('attempts', { mode: 'number' }).notNull().default(0),
		nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull(),
		lastError: text('last_error').$type<Of<typeof sqlite.outgoingMessage, 'lastError'>>(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
		sentAt: bigint('sent_at', { mode: 'number' }),
		claimedBy: text('claimed_by').$type<Of<typeof sqlite.outgoingMessage, 'claimedBy'>>(),
		claimedUntil: bigint('claimed_until', { mode: 'number' })
	},
	(t) => [
		index('outgoing_message_due_idx').on(t.status, t.nextAttemptAt),
		index('outgoing_message_created_idx').on(t.createdAt)
	]
);

export const personDay = pgTable(
	'person_day',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		userId: bigint('user_id', { mode: 'number' }).notNull(),
		day: bigint('day', { mode: 'number' }).notNull(),
		sales: bigint('sales', { mode: 'number' }).notNull().default(0),
		points: bigint('points', { mode: 'number' }).notNull().default(0),
		quantity: bigint('quantity', { mode: 'number' }).notNull().default(0),
		ruleAwards: text('rule_awards')
			.$type<Of<typeof sqlite.personDay, 'ruleAwards'>>()
			.notNull()
			.default('{}')
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.userId, t.day] })]
);

export const product = pgTable(
	'product',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		sku: text('sku').$type<Of<typeof sqlite.product, 'sku'>>().notNull(),
		name: text('name').$type<Of<typeof sqlite.product, 'name'>>().notNull(),
		category: text('category').$type<Of<typeof sqlite.product, 'category'>>().notNull(),
		points: bigint('points', { mode: 'number' }).notNull(),
		price: bigint('price', { mode: 'number' }).notNull().default(0),
		active: boolean('active').notNull().default(true)
	},
	(t) => [uniqueIndex('product_season_sku_uq').on(t.seasonId, t.sku)]
);

export const pushSubscription = pgTable(
	'push_subscription',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
		endpoint: text('endpoint')
			.$type<Of<typeof sqlite.pushSubscription, 'endpoint'>>()
			.notNull()
			.unique(),
		p256dh: text('p256dh').$type<Of<typeof sqlite.pushSubscription, 'p256dh'>>().notNull(),
		auth: text('auth').$type<Of<typeof sqlite.pushSubscription, 'auth'>>().notNull(),
		userAgent: text('user_agent').$type<Of<typeof sqlite.pushSubscription, 'userAgent'>>(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
		lastSentAt: bigint('last_sent_at', { mode: 'number' })
	},
	(t) => [index('push_subscription_user_idx').on(t.userId)]
);

export const quiz = pgTable(
	'quiz',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		title: text('title').$type<Of<typeof sqlite.quiz, 'title'>>().notNull(),
		intro: text('intro').$type<Of<typeof sqlite.quiz, 'intro'>>(),
		pointsPerCorrect: bigint('points_per_correct', { mode: 'number' }).notNull().default(10),
		passPercent: bigint('pass_percent', { mode: 'number' }).notNull().default(80),
		opensAt: bigint('opens_at', { mode: 'number' }).notNull(),
		closesAt: bigint('closes_at', { mode: 'number' }),
		publishedAt: bigint('published_at', { mode: 'number' }),
		announcedAt: bigint('announced_at', { mode: 'number' }),
		createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
		updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [index('quiz_season_idx').on(t.seasonId, t.opensAt)]
);

export const quizAttempt = pgTable(
	'quiz_attempt',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		quizId: bigint('quiz_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => quiz.id, { onDelete: 'cascade' }),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id),
		answers: jsonb('answers').$type<Of<typeof sqlite.quizAttempt, 'answers'>>().notNull(),
		correctCount: bigint('correct_count', { mode: 'number' }).notNull(),
		questionCount: bigint('question_count', { mode: 'number' }).notNull(),
		passed: boolean('passed').notNull(),
		earning: boolean('earning').notNull(),
		points: bigint('points', { mode: 'number' }).notNull().default(0),
		ledgerEntryId: bigint('ledger_entry_id', { mode: 'number' }).references(
			(): AnyPgColumn => ledgerEntry.id
		),
		requestId: text('request_id').$type<Of<typeof sqlite.quizAttempt, 'requestId'>>().unique(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [
		index('quiz_attempt_quiz_user_idx').on(t.quizId, t.userId),
		index('quiz_attempt_user_idx').on(t.userId, t.createdAt),
		uniqueIndex('quiz_attempt_earning_uq')
			.on(t.quizId, t.userId)
			.where(sql`earning = true`)
	]
);

export const quizOption = pgTable(
	'quiz_option',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		questionId: bigint('question_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => quizQuestion.id, { onDelete: 'cascade' }),
		position: bigint('position', { mode: 'number' }).notNull(),
		label: text('label').$type<Of<typeof sqlite.quizOption, 'label'>>().notNull(),
		correct: boolean('correct').notNull().default(false)
	},
	(t) => [index('quiz_option_question_idx').on(t.questionId, t.position)]
);

export const quizQuestion = pgTable(
	'quiz_question',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		quizId: bigint('quiz_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => quiz.id, { onDelete: 'cascade' }),
		position: bigint('position', { mode: 'number' }).notNull(),
		kind: text('kind').$type<Of<typeof sqlite.quizQuestion, 'kind'>>().notNull(),
		prompt: text('prompt').$type<Of<typeof sqlite.quizQuestion, 'prompt'>>().notNull(),
		pictureUrl: text('picture_url').$type<Of<typeof sqlite.quizQuestion, 'pictureUrl'>>(),
		explanation: text('explanation').$type<Of<typeof sqlite.quizQuestion, 'explanation'>>()
	},
	(t) => [index('quiz_question_quiz_idx').on(t.quizId, t.position)]
);

export const quota = pgTable(
	'quota',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<Of<typeof sqlite.quota, 'subjectType'>>().notNull(),
		subjectId: bigint('subject_id', { mode: 'number' }).notNull(),
		targetPoints: bigint('target_points', { mode: 'number' }).notNull(),
		setById: bigint('set_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [uniqueIndex('quota_subject_uq').on(t.seasonId, t.subjectType, t.subjectId)]
);

export const referral = pgTable(
	'referral',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		referrerId: bigint('referrer_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id),
		customerName: text('customer_name')
			.$type<Of<typeof sqlite.referral, 'customerName'>>()
			.notNull(),
		customerRef: text('customer_ref').$type<Of<typeof sqlite.referral, 'customerRef'>>(),
		customerKey: text('customer_key').$type<Of<typeof sqlite.referral, 'customerKey'>>(),
		contact: text('contact').$type<Of<typeof sqlite.referral, 'contact'>>(),
		note: text('note').$type<Of<typeof sqlite.referral, 'note'>>(),
		status: text('status').$type<Of<typeof sqlite.referral, 'status'>>().notNull().default('open'),
		points: bigint('points', { mode: 'number' }).notNull(),
		ledgerEntryId: bigint('ledger_entry_id', { mode: 'number' }).references(
			(): AnyPgColumn => ledgerEntry.id
		),
		duplicateOfId: bigint('duplicate_of_id', { mode: 'number' }).references(
			(): AnyPgColumn => referral.id
		),
		matchedSaleId: bigint('matched_sale_id', { mode: 'number' }).references(
			(): AnyPgColumn => sale.id
		),
		expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
		decidedById: bigint('decided_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		decidedAt: bigint('decided_at', { mode: 'number' }),
		decisionReason: text('decision_reason').$type<Of<typeof sqlite.referral, 'decisionReason'>>(),
		requestId: text('request_id').$type<Of<typeof sqlite.referral, 'requestId'>>().unique(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [
		index('referral_season_key_idx').on(t.seasonId, t.customerKey),
		index('referral_key_status_idx').on(t.customerKey, t.status),
		index('referral_status_expiry_idx').on(t.status, t.expiresAt),
		index('referral_referrer_idx').on(t.referrerId, t.createdAt)
	]
);

export const reward = pgTable('reward', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	name: text('name').$type<Of<typeof sqlite.reward, 'name'>>().notNull(),
	description: text('description').$type<Of<typeof sqlite.reward, 'description'>>(),
	pictureUrl: text('picture_url').$type<Of<typeof sqlite.reward, 'pictureUrl'>>(),
	pricePoints: bigint('price_points', { mode: 'number' }).notNull(),
	costCents: bigint('cost_cents', { mode: 'number' }).notNull().default(0),
	stock: bigint('stock', { mode: 'number' }),
	perPersonLimit: bigint('per_person_limit', { mode: 'number' }),
	active: boolean('active').notNull().default(true),
	createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
});

export const rewardRedemption = pgTable(
	'reward_redemption',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		rewardId: bigint('reward_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => reward.id),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id),
		points: bigint('points', { mode: 'number' }).notNull(),
		costCents: bigint('cost_cents', { mode: 'number' }).notNull(),
		status: text('status')
			.$type<Of<typeof sqlite.rewardRedemption, 'status'>>()
			.notNull()
			.default('pending'),
		requestId: text('request_id').$type<Of<typeof sqlite.rewardRedemption, 'requestId'>>().unique(),
		decidedById: bigint('decided_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		decidedAt: bigint('decided_at', { mode: 'number' }),
		reason: text('reason').$type<Of<typeof sqlite.rewardRedemption, 'reason'>>(),
		fulfilledById: bigint('fulfilled_by_id', { mode: 'number' }).references(
			(): AnyPgColumn => user.id
		),
		fulfilledAt: bigint('fulfilled_at', { mode: 'number' }),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [
		index('redemption_season_user_idx').on(t.seasonId, t.userId, t.status),
		index('redemption_reward_idx').on(t.rewardId, t.status),
		index('redemption_status_idx').on(t.status, t.createdAt)
	]
);

export const rewardSeason = pgTable(
	'reward_season',
	{
		rewardId: bigint('reward_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => reward.id, { onDelete: 'cascade' }),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' })
	},
	(t) => [primaryKey({ columns: [t.rewardId, t.seasonId] })]
);

export const rule = pgTable(
	'rule',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		name: text('name').$type<Of<typeof sqlite.rule, 'name'>>().notNull(),
		active: boolean('active').notNull().default(true),
		startsAt: bigint('starts_at', { mode: 'number' }),
		endsAt: bigint('ends_at', { mode: 'number' }),
		target: jsonb('target').$type<Of<typeof sqlite.rule, 'target'>>().notNull(),
		effect: jsonb('effect').$type<Of<typeof sqlite.rule, 'effect'>>().notNull(),
		dailyCap: bigint('daily_cap', { mode: 'number' }),
		highlight: boolean('highlight').notNull().default(true),
		createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
		updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [index('rule_season_idx').on(t.seasonId)]
);

export const sale = pgTable(
	'sale',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id),
		source: text('source').$type<Of<typeof sqlite.sale, 'source'>>().notNull(),
		externalId: text('external_id').$type<Of<typeof sqlite.sale, 'externalId'>>().notNull(),
		sellerId: bigint('seller_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id),
		teamId: bigint('team_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => team.id),
		occurredAt: bigint('occurred_at', { mode: 'number' }).notNull(),
		amount: bigint('amount', { mode: 'number' }).notNull(),
		customerRef: text('customer_ref').$type<Of<typeof sqlite.sale, 'customerRef'>>(),
		status: text('status').$type<Of<typeof sqlite.sale, 'status'>>().notNull(),
		points: bigint('points', { mode: 'number' }).notNull(),
		flagReason: text('flag_reason').$type<Of<typeof sqlite.sale, 'flagReason'>>(),
		breakdown: jsonb('breakdown').$type<Of<typeof sqlite.sale, 'breakdown'>>(),
		createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now),
		reviewedById: bigint('reviewed_by_id', { mode: 'number' }).references(
			(): AnyPgColumn => user.id
		),
		reviewedAt: bigint('reviewed_at', { mode: 'number' }),
		reviewReason: text('review_reason').$type<Of<typeof sqlite.sale, 'reviewReason'>>()
	},
	(t) => [
		index('sale_season_status_idx').on(t.seasonId, t.status),
		uniqueIndex('sale_source_external_uq').on(t.source, t.externalId),
		index('sale_season_seller_idx').on(t.seasonId, t.sellerId, t.occurredAt),
		index('sale_season_seller_id_idx').on(t.seasonId, t.sellerId, t.id),
		index('sale_season_created_idx').on(t.seasonId, t.createdAt),
		index('sale_season_time_idx').on(t.seasonId, t.occurredAt),
		index('sale_season_amount_idx').on(t.seasonId, t.amount),
		index('sale_season_team_idx').on(t.seasonId, t.teamId, t.occurredAt)
	]
);

export const saleLine = pgTable(
	'sale_line',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		saleId: bigint('sale_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => sale.id, { onDelete: 'cascade' }),
		productId: bigint('product_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => product.id),
		quantity: bigint('quantity', { mode: 'number' }).notNull(),
		unitPrice: bigint('unit_price', { mode: 'number' }).notNull(),
		points: bigint('points', { mode: 'number' }).notNull()
	},
	(t) => [index('sale_line_sale_idx').on(t.saleId)]
);

export const schedulerLease = pgTable('scheduler_lease', {
	name: text('name').$type<Of<typeof sqlite.schedulerLease, 'name'>>().primaryKey(),
	holder: text('holder').$type<Of<typeof sqlite.schedulerLease, 'holder'>>().notNull(),
	expiresAt: bigint('expires_at', { mode: 'number' }).notNull()
});

export const season = pgTable(
	'season',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		key: text('key').$type<Of<typeof sqlite.season, 'key'>>().unique(),
		name: text('name').$type<Of<typeof sqlite.season, 'name'>>().notNull(),
		theme: jsonb('theme').$type<Of<typeof sqlite.season, 'theme'>>().notNull(),
		timeZone: text('time_zone')
			.$type<Of<typeof sqlite.season, 'timeZone'>>()
			.notNull()
			.default('UTC'),
		startsAt: bigint('starts_at', { mode: 'number' }).notNull(),
		endsAt: bigint('ends_at', { mode: 'number' }).notNull(),
		status: text('status').$type<Of<typeof sqlite.season, 'status'>>().notNull().default('draft'),
		tieRule: text('tie_rule')
			.$type<Of<typeof sqlite.season, 'tieRule'>>()
			.notNull()
			.default('competition'),
		requireConfirmation: boolean('require_confirmation').notNull().default(false),
		rankBy: text('rank_by')
			.$type<Of<typeof sqlite.season, 'rankBy'>>()
			.notNull()
			.default('confirmed'),
		multiplierMode: text('multiplier_mode')
			.$type<Of<typeof sqlite.season, 'multiplierMode'>>()
			.notNull()
			.default('best'),
		autoConfirmDays: bigint('auto_confirm_days', { mode: 'number' }),
		tiers: jsonb('tiers').$type<Of<typeof sqlite.season, 'tiers'>>(),
		holidays: jsonb('holidays').$type<Of<typeof sqlite.season, 'holidays'>>(),
		recurrence: jsonb('recurrence').$type<Of<typeof sqlite.season, 'recurrence'>>(),
		graceDays: bigint('grace_days', { mode: 'number' }).notNull().default(7),
		previousSeasonId: bigint('previous_season_id', { mode: 'number' }),
		prizes: jsonb('prizes').$type<Of<typeof sqlite.season, 'prizes'>>(),
		announcement: text('announcement').$type<Of<typeof sqlite.season, 'announcement'>>(),
		finalizedAt: bigint('finalized_at', { mode: 'number' }),
		target: bigint('target', { mode: 'number' }),
		maxSalePoints: bigint('max_sale_points', { mode: 'number' }).notNull().default(100000),
		version: bigint('version', { mode: 'number' }).notNull().default(0),
		rosterVersion: bigint('roster_version', { mode: 'number' }).notNull().default(0),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [
		index('season_status_idx').on(t.status),
		uniqueIndex('season_previous_uq').on(t.previousSeasonId)
	]
);

export const seasonMember = pgTable(
	'season_member',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
		teamId: bigint('team_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => team.id),
		joinedAt: bigint('joined_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.userId] }), index('member_team_idx').on(t.teamId)]
);

export const seasonProgramme = pgTable('season_programme', {
	seasonId: bigint('season_id', { mode: 'number' })
		.primaryKey()
		.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
	referralPoints: bigint('referral_points', { mode: 'number' }).notNull().default(50),
	referralLapseDays: bigint('referral_lapse_days', { mode: 'number' }).notNull().default(60),
	spendSharePercent: bigint('spend_share_percent', { mode: 'number' }).notNull().default(100),
	rewardBudgetCents: bigint('reward_budget_cents', { mode: 'number' }),
	pointValueCents: bigint('point_value_cents', { mode: 'number' }).notNull().default(1),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull().default(now)
});

export const seasonResult = pgTable(
	'season_result',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type')
			.$type<Of<typeof sqlite.seasonResult, 'subjectType'>>()
			.notNull(),
		subjectId: bigint('subject_id', { mode: 'number' }).notNull(),
		name: text('name').$type<Of<typeof sqlite.seasonResult, 'name'>>().notNull(),
		teamName: text('team_name').$type<Of<typeof sqlite.seasonResult, 'teamName'>>(),
		rank: bigint('rank', { mode: 'number' }).notNull(),
		points: bigint('points', { mode: 'number' }).notNull(),
		provisionalPoints: bigint('provisional_points', { mode: 'number' }).notNull(),
		salesCount: bigint('sales_count', { mode: 'number' }).notNull(),
		frozenAt: bigint('frozen_at', { mode: 'number' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.subjectType, t.subjectId] })]
);

export const seasonTransition = pgTable(
	'season_transition',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		toStatus: text('to_status').$type<Of<typeof sqlite.seasonTransition, 'toStatus'>>().notNull(),
		at: bigint('at', { mode: 'number' }).notNull(),
		by: text('by').$type<Of<typeof sqlite.seasonTransition, 'by'>>().notNull()
	},
	(t) => [uniqueIndex('season_transition_once_uq').on(t.seasonId, t.toStatus)]
);

export const serverSecret = pgTable('server_secret', {
	name: text('name').$type<Of<typeof sqlite.serverSecret, 'name'>>().primaryKey(),
	value: text('value').$type<Of<typeof sqlite.serverSecret, 'value'>>().notNull(),
	createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
});

export const session = pgTable(
	'session',
	{
		id: text('id').$type<Of<typeof sqlite.session, 'id'>>().primaryKey(),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
		expiresAt: bigint('expires_at', { mode: 'number' }).notNull()
	},
	(t) => [index('session_user_idx').on(t.userId)]
);

export const sprint = pgTable(
	'sprint',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		name: text('name').$type<Of<typeof sqlite.sprint, 'name'>>().notNull(),
		subject: text('subject').$type<Of<typeof sqlite.sprint, 'subject'>>().notNull(),
		measure: text('measure').$type<Of<typeof sqlite.sprint, 'measure'>>().notNull(),
		target: bigint('target', { mode: 'number' }).notNull(),
		startsAt: bigint('starts_at', { mode: 'number' }).notNull(),
		endsAt: bigint('ends_at', { mode: 'number' }).notNull(),
		prize: text('prize').$type<Of<typeof sqlite.sprint, 'prize'>>(),
		status: text('status')
			.$type<Of<typeof sqlite.sprint, 'status'>>()
			.notNull()
			.default('scheduled'),
		winnerId: bigint('winner_id', { mode: 'number' }),
		reachedAt: bigint('reached_at', { mode: 'number' }),
		finalizedAt: bigint('finalized_at', { mode: 'number' }),
		requestId: text('request_id').$type<Of<typeof sqlite.sprint, 'requestId'>>().unique(),
		createdById: bigint('created_by_id', { mode: 'number' }).references((): AnyPgColumn => user.id),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [index('sprint_season_idx').on(t.seasonId, t.status)]
);

export const sprintWinMember = pgTable(
	'sprint_win_member',
	{
		sprintId: bigint('sprint_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => sprint.id, { onDelete: 'cascade' }),
		userId: bigint('user_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => user.id, { onDelete: 'cascade' }),
		teamId: bigint('team_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => team.id)
	},
	(t) => [
		primaryKey({ columns: [t.sprintId, t.userId] }),
		index('sprint_win_member_user_idx').on(t.userId)
	]
);

export const standing = pgTable(
	'standing',
	{
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<Of<typeof sqlite.standing, 'subjectType'>>().notNull(),
		subjectId: bigint('subject_id', { mode: 'number' }).notNull(),
		confirmedPoints: bigint('confirmed_points', { mode: 'number' }).notNull().default(0),
		provisionalPoints: bigint('provisional_points', { mode: 'number' }).notNull().default(0),
		salesCount: bigint('sales_count', { mode: 'number' }).notNull().default(0),
		reachedAt: bigint('reached_at', { mode: 'number' }).notNull(),
		updatedAt: bigint('updated_at', { mode: 'number' }).notNull()
	},
	(t) => [
		primaryKey({ columns: [t.seasonId, t.subjectType, t.subjectId] }),
		index('standing_rank_idx').on(
			t.seasonId,
			t.subjectType,
			sql`${t.confirmedPoints} desc`,
			t.reachedAt
		),
		index('standing_rank_total_idx').on(
			t.seasonId,
			t.subjectType,
			sql`(${t.confirmedPoints} + ${t.provisionalPoints}) desc`,
			t.reachedAt
		)
	]
);

export const team = pgTable(
	'team',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		seasonId: bigint('season_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => season.id, { onDelete: 'cascade' }),
		name: text('name').$type<Of<typeof sqlite.team, 'name'>>().notNull(),
		color: text('color').$type<Of<typeof sqlite.team, 'color'>>().notNull().default('#64748b'),
		emoji: text('emoji').$type<Of<typeof sqlite.team, 'emoji'>>().notNull().default('⭐')
	},
	(t) => [uniqueIndex('team_season_name_uq').on(t.seasonId, t.name)]
);

export const user = pgTable(
	'user',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		email: text('email').$type<Of<typeof sqlite.user, 'email'>>().notNull().unique(),
		displayName: text('display_name').$type<Of<typeof sqlite.user, 'displayName'>>().notNull(),
		role: text('role').$type<Of<typeof sqlite.user, 'role'>>().notNull().default('participant'),
		passwordHash: text('password_hash').$type<Of<typeof sqlite.user, 'passwordHash'>>().notNull(),
		employeeNumber: text('employee_number')
			.$type<Of<typeof sqlite.user, 'employeeNumber'>>()
			.unique(),
		locale: text('locale').$type<Of<typeof sqlite.user, 'locale'>>(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
	},
	(t) => [
		index('user_invited_idx')
			.on(t.id)
			.where(sql`password_hash = '!'`)
	]
);

export const webhook = pgTable('webhook', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	url: text('url').$type<Of<typeof sqlite.webhook, 'url'>>().notNull(),
	secret: text('secret').$type<Of<typeof sqlite.webhook, 'secret'>>().notNull(),
	events: jsonb('events').$type<Of<typeof sqlite.webhook, 'events'>>().notNull(),
	active: boolean('active').notNull().default(true),
	createdAt: bigint('created_at', { mode: 'number' }).notNull().default(now)
});

export const webhookAttempt = pgTable(
	'webhook_attempt',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		deliveryId: bigint('delivery_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => webhookDelivery.id, { onDelete: 'cascade' }),
		attemptedAt: bigint('attempted_at', { mode: 'number' }).notNull(),
		durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
		httpStatus: bigint('http_status', { mode: 'number' }),
		error: text('error').$type<Of<typeof sqlite.webhookAttempt, 'error'>>(),
		ok: boolean('ok').notNull()
	},
	(t) => [index('webhook_attempt_delivery_idx').on(t.deliveryId, t.id)]
);

export const webhookDelivery = pgTable(
	'webhook_delivery',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		webhookId: bigint('webhook_id', { mode: 'number' })
			.notNull()
			.references((): AnyPgColumn => webhook.id, { onDelete: 'cascade' }),
		event: text('event').$type<Of<typeof sqlite.webhookDelivery, 'event'>>().notNull(),
		payload: jsonb('payload').$type<Of<typeof sqlite.webhookDelivery, 'payload'>>().notNull(),
		status: text('status')
			.$type<Of<typeof sqlite.webhookDelivery, 'status'>>()
			.notNull()
			.default('pending'),
		attempts: bigint('attempts', { mode: 'number' }).notNull().default(0),
		nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull(),
		lastStatus: bigint('last_status', { mode: 'number' }),
		lastError: text('last_error').$type<Of<typeof sqlite.webhookDelivery, 'lastError'>>(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull(),
		deliveredAt: bigint('delivered_at', { mode: 'number' }),
		claimedBy: text('claimed_by').$type<Of<typeof sqlite.webhookDelivery, 'claimedBy'>>(),
		claimedUntil: bigint('claimed_until', { mode: 'number' }),
		messageId: text('message_id').$type<Of<typeof sqlite.webhookDelivery, 'messageId'>>()
	},
	(t) => [index('webhook_delivery_due_idx').on(t.status, t.nextAttemptAt)]
);
