import { sql } from 'drizzle-orm';
import {
	type AnySQLiteColumn,
	sqliteTable,
	text,
	integer,
	primaryKey,
	uniqueIndex,
	index
} from 'drizzle-orm/sqlite-core';
import type { Role, TieRule, BreakdownItem, LineScore } from '../../contest/types';
import type { TokenRole } from '../auth/token-roles';
import type { MultiplierMode, RuleEffect, RuleTarget } from '../../contest/rules';
import type { BadgeCriterion } from '../../contest/badges';
import type { Tier } from '../../contest/tiers';
import type { ColumnMapping } from '../../imports/mapping';
import type { DateOrder, DecimalMark, Encoding } from '../../imports/formats';
import type { Currency, Locale } from '../../i18n/locales';

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const user = sqliteTable(
	'user',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		email: text('email').notNull().unique(),
		displayName: text('display_name').notNull(),
		role: text('role').$type<Role>().notNull().default('participant'),
		passwordHash: text('password_hash').notNull(),
		/** The organisation's own number for the person (payroll, HR), unique; null when not set. */
		employeeNumber: text('employee_number').unique(),
		/** The language the person chose on their profile (en, nl, ru, sv, pl, fr); null: follow the browser. */
		locale: text('locale').$type<Locale>(),
		createdAt: integer('created_at').notNull().default(now)
	},
	// People invited but not joined yet ('!': no usable password): a board's "of N players"
	// counts the members minus these few instead of reading every member's account.
	(t) => [
		index('user_invited_idx')
			.on(t.id)
			.where(sql`password_hash = '!'`)
	]
);

/**
 * The organisation running this instance: one row (id 1). Its default language serves whoever
 * has no choice of their own and a browser asking for none we speak; its currency is the one
 * every amount is shown and typed in.
 */
export const organisation = sqliteTable('organisation', {
	id: integer('id').primaryKey(),
	defaultLocale: text('default_locale').$type<Locale>().notNull().default('en'),
	currency: text('currency').$type<Currency>().notNull().default('EUR'),
	updatedAt: integer('updated_at').notNull().default(now)
});

export const session = sqliteTable(
	'session',
	{
		/** SHA-256 (hex) of the token the browser holds; the token itself is never stored. */
		id: text('id').primaryKey(),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		expiresAt: integer('expires_at').notNull()
	},
	(t) => [index('session_user_idx').on(t.userId)]
);

export interface SeasonTheme {
	primary: string;
	accent: string;
	emoji: string;
	tagline: string;
	banner?: string;
}

export type RankBy = 'confirmed' | 'total';

export type SeasonStatus = 'draft' | 'scheduled' | 'live' | 'ended' | 'archived';

/** One prize: for a final place, or for everyone who earns a badge. Images are data URLs. */
export interface SeasonPrize {
	title: string;
	description?: string;
	image?: string;
	place?: number;
	badgeId?: number;
}

export const season = sqliteTable(
	'season',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		/** Stable key for seeded or imported seasons (e.g. 'demo'); null for ordinary ones. */
		key: text('key').unique(),
		name: text('name').notNull(),
		theme: text('theme', { mode: 'json' }).$type<SeasonTheme>().notNull(),
		timeZone: text('time_zone').notNull().default('UTC'),
		startsAt: integer('starts_at').notNull(),
		endsAt: integer('ends_at').notNull(),
		status: text('status').$type<SeasonStatus>().notNull().default('draft'),
		tieRule: text('tie_rule').$type<TieRule>().notNull().default('competition'),
		requireConfirmation: integer('require_confirmation', { mode: 'boolean' })
			.notNull()
			.default(false),
		/** What the ranking counts: confirmed points only, or confirmed + provisional. */
		rankBy: text('rank_by').$type<RankBy>().notNull().default('confirmed'),
		/** Several multipliers on one line: the best one wins, or they multiply. */
		multiplierMode: text('multiplier_mode').$type<MultiplierMode>().notNull().default('best'),
		/** Pending sales older than this many days are confirmed by themselves; null: never. */
		autoConfirmDays: integer('auto_confirm_days'),
		/** Named levels by cumulative points; null: the default Bronze/Silver/Gold/Platinum. */
		tiers: text('tiers', { mode: 'json' }).$type<Tier[]>(),
		/** Local dates ('YYYY-MM-DD') that neither count nor break a streak. */
		holidays: text('holidays', { mode: 'json' }).$type<string[]>(),
		/** Repeat: the next season is created when this one ends. */
		recurrence: text('recurrence', { mode: 'json' }).$type<{
			every: number;
			unit: 'week' | 'month';
		}>(),
		/** Days after the end during which late confirmations still change the results. */
		graceDays: integer('grace_days').notNull().default(7),
		/** The season this one repeats (null for a first season). */
		previousSeasonId: integer('previous_season_id'),
		/** Prizes per place or badge, shown on the board and in the hall of fame. */
		prizes: text('prizes', { mode: 'json' }).$type<SeasonPrize[]>(),
		/** A live announcement shown on every board (null: none). */
		announcement: text('announcement'),
		/** When the results became final (grace period over). */
		finalizedAt: integer('finalized_at'),
		/** Target points for "% of plan"; null when the season has none. */
		target: integer('target'),
		/**
		 * Sanity ceiling on one sale's points: a sale above it is recorded but waits, pending,
		 * for a manager (sale.flagReason says why) instead of counting at once.
		 */
		maxSalePoints: integer('max_sale_points').notNull().default(100_000),
		/** Leaderboard version: bumped in every transaction that changes a standing. */
		version: integer('version').notNull().default(0),
		/**
		 * Bumped (by triggers) whenever who is on the board or how it names them changes: a
		 * membership, a team move, a team, a person's name or first sign-in. With `version` it
		 * tells the season's end that a board read outside its transaction is still the board.
		 */
		rosterVersion: integer('roster_version').notNull().default(0),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [
		index('season_status_idx').on(t.status),
		// A season is repeated at most once: the scheduler can never create two next seasons.
		uniqueIndex('season_previous_uq').on(t.previousSeasonId)
	]
);

export const team = sqliteTable(
	'team',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		color: text('color').notNull().default('#64748b'),
		emoji: text('emoji').notNull().default('⭐')
	},
	(t) => [uniqueIndex('team_season_name_uq').on(t.seasonId, t.name)]
);

export const seasonMember = sqliteTable(
	'season_member',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		teamId: integer('team_id')
			.notNull()
			.references(() => team.id),
		joinedAt: integer('joined_at').notNull().default(now)
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.userId] }), index('member_team_idx').on(t.teamId)]
);

export const product = sqliteTable(
	'product',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		sku: text('sku').notNull(),
		name: text('name').notNull(),
		category: text('category').notNull(),
		points: integer('points').notNull(),
		/** Catalogue price of one unit in cents, used as the form's default. */
		price: integer('price').notNull().default(0),
		active: integer('active', { mode: 'boolean' }).notNull().default(true)
	},
	(t) => [uniqueIndex('product_season_sku_uq').on(t.seasonId, t.sku)]
);

export type SaleStatus = 'pending' | 'approved' | 'rejected' | 'reversed';
export type SaleSource = 'web' | 'api' | 'import' | 'demo';

export const sale = sqliteTable(
	'sale',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id),
		source: text('source').$type<SaleSource>().notNull(),
		externalId: text('external_id').notNull(),
		sellerId: integer('seller_id')
			.notNull()
			.references(() => user.id),
		teamId: integer('team_id')
			.notNull()
			.references(() => team.id),
		occurredAt: integer('occurred_at').notNull(),
		/** Total in cents. */
		amount: integer('amount').notNull(),
		customerRef: text('customer_ref'),
		status: text('status').$type<SaleStatus>().notNull(),
		/** Points the sale earns now (after any recalculation); the ledger keeps the history. */
		points: integer('points').notNull(),
		/** Why the sale waits for a manager although its season needs no confirmation. */
		flagReason: text('flag_reason'),
		breakdown: text('breakdown', { mode: 'json' }).$type<LedgerBreakdown>(),
		createdById: integer('created_by_id').references(() => user.id),
		createdAt: integer('created_at').notNull().default(now),
		/** Who confirmed, rejected or reversed the sale, when and why. */
		reviewedById: integer('reviewed_by_id').references(() => user.id),
		reviewedAt: integer('reviewed_at'),
		reviewReason: text('review_reason')
	},
	(t) => [
		index('sale_season_status_idx').on(t.seasonId, t.status),
		uniqueIndex('sale_source_external_uq').on(t.source, t.externalId),
		index('sale_season_seller_idx').on(t.seasonId, t.sellerId, t.occurredAt),
		/** A person's latest sale (the team their badge points go to) as one seek (badges/facts.ts). */
		index('sale_season_seller_id_idx').on(t.seasonId, t.sellerId, t.id),
		index('sale_season_created_idx').on(t.seasonId, t.createdAt),
		index('sale_season_time_idx').on(t.seasonId, t.occurredAt),
		/** Record-sale badges: "is there an earlier sale at least this big?" without a scan. */
		index('sale_season_amount_idx').on(t.seasonId, t.amount),
		/** Team badges: a team's running total in time order, summed by SQLite (badges/probes.ts). */
		index('sale_season_team_idx').on(t.seasonId, t.teamId, t.occurredAt)
	]
);

export const saleLine = sqliteTable(
	'sale_line',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		saleId: integer('sale_id')
			.notNull()
			.references(() => sale.id, { onDelete: 'cascade' }),
		productId: integer('product_id')
			.notNull()
			.references(() => product.id),
		quantity: integer('quantity').notNull(),
		unitPrice: integer('unit_price').notNull(),
		points: integer('points').notNull()
	},
	(t) => [index('sale_line_sale_idx').on(t.saleId)]
);

/** A season's scoring rule or campaign; the pure engine in contest/scoring.ts applies it. */
export const rule = sqliteTable(
	'rule',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		active: integer('active', { mode: 'boolean' }).notNull().default(true),
		startsAt: integer('starts_at'),
		endsAt: integer('ends_at'),
		target: text('target', { mode: 'json' }).$type<RuleTarget>().notNull(),
		effect: text('effect', { mode: 'json' }).$type<RuleEffect>().notNull(),
		dailyCap: integer('daily_cap'),
		/** Shown on the honor board while the rule's window is open. */
		highlight: integer('highlight', { mode: 'boolean' }).notNull().default(true),
		createdById: integer('created_by_id').references(() => user.id),
		createdAt: integer('created_at').notNull().default(now),
		updatedAt: integer('updated_at').notNull().default(now)
	},
	(t) => [index('rule_season_idx').on(t.seasonId)]
);

export type LedgerKind =
	| 'sale'
	| 'bonus'
	| 'badge'
	| 'adjustment'
	| 'reversal'
	| 'quiz'
	| 'referral'
	| 'challenge'
	| 'activity';
export type LedgerStatus = 'provisional' | 'confirmed' | 'void';

export interface LedgerBreakdown {
	lines?: LineScore[];
	items: BreakdownItem[];
}

/** Append-only: rows are never updated except for `status`; corrections are new rows. */
export const ledgerEntry = sqliteTable(
	'ledger_entry',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id),
		/** The team at the time of the award, so moving teams never re-attributes points. */
		teamId: integer('team_id')
			.notNull()
			.references(() => team.id),
		saleId: integer('sale_id').references(() => sale.id),
		/** A badge's points (and their withdrawal) name the award they belong to. */
		awardId: integer('award_id').references((): AnySQLiteColumn => award.id),
		/** An activity's points (#17) name the activity: its type and time for contest measures. */
		activityId: integer('activity_id').references((): AnySQLiteColumn => activity.id),
		kind: text('kind').$type<LedgerKind>().notNull(),
		points: integer('points').notNull(),
		status: text('status').$type<LedgerStatus>().notNull(),
		breakdown: text('breakdown', { mode: 'json' }).$type<LedgerBreakdown>(),
		reason: text('reason'),
		createdById: integer('created_by_id').references(() => user.id),
		createdAt: integer('created_at').notNull()
	},
	(t) => [
		index('ledger_season_user_idx').on(t.seasonId, t.userId, t.createdAt),
		index('ledger_sale_idx').on(t.saleId),
		// The contest formats' period sums (formats/measure.ts) read a period's entries by time:
		// an activity's through its activity, an entry of neither a sale nor an activity (a
		// bonus, a badge, a quiz…) by when it was written. Partial: no cost on a sale's entry.
		index('ledger_activity_idx')
			.on(t.activityId)
			.where(sql`activity_id IS NOT NULL`),
		index('ledger_other_time_idx')
			.on(t.seasonId, t.createdAt)
			.where(sql`sale_id IS NULL AND activity_id IS NULL`),
		// A badge award's entries (its net, its first entry, confirmed with its sale), which
		// scanned the ledger. Partial: no cost on the entries of a sale or an activity.
		index('ledger_award_idx')
			.on(t.awardId)
			.where(sql`award_id IS NOT NULL`)
	]
);

export type SubjectType = 'user' | 'team';

/** Running totals per person and per team, kept in the ledger's transaction. */
export const standing = sqliteTable(
	'standing',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<SubjectType>().notNull(),
		subjectId: integer('subject_id').notNull(),
		confirmedPoints: integer('confirmed_points').notNull().default(0),
		provisionalPoints: integer('provisional_points').notNull().default(0),
		salesCount: integer('sales_count').notNull().default(0),
		/** When the current score was reached: the visible tie-breaker. */
		reachedAt: integer('reached_at').notNull(),
		updatedAt: integer('updated_at').notNull()
	},
	(t) => [
		primaryKey({ columns: [t.seasonId, t.subjectType, t.subjectId] }),
		// The ranking order (points desc, then who reached them first), for each rankBy: boards
		// read the top, a page or one person's rank without building the whole ranking.
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

/**
 * The dashboard's rollups, kept by SQLite triggers (see the dashboard_rollups migration) on every
 * write to sale, sale_line and ledger_entry, so that no write path has to remember them.
 * Per team and 15-minute UTC slot (every time zone's local days start on a slot): ledger points
 * that are not void, dated by their sale (else by when they were made), and the sales that still
 * stand (pending or approved), revenue from approved ones. tests/integration/dashboard-rollups.test.ts
 * compares them with a direct recompute.
 */
export const dashboardSlot = sqliteTable(
	'dashboard_slot',
	{
		seasonId: integer('season_id').notNull(),
		teamId: integer('team_id').notNull(),
		slot: integer('slot').notNull(),
		confirmed: integer('confirmed').notNull().default(0),
		provisional: integer('provisional').notNull().default(0),
		sales: integer('sales').notNull().default(0),
		revenue: integer('revenue').notNull().default(0)
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.slot, t.teamId] })]
);

/** Units and line points of the sales that still stand, per team, product and UTC day. */
export const dashboardProductDay = sqliteTable(
	'dashboard_product_day',
	{
		seasonId: integer('season_id').notNull(),
		teamId: integer('team_id').notNull(),
		productId: integer('product_id').notNull(),
		day: integer('day').notNull(),
		units: integer('units').notNull().default(0),
		points: integer('points').notNull().default(0)
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.day, t.teamId, t.productId] })]
);

/**
 * The lines of the sales that still stand, ordered by product and time: what a campaign's
 * before-and-after comparison reads (only its products, only its window).
 */
export const dashboardLine = sqliteTable(
	'dashboard_line',
	{
		seasonId: integer('season_id').notNull(),
		productId: integer('product_id').notNull(),
		occurredAt: integer('occurred_at').notNull(),
		lineId: integer('line_id').notNull(),
		saleId: integer('sale_id').notNull(),
		teamId: integer('team_id').notNull(),
		quantity: integer('quantity').notNull(),
		points: integer('points').notNull()
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.productId, t.occurredAt, t.lineId] })]
);

/**
 * What daily rules need to know about a person's local day in a season, kept with the ledger
 * (scoring/person-day.ts) so that a sale does not re-read the seller's sales of the day: the
 * counted sales (pending or approved) registered that day, their points and units, and what each
 * rule gave (JSON `{ ruleId: points }`). A missing row is filled from the sales when first asked.
 */
export const personDay = sqliteTable(
	'person_day',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		userId: integer('user_id').notNull(),
		/** Start of the local day (season's time zone), epoch ms. */
		day: integer('day').notNull(),
		sales: integer('sales').notNull().default(0),
		points: integer('points').notNull().default(0),
		quantity: integer('quantity').notNull().default(0),
		ruleAwards: text('rule_awards').notNull().default('{}')
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.userId, t.day] })]
);

// Badge facts: what the badge criteria need, kept up to date from the ledger (badges/facts.ts),
// so that deciding a badge never re-reads the season's sales. Each can be rebuilt from the sales.

/** Running totals per person, team or season: sales, points, amount, cross-sells, `cat:<name>`. */
export const badgeTally = sqliteTable(
	'badge_tally',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<SubjectType>().notNull(),
		subjectId: integer('subject_id').notNull(),
		metric: text('metric').notNull(),
		value: integer('value').notNull().default(0)
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.subjectType, t.subjectId, t.metric] })]
);

/** A person's local days with a sale (streaks), and the day's first sale. */
export const badgeDay = sqliteTable(
	'badge_day',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		userId: integer('user_id').notNull(),
		day: text('day').notNull(),
		sales: integer('sales').notNull(),
		firstAt: integer('first_at').notNull(),
		firstSaleId: integer('first_sale_id').notNull()
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.userId, t.day] })]
);

/** A person's points in an ISO week of the season's zone (weekly badges). */
export const badgeWeek = sqliteTable(
	'badge_week',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		week: text('week').notNull(),
		userId: integer('user_id').notNull(),
		sales: integer('sales').notNull(),
		points: integer('points').notNull(),
		/** The week's last sale: the weekly ranking's tie-breaker. */
		reachedAt: integer('reached_at').notNull()
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.week, t.userId] })]
);

/** A week whose weekly badges must be decided (again) once it has ended. */
export const badgePeriod = sqliteTable(
	'badge_period',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		periodKey: text('period_key').notNull(),
		endsAt: integer('ends_at').notNull(),
		/** 1 when its totals changed since it was last decided. */
		dirty: integer('dirty').notNull().default(1),
		/** The weekly badges (and tie rule) it was last decided with. */
		decidedWith: text('decided_with')
	},
	(t) => [
		primaryKey({ columns: [t.seasonId, t.periodKey] }),
		index('badge_period_due_idx').on(t.endsAt)
	]
);

/**
 * A season's record sales: those that count and are bigger than every earlier sale that counts
 * (its running maximum in time order; amounts grow strictly along it). Kept by triggers on sale
 * (drizzle/0027_badge_record_frontier.sql), so every writer keeps it; "is this sale a record?"
 * is the one entry just before the sale (badges/facts.ts isRecordSale). WITHOUT ROWID by hand.
 * No foreign key: the sale triggers empty it as a season's sales go.
 */
export const badgeRecord = sqliteTable(
	'badge_record',
	{
		seasonId: integer('season_id').notNull(),
		occurredAt: integer('occurred_at').notNull(),
		saleId: integer('sale_id').notNull(),
		amount: integer('amount').notNull()
	},
	(t) => [
		primaryKey({ columns: [t.seasonId, t.occurredAt, t.saleId] }),
		index('badge_record_amount_idx').on(t.seasonId, t.amount)
	]
);

/** How far the badge facts have read the ledger (one row). */
export const badgeCursor = sqliteTable('badge_cursor', {
	id: integer('id').primaryKey(),
	ledgerId: integer('ledger_id').notNull()
});

export const apiToken = sqliteTable('api_token', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	name: text('name').notNull(),
	/** SHA-256 (hex) of the token; the token is shown once, when created. */
	tokenHash: text('token_hash').notNull().unique(),
	/** What the token may do: integration (post sales, activities, imports; read seasons), manager, admin. */
	// The column default stays 'admin' (changing it rebuilds the table); the app always sets the role.
	role: text('role').$type<TokenRole>().notNull().default('admin'),
	createdAt: integer('created_at').notNull().default(now),
	/**
	 * The user id of the admin who created it in the console; null for the CLI. No foreign key:
	 * adding one would rebuild the table, which audit events reference.
	 */
	createdById: integer('created_by_id'),
	/** Refused from this time on (401 token_expired); null: never expires. */
	expiresAt: integer('expires_at'),
	lastUsedAt: integer('last_used_at'),
	revokedAt: integer('revoked_at')
});

export const auditEvent = sqliteTable(
	'audit_event',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		actorUserId: integer('actor_user_id').references(() => user.id),
		actorTokenId: integer('actor_token_id').references(() => apiToken.id),
		action: text('action').notNull(),
		subject: text('subject').notNull(),
		data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [index('audit_created_idx').on(t.createdAt)]
);

/** A badge managers define from a built-in criterion; seasonId null: an all-time badge. */
export const badge = sqliteTable(
	'badge',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id').references(() => season.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		emoji: text('emoji').notNull().default('🏅'),
		description: text('description').notNull().default(''),
		criterion: text('criterion', { mode: 'json' }).$type<BadgeCriterion>().notNull(),
		/** Bonus points the award adds to the ledger (0: recognition only). */
		points: integer('points').notNull().default(0),
		active: integer('active', { mode: 'boolean' }).notNull().default(true),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [index('badge_season_idx').on(t.seasonId)]
);

export type AwardStatus = 'provisional' | 'confirmed' | 'void';

/** One badge earned by a person or a team, once per period: the unique key makes replays safe. */
export const award = sqliteTable(
	'award',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		badgeId: integer('badge_id')
			.notNull()
			.references(() => badge.id, { onDelete: 'cascade' }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<SubjectType>().notNull(),
		subjectId: integer('subject_id').notNull(),
		periodKey: text('period_key').notNull().default(''),
		/** When it was earned (the deciding sale, or the end of the period). */
		earnedAt: integer('earned_at').notNull(),
		/** The sale that earned it; the award follows that sale's review. */
		saleId: integer('sale_id').references(() => sale.id),
		/** provisional while its sale waits for review; void once withdrawn. */
		status: text('status').$type<AwardStatus>().notNull().default('confirmed'),
		voidedAt: integer('voided_at'),
		createdAt: integer('created_at').notNull()
	},
	(t) => [
		uniqueIndex('award_once_uq')
			.on(t.badgeId, t.subjectType, t.subjectId, t.periodKey)
			.where(sql`status <> 'void'`),
		index('award_season_subject_idx').on(t.seasonId, t.subjectType, t.subjectId),
		/** The awards written since an instant (badges/awards-since.ts) without a scan. */
		index('award_season_created_idx').on(t.seasonId, t.createdAt),
		/** Confirming or withdrawing a sale finds its awards without a scan. */
		index('award_sale_idx').on(t.saleId)
	]
);

/** A TV screen's read-only access to one season's board, without a login. */
export const display = sqliteTable('display', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	seasonId: integer('season_id')
		.notNull()
		.references(() => season.id, { onDelete: 'cascade' }),
	name: text('name').notNull(),
	/** The language the TV shows its board in, chosen when the display is created. */
	locale: text('locale').$type<Locale>().notNull().default('en'),
	/** SHA-256 (hex) of the token in the TV's URL. */
	tokenHash: text('token_hash').notNull().unique(),
	createdAt: integer('created_at').notNull().default(now),
	lastSeenAt: integer('last_seen_at'),
	revokedAt: integer('revoked_at')
});

/** The standings frozen when a season ends, ranks as displayed; final after the grace period. */
export const seasonResult = sqliteTable(
	'season_result',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<SubjectType>().notNull(),
		subjectId: integer('subject_id').notNull(),
		name: text('name').notNull(),
		teamName: text('team_name'),
		rank: integer('rank').notNull(),
		points: integer('points').notNull(),
		provisionalPoints: integer('provisional_points').notNull(),
		salesCount: integer('sales_count').notNull(),
		frozenAt: integer('frozen_at').notNull()
	},
	(t) => [primaryKey({ columns: [t.seasonId, t.subjectType, t.subjectId] })]
);

/** Every lifecycle transition, once: the unique key is what makes the scheduler exactly-once. */
export const seasonTransition = sqliteTable(
	'season_transition',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		toStatus: text('to_status').$type<SeasonStatus>().notNull(),
		at: integer('at').notNull(),
		/** 'scheduler' or a user id as text. */
		by: text('by').notNull()
	},
	(t) => [uniqueIndex('season_transition_once_uq').on(t.seasonId, t.toStatus)]
);

/** An invitation to join a season's team; the link lets the person set a password. */
export const invite = sqliteTable('invite', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	email: text('email').notNull(),
	userId: integer('user_id')
		.notNull()
		.references(() => user.id, { onDelete: 'cascade' }),
	seasonId: integer('season_id').references(() => season.id, { onDelete: 'cascade' }),
	/** SHA-256 (hex) of the token in the invite link. */
	tokenHash: text('token_hash').notNull().unique(),
	createdById: integer('created_by_id').references(() => user.id),
	createdAt: integer('created_at').notNull(),
	expiresAt: integer('expires_at').notNull(),
	acceptedAt: integer('accepted_at'),
	/** 'invite' sets the first password; 'reset' replaces the password of an activated account. */
	purpose: text('purpose').$type<'invite' | 'reset'>().notNull().default('invite'),
	/** Set when a newer link of the person, or the use of another one, made this one void. */
	voidedAt: integer('voided_at')
});

/**
 * Failed sign-ins, counted before the password is checked: one row per account, per address and
 * per account-and-address pair (`key`), the source of the growing delays in auth/throttle.ts.
 */
export const loginThrottle = sqliteTable('login_throttle', {
	key: text('key').primaryKey(),
	failures: integer('failures').notNull(),
	lastFailureAt: integer('last_failure_at').notNull()
});

export type WebhookEvent = 'sale.confirmed' | 'badge.awarded' | 'season.ended' | 'webhook.test';

/** An admin's outgoing webhook: signed JSON POSTs for the chosen events. */
export const webhook = sqliteTable('webhook', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	url: text('url').notNull(),
	/** Shared secret for the HMAC-SHA256 signature (the receiver needs it too). */
	secret: text('secret').notNull(),
	events: text('events', { mode: 'json' }).$type<WebhookEvent[]>().notNull(),
	active: integer('active', { mode: 'boolean' }).notNull().default(true),
	createdAt: integer('created_at').notNull().default(now)
});

/** The outbox and delivery log: written in the event's transaction, sent and retried later. */
export const webhookDelivery = sqliteTable(
	'webhook_delivery',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		webhookId: integer('webhook_id')
			.notNull()
			.references(() => webhook.id, { onDelete: 'cascade' }),
		event: text('event').$type<WebhookEvent>().notNull(),
		payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
		status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: integer('next_attempt_at').notNull(),
		lastStatus: integer('last_status'),
		lastError: text('last_error'),
		createdAt: integer('created_at').notNull(),
		deliveredAt: integer('delivered_at'),
		/** The server process sending it now; another process leaves it alone until claimedUntil. */
		claimedBy: text('claimed_by'),
		claimedUntil: integer('claimed_until'),
		/** The Standard Webhooks `webhook-id`: the same on every attempt and redelivery. */
		messageId: text('message_id')
	},
	(t) => [index('webhook_delivery_due_idx').on(t.status, t.nextAttemptAt)]
);

/** Every attempt to send a delivery, kept beside it: when, how long, what came back. */
export const webhookAttempt = sqliteTable(
	'webhook_attempt',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		deliveryId: integer('delivery_id')
			.notNull()
			.references(() => webhookDelivery.id, { onDelete: 'cascade' }),
		attemptedAt: integer('attempted_at').notNull(),
		durationMs: integer('duration_ms').notNull(),
		/** The receiver's HTTP status, null when there was no answer. */
		httpStatus: integer('http_status'),
		error: text('error'),
		ok: integer('ok', { mode: 'boolean' }).notNull()
	},
	(t) => [index('webhook_attempt_delivery_idx').on(t.deliveryId, t.id)]
);

/** A lease so that only one process runs the scheduler at a time. */
export const schedulerLease = sqliteTable('scheduler_lease', {
	name: text('name').primaryKey(),
	holder: text('holder').notNull(),
	expiresAt: integer('expires_at').notNull()
});

export type User = typeof user.$inferSelect;
export type Season = typeof season.$inferSelect;
export type Session = typeof session.$inferSelect;
export type RuleRow = typeof rule.$inferSelect;
export type Sale = typeof sale.$inferSelect;
export type Badge = typeof badge.$inferSelect;
export type Award = typeof award.$inferSelect;
export type Display = typeof display.$inferSelect;

/**
 * A sales file's mapping remembered by the console, per set of headers ("Salesforce
 * opportunities"): the next upload of the same export maps itself.
 */
export const importMapping = sqliteTable('import_mapping', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	name: text('name').notNull(),
	/** The file's headers, sorted, as JSON: one mapping per set of headers. */
	headerKey: text('header_key').notNull().unique(),
	mapping: text('mapping', { mode: 'json' }).$type<ColumnMapping>().notNull(),
	dateOrder: text('date_order').$type<DateOrder>(),
	decimal: text('decimal').$type<DecimalMark>(),
	encoding: text('encoding').$type<Encoding>(),
	updatedById: integer('updated_by_id').references(() => user.id, { onDelete: 'set null' }),
	updatedAt: integer('updated_at').notNull().default(now)
});

/**
 * What reaches a person outside the app (issue #19). Every kind can be switched off per channel
 * in the person's profile; nothing is sent to someone who switched it off.
 */
export type NotificationKind =
	| 'invitation'
	| 'password_reset'
	| 'overtaken'
	| 'badge'
	| 'weekly_digest'
	| 'daily_summary'
	| 'redemption'
	| 'quiz_open';
/** How a message leaves: a mail, a web push to a phone, or a post to a team's chat channel. */
export type MessageChannel = 'email' | 'push' | 'slack' | 'teams';

/** A kind a person switched off on a channel (email or push): no row, the kind is on. */
export const notificationOptOut = sqliteTable(
	'notification_opt_out',
	{
		userId: integer('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		channel: text('channel').$type<'email' | 'push'>().notNull(),
		kind: text('kind').$type<NotificationKind>().notNull(),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [primaryKey({ columns: [t.userId, t.channel, t.kind] })]
);

/** The events an admin can post to a Slack or Teams channel. */
export type ChatEvent =
	'big_sale' | 'badge' | 'lead_change' | 'season_start' | 'season_end' | 'daily_summary';

/** An incoming-webhook URL of a Slack or Microsoft Teams channel, and what it receives. */
export const chatChannel = sqliteTable('chat_channel', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	platform: text('platform').$type<'slack' | 'teams'>().notNull(),
	/** The admin's name for it ("#sales-wins"). */
	name: text('name').notNull(),
	url: text('url').notNull(),
	events: text('events', { mode: 'json' }).$type<ChatEvent[]>().notNull(),
	/** A sale of at least this many points is a "big sale"; null: the channel's default. */
	bigSalePoints: integer('big_sale_points'),
	active: integer('active', { mode: 'boolean' }).notNull().default(true),
	createdById: integer('created_by_id').references(() => user.id, { onDelete: 'set null' }),
	createdAt: integer('created_at').notNull().default(now)
});

/**
 * Every outgoing message, whatever its channel: the outbox its sender works through (written in
 * the event's transaction, sent and retried later) and the log admins read, with the outcome.
 */
export const outgoingMessage = sqliteTable(
	'outgoing_message',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		channel: text('channel').$type<MessageChannel>().notNull(),
		kind: text('kind').notNull(),
		/** The person it is for (mail, push); null for a chat channel. */
		userId: integer('user_id').references(() => user.id, { onDelete: 'set null' }),
		chatChannelId: integer('chat_channel_id').references(() => chatChannel.id, {
			onDelete: 'cascade'
		}),
		/** Where it goes, as shown to admins: an address, a device, a channel's name. */
		recipient: text('recipient').notNull(),
		subject: text('subject').notNull(),
		/** The plain-text form, as logged. */
		body: text('body').notNull(),
		/** What the channel needs beyond the text: the HTML of a mail, a Block Kit or card body. */
		payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>(),
		/** Sends a message once only (e.g. `overtaken:42:2026-12-02`); null: no such limit. */
		dedupeKey: text('dedupe_key').unique(),
		status: text('status')
			.$type<'pending' | 'sent' | 'failed' | 'skipped'>()
			.notNull()
			.default('pending'),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: integer('next_attempt_at').notNull(),
		lastError: text('last_error'),
		createdAt: integer('created_at').notNull().default(now),
		sentAt: integer('sent_at'),
		/** The server process sending it now; another leaves it alone until claimedUntil. */
		claimedBy: text('claimed_by'),
		claimedUntil: integer('claimed_until')
	},
	(t) => [
		index('outgoing_message_due_idx').on(t.status, t.nextAttemptAt),
		index('outgoing_message_created_idx').on(t.createdAt)
	]
);

/** A phone or browser that allowed web push for a person (the Push API's subscription). */
export const pushSubscription = sqliteTable(
	'push_subscription',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		endpoint: text('endpoint').notNull().unique(),
		p256dh: text('p256dh').notNull(),
		auth: text('auth').notNull(),
		userAgent: text('user_agent'),
		createdAt: integer('created_at').notNull().default(now),
		lastSentAt: integer('last_sent_at')
	},
	(t) => [index('push_subscription_user_idx').on(t.userId)]
);

/** Secrets the server makes for itself when none is configured (the VAPID key pair). */
export const serverSecret = sqliteTable('server_secret', {
	name: text('name').primaryKey(),
	value: text('value').notNull(),
	createdAt: integer('created_at').notNull().default(now)
});

// ---------------------------------------------------------------------------------------------
// Learn, refer, redeem (#18): training quizzes, referrals and the rewards store.
// Quiz and referral points are ledger entries (kinds 'quiz' and 'referral') like every award;
// spending is recorded in `reward_redemption`, never in the ledger, so spending cannot lower a
// ranking, and a person's spendable balance is always rebuilt from the two.

/** What a season's programme adds to the points race: referral points, spending, the budget. */
export const seasonProgramme = sqliteTable('season_programme', {
	seasonId: integer('season_id')
		.primaryKey()
		.references(() => season.id, { onDelete: 'cascade' }),
	/** Points a referral earns (provisional until the customer's first confirmed sale). */
	referralPoints: integer('referral_points').notNull().default(50),
	/** Days after which an unconverted referral lapses (its provisional points void). */
	referralLapseDays: integer('referral_lapse_days').notNull().default(60),
	/** The share (0–100 %) of a person's confirmed points in the season that can be spent. */
	spendSharePercent: integer('spend_share_percent').notNull().default(100),
	/** The season's reward budget in cents of the organisation's currency; null = no budget set. */
	rewardBudgetCents: integer('reward_budget_cents'),
	/** What one point is worth in cents, for the liability of unspent points. */
	pointValueCents: integer('point_value_cents').notNull().default(1),
	updatedAt: integer('updated_at').notNull().default(now)
});

export type QuizQuestionKind = 'single' | 'multiple';

export const quiz = sqliteTable(
	'quiz',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		title: text('title').notNull(),
		intro: text('intro'),
		/** Points per correct answer on the person's first (earning) attempt. */
		pointsPerCorrect: integer('points_per_correct').notNull().default(10),
		/** The share of correct answers (0–100) that counts as passed (badge "quizzes passed"). */
		passPercent: integer('pass_percent').notNull().default(80),
		opensAt: integer('opens_at').notNull(),
		/** Null: open until the season ends. */
		closesAt: integer('closes_at'),
		/** Null while a draft; reps see a quiz once it is published and open. */
		publishedAt: integer('published_at'),
		/** When the board and push announced it (once). */
		announcedAt: integer('announced_at'),
		createdById: integer('created_by_id').references(() => user.id),
		createdAt: integer('created_at').notNull().default(now),
		updatedAt: integer('updated_at').notNull().default(now)
	},
	(t) => [index('quiz_season_idx').on(t.seasonId, t.opensAt)]
);

export const quizQuestion = sqliteTable(
	'quiz_question',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		quizId: integer('quiz_id')
			.notNull()
			.references(() => quiz.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
		kind: text('kind').$type<QuizQuestionKind>().notNull(),
		prompt: text('prompt').notNull(),
		pictureUrl: text('picture_url'),
		explanation: text('explanation')
	},
	(t) => [index('quiz_question_quiz_idx').on(t.quizId, t.position)]
);

export const quizOption = sqliteTable(
	'quiz_option',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		questionId: integer('question_id')
			.notNull()
			.references(() => quizQuestion.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
		label: text('label').notNull(),
		correct: integer('correct', { mode: 'boolean' }).notNull().default(false)
	},
	(t) => [index('quiz_option_question_idx').on(t.questionId, t.position)]
);

/** Chosen option ids per question id. */
export type QuizAnswers = Record<string, number[]>;

export const quizAttempt = sqliteTable(
	'quiz_attempt',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		quizId: integer('quiz_id')
			.notNull()
			.references(() => quiz.id, { onDelete: 'cascade' }),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id),
		answers: text('answers', { mode: 'json' }).$type<QuizAnswers>().notNull(),
		correctCount: integer('correct_count').notNull(),
		questionCount: integer('question_count').notNull(),
		passed: integer('passed', { mode: 'boolean' }).notNull(),
		/** The first attempt earns (points may be 0); retries are for learning only. */
		earning: integer('earning', { mode: 'boolean' }).notNull(),
		points: integer('points').notNull().default(0),
		ledgerEntryId: integer('ledger_entry_id').references(() => ledgerEntry.id),
		/** The form's one-time id: a double-click or a resend is the same attempt. */
		requestId: text('request_id').unique(),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [
		index('quiz_attempt_quiz_user_idx').on(t.quizId, t.userId),
		index('quiz_attempt_user_idx').on(t.userId, t.createdAt),
		/** Points once per person per quiz, whatever races. */
		uniqueIndex('quiz_attempt_earning_uq')
			.on(t.quizId, t.userId)
			.where(sql`earning = 1`)
	]
);

export type ReferralStatus = 'open' | 'confirmed' | 'lapsed' | 'rejected';

export const referral = sqliteTable(
	'referral',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		referrerId: integer('referrer_id')
			.notNull()
			.references(() => user.id),
		customerName: text('customer_name').notNull(),
		/** The customer's reference as typed (customer number, VAT id, e-mail…). */
		customerRef: text('customer_ref'),
		/** The reference normalised for matching sales' `customer_ref` and finding duplicates. */
		customerKey: text('customer_key'),
		contact: text('contact'),
		note: text('note'),
		status: text('status').$type<ReferralStatus>().notNull().default('open'),
		points: integer('points').notNull(),
		ledgerEntryId: integer('ledger_entry_id').references(() => ledgerEntry.id),
		/** An earlier referral of the same customer: flagged for the manager. */
		duplicateOfId: integer('duplicate_of_id').references((): AnySQLiteColumn => referral.id),
		matchedSaleId: integer('matched_sale_id').references(() => sale.id),
		expiresAt: integer('expires_at').notNull(),
		decidedById: integer('decided_by_id').references(() => user.id),
		decidedAt: integer('decided_at'),
		decisionReason: text('decision_reason'),
		requestId: text('request_id').unique(),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [
		index('referral_season_key_idx').on(t.seasonId, t.customerKey),
		index('referral_key_status_idx').on(t.customerKey, t.status),
		index('referral_status_expiry_idx').on(t.status, t.expiresAt),
		index('referral_referrer_idx').on(t.referrerId, t.createdAt)
	]
);

export const reward = sqliteTable('reward', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	name: text('name').notNull(),
	description: text('description'),
	pictureUrl: text('picture_url'),
	pricePoints: integer('price_points').notNull(),
	/** What one costs the organisation, in cents: what the budget counts. */
	costCents: integer('cost_cents').notNull().default(0),
	/** Items left; null = unlimited. Taken when requested, given back when rejected. */
	stock: integer('stock'),
	/** How many one person may redeem (not rejected); null = no limit. */
	perPersonLimit: integer('per_person_limit'),
	active: integer('active', { mode: 'boolean' }).notNull().default(true),
	createdAt: integer('created_at').notNull().default(now),
	updatedAt: integer('updated_at').notNull().default(now)
});

/** The seasons whose points can buy a reward; no row: every season. */
export const rewardSeason = sqliteTable(
	'reward_season',
	{
		rewardId: integer('reward_id')
			.notNull()
			.references(() => reward.id, { onDelete: 'cascade' }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' })
	},
	(t) => [primaryKey({ columns: [t.rewardId, t.seasonId] })]
);

export type RedemptionStatus = 'pending' | 'approved' | 'rejected' | 'fulfilled';

export const rewardRedemption = sqliteTable(
	'reward_redemption',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		rewardId: integer('reward_id')
			.notNull()
			.references(() => reward.id),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id),
		/** The season whose points pay, and whose budget counts the cost. */
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id),
		points: integer('points').notNull(),
		costCents: integer('cost_cents').notNull(),
		status: text('status').$type<RedemptionStatus>().notNull().default('pending'),
		/** The form's one-time id: a double-click or a resend is the same redemption. */
		requestId: text('request_id').unique(),
		decidedById: integer('decided_by_id').references(() => user.id),
		decidedAt: integer('decided_at'),
		reason: text('reason'),
		fulfilledById: integer('fulfilled_by_id').references(() => user.id),
		fulfilledAt: integer('fulfilled_at'),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [
		index('redemption_season_user_idx').on(t.seasonId, t.userId, t.status),
		index('redemption_reward_idx').on(t.rewardId, t.status),
		index('redemption_status_idx').on(t.status, t.createdAt)
	]
);

// ---- #17 sprints / knockouts ----

/** `cancelled`: stopped by a manager once it had started; it shows nowhere and gives nothing. */
export type SprintStatus = 'scheduled' | 'live' | 'won' | 'expired' | 'final' | 'cancelled';

/**
 * A sprint ("first to N"): within a season, the first person or team whose measure, counted from
 * `startsAt`, reaches `target` wins. It ends at the winner or at `endsAt`. Until it is final
 * (the season's graceDays after it ended) the outcome is decided again from the ledger, so a
 * late confirmation or a reversal can change the winner or reopen the race.
 */
export const sprint = sqliteTable(
	'sprint',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		subject: text('subject').$type<SubjectType>().notNull(),
		/** What counts, as a measure key (contest/measure.ts): "points", "category:Phones"… */
		measure: text('measure').notNull(),
		target: integer('target').notNull(),
		startsAt: integer('starts_at').notNull(),
		endsAt: integer('ends_at').notNull(),
		/** What the winner gets (shown on the card, the page and the TV); null: glory only. */
		prize: text('prize'),
		status: text('status').$type<SprintStatus>().notNull().default('scheduled'),
		/** The first to reach the target (null while nobody has, or after an expiry). */
		winnerId: integer('winner_id'),
		/** When the winner's measure reached the target: the instant of the crossing entry. */
		reachedAt: integer('reached_at'),
		/** Set once, with status 'final', when the grace period is over: the result is frozen. */
		finalizedAt: integer('finalized_at'),
		/** The console form's one-time id: a double submit creates one sprint. */
		requestId: text('request_id').unique(),
		createdById: integer('created_by_id').references(() => user.id),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [index('sprint_season_idx').on(t.seasonId, t.status)]
);

/** `cancelled`: stopped by a manager once it had started; it shows nowhere and gives nothing. */
export type KnockoutStatus = 'scheduled' | 'live' | 'final' | 'cancelled';
export type RoundUnit = 'day' | 'hour';

/**
 * A knockout tournament: up to `size` people or teams, seeded by the season's ranking when it
 * starts, paired 1 v last in standard bracket order (byes to the top seeds), one round per
 * fixed period. A round's winners are decided again until `graceHours` after its end, then
 * frozen (`roundsFrozen`), which fills the next round's pairings.
 */
export const knockout = sqliteTable(
	'knockout',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		subject: text('subject').$type<SubjectType>().notNull(),
		/** The most entrants (4–64); fewer when the season has fewer players. */
		size: integer('size').notNull(),
		/** What wins a pairing, as a measure key (contest/measure.ts). */
		measure: text('measure').notNull(),
		/** Each round lasts `roundLength` days (local, DST safe) or hours. */
		roundLength: integer('round_length').notNull(),
		roundUnit: text('round_unit').$type<RoundUnit>().notNull().default('day'),
		/** Hours after a round's end during which late confirmations and reversals still count. */
		graceHours: integer('grace_hours').notNull().default(2),
		startsAt: integer('starts_at').notNull(),
		prize: text('prize'),
		status: text('status').$type<KnockoutStatus>().notNull().default('scheduled'),
		/** When the entrants were seeded from the ranking (the first round's start, once). */
		seededAt: integer('seeded_at'),
		/** How many rounds are decided for good; advanced only from its previous value. */
		roundsFrozen: integer('rounds_frozen').notNull().default(0),
		winnerId: integer('winner_id'),
		finalizedAt: integer('finalized_at'),
		requestId: text('request_id').unique(),
		createdById: integer('created_by_id').references(() => user.id),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [index('knockout_season_idx').on(t.seasonId, t.status)]
);

/**
 * The members of the team that won a sprint, as they were when the result was frozen (status
 * 'final', same transaction): each counts the win toward their "sprints won" badges, and a later
 * move or a badge created afterwards sees the same people.
 */
export const sprintWinMember = sqliteTable(
	'sprint_win_member',
	{
		sprintId: integer('sprint_id')
			.notNull()
			.references(() => sprint.id, { onDelete: 'cascade' }),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		teamId: integer('team_id')
			.notNull()
			.references(() => team.id)
	},
	(t) => [
		primaryKey({ columns: [t.sprintId, t.userId] }),
		index('sprint_win_member_user_idx').on(t.userId)
	]
);

/**
 * One pairing of a knockout: round 0 is the first; `slot` orders the pairings of a round, and
 * the winner of slot s moves to slot s/2 of the next round (side a when s is even). `bId` null
 * in round 0 is a bye (a wins at seeding); in later rounds a null side waits for its winner.
 * Values and winner are written when the round is frozen (the view computes them live before).
 */
export const knockoutMatch = sqliteTable(
	'knockout_match',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		knockoutId: integer('knockout_id')
			.notNull()
			.references(() => knockout.id, { onDelete: 'cascade' }),
		round: integer('round').notNull(),
		slot: integer('slot').notNull(),
		aId: integer('a_id'),
		bId: integer('b_id'),
		/** Seeds (1 = best) of a and b, the tie-breaker. */
		aSeed: integer('a_seed'),
		bSeed: integer('b_seed'),
		aValue: integer('a_value'),
		bValue: integer('b_value'),
		winnerId: integer('winner_id'),
		decidedAt: integer('decided_at')
	},
	(t) => [uniqueIndex('knockout_match_slot_uq').on(t.knockoutId, t.round, t.slot)]
);

/** The members of the team that won a knockout when its final was frozen (as sprintWinMember). */
export const knockoutWinMember = sqliteTable(
	'knockout_win_member',
	{
		knockoutId: integer('knockout_id')
			.notNull()
			.references(() => knockout.id, { onDelete: 'cascade' }),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		teamId: integer('team_id')
			.notNull()
			.references(() => team.id)
	},
	(t) => [
		primaryKey({ columns: [t.knockoutId, t.userId] }),
		index('knockout_win_member_user_idx').on(t.userId)
	]
);

export type Sprint = typeof sprint.$inferSelect;
export type Knockout = typeof knockout.$inferSelect;
export type KnockoutMatch = typeof knockoutMatch.$inferSelect;

// ---- #17 divisions ----
// Divisions (#17): a season's people split into leagues that each rank on their own, so that
// small dealers never compete with the giants. Division 1 is the top; at the end of a season
// that repeats, the top `promote` of each division move up one and the bottom `relegate` move
// down one in the next season (divisions/carry.ts, in the scheduler's end-of-season transaction).

export const division = sqliteTable(
	'division',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		/** 1 = the top division, then 2, 3…: the order promotion climbs. */
		position: integer('position').notNull(),
		/** How many of this division move up one at the season's end (none from the top). */
		promote: integer('promote').notNull().default(0),
		/** How many of this division move down one at the season's end (none from the bottom). */
		relegate: integer('relegate').notNull().default(0),
		/** The division's own prizes, per final place in the division. */
		prizes: text('prizes', { mode: 'json' }).$type<SeasonPrize[]>(),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [
		uniqueIndex('division_season_position_uq').on(t.seasonId, t.position),
		uniqueIndex('division_season_name_uq').on(t.seasonId, t.name)
	]
);

export type DivisionPlacedBy = 'tier' | 'last_place' | 'hand' | 'carry';

/** Who is in which division of a season: one division per person per season. */
export const divisionMember = sqliteTable(
	'division_member',
	{
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		divisionId: integer('division_id')
			.notNull()
			.references(() => division.id, { onDelete: 'cascade' }),
		/** How the person got here: placed by tier or last place, moved by hand, or carried over. */
		placedBy: text('placed_by').$type<DivisionPlacedBy>().notNull(),
		updatedAt: integer('updated_at').notNull().default(now)
	},
	(t) => [
		primaryKey({ columns: [t.seasonId, t.userId] }),
		index('division_member_division_idx').on(t.divisionId)
	]
);

// ---- #17 quotas ----

/**
 * A person's or a team's target points for a season (quota attainment, #17): boards can rank by
 * points / target instead of raw points, the fair ranking for territories of different size.
 */
export const quota = sqliteTable(
	'quota',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		subjectType: text('subject_type').$type<SubjectType>().notNull(),
		/** A user id or a team id, as `subjectType` says. */
		subjectId: integer('subject_id').notNull(),
		/** Target points, counted the way the season ranks (rankBy); always above zero. */
		targetPoints: integer('target_points').notNull(),
		setById: integer('set_by_id').references(() => user.id),
		updatedAt: integer('updated_at').notNull().default(now)
	},
	(t) => [uniqueIndex('quota_subject_uq').on(t.seasonId, t.subjectType, t.subjectId)]
);

// ---- #17 challenges ----
// Head-to-head challenges ("duels"): two people or two teams compare one measure
// (contest/measure.ts) over a period; the outcome is read from the ledger (formats/measure.ts)
// and frozen once the season's grace days after the period are over.

export type ChallengeStatus =
	'proposed' | 'accepted' | 'declined' | 'cancelled' | 'expired' | 'live' | 'finished' | 'final';

export const challenge = sqliteTable(
	'challenge',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		/** A duel between two people ('user') or two teams ('team'). */
		subjectType: text('subject_type').$type<SubjectType>().notNull(),
		/** The person or team that challenges (for a manager's pairing: the first of the pair). */
		challengerId: integer('challenger_id').notNull(),
		opponentId: integer('opponent_id').notNull(),
		/** What is compared, as a measure key (contest/measure.ts): points, sales, category:… */
		measure: text('measure').notNull(),
		/** The period compared, [from, to) in epoch ms (a preset is resolved in the season's zone). */
		periodFrom: integer('period_from').notNull(),
		periodTo: integer('period_to').notNull(),
		/** Points the winner receives from the season's stake budget at final; 0: no stake. */
		stakePoints: integer('stake_points').notNull().default(0),
		status: text('status').$type<ChallengeStatus>().notNull(),
		/** A proposal not answered by then expires (before the start, or within 24 h). */
		answerBy: integer('answer_by').notNull(),
		/** Frozen at final: each side's value of the measure over the period. */
		challengerValue: integer('challenger_value'),
		opponentValue: integer('opponent_value'),
		/** Frozen at final: the winner (challenger or opponent id); null for a draw or before final. */
		winnerId: integer('winner_id'),
		/** The stake paid to the winner (kind 'challenge'), written in the finalising transaction. */
		payoutEntryId: integer('payout_entry_id').references(() => ledgerEntry.id),
		/**
		 * The challenger for a rep's challenge; the manager for one they created or paired; null
		 * for a duel an API token created (the audit event names the token).
		 */
		createdById: integer('created_by_id').references(() => user.id),
		/** Who accepted, declined or cancelled (null for a manager's duel, accepted at once). */
		decidedById: integer('decided_by_id').references(() => user.id),
		decidedAt: integer('decided_at'),
		/** When the period ended and the result was first announced (not yet frozen). */
		finishedAt: integer('finished_at'),
		/** When the result was frozen (grace period over): nothing changes it afterwards. */
		finalizedAt: integer('finalized_at'),
		/** The form's one-time id: a double tap or a resend is the same challenge. */
		requestId: text('request_id').unique(),
		createdAt: integer('created_at').notNull().default(now)
	},
	(t) => [
		index('challenge_season_status_idx').on(t.seasonId, t.status),
		index('challenge_status_idx').on(t.status)
	]
);

/** A season's challenge settings (no row: no stake budget, so stakes are off). */
export const challengeSettings = sqliteTable('challenge_settings', {
	seasonId: integer('season_id')
		.primaryKey()
		.references(() => season.id, { onDelete: 'cascade' }),
	/** Points the season's duels may pay out as stakes in all (held by open duels, paid at final). */
	stakeBudgetPoints: integer('stake_budget_points').notNull().default(0),
	updatedAt: integer('updated_at').notNull().default(now)
});

/**
 * The members of the team that won a team duel, as they were when the result was frozen (status
 * 'final', same transaction; as sprintWinMember): each counts the win toward their "duels won"
 * badges, and a later move or a badge created afterwards sees the same people.
 */
export const challengeWinMember = sqliteTable(
	'challenge_win_member',
	{
		challengeId: integer('challenge_id')
			.notNull()
			.references(() => challenge.id, { onDelete: 'cascade' }),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id, { onDelete: 'cascade' }),
		teamId: integer('team_id')
			.notNull()
			.references(() => team.id)
	},
	(t) => [
		primaryKey({ columns: [t.challengeId, t.userId] }),
		index('challenge_win_member_user_idx').on(t.userId)
	]
);

export type Challenge = typeof challenge.$inferSelect;

// ---- #17 activities ----
// Activities beyond sales: calls, visits, demos… Managers define a season's activity types with
// points per unit; a logged activity appends one ledger entry (kind 'activity', naming it by
// activity_id) so it counts in the standings, the feed and every contest format's measures.

/** A kind of activity a season rewards, e.g. `call` worth 2 points each. */
export const activityType = sqliteTable(
	'activity_type',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id, { onDelete: 'cascade' }),
		/** The stable name integrations send (`call`, `visit`): lower case, unique per season. */
		key: text('key').notNull(),
		/** What people see: "Customer call". */
		name: text('name').notNull(),
		/** Points per unit: an activity of quantity 3 earns 3 × this. */
		points: integer('points').notNull(),
		/** One emoji for the type's button and the feed. */
		emoji: text('emoji').notNull().default('✅'),
		/** An inactive type is kept (its activities still count) but nobody can log it any more. */
		active: integer('active', { mode: 'boolean' }).notNull().default(true),
		createdAt: integer('created_at').notNull().default(now),
		updatedAt: integer('updated_at').notNull().default(now)
	},
	(t) => [uniqueIndex('activity_type_season_key_uq').on(t.seasonId, t.key)]
);

export type ActivitySource = 'web' | 'api' | 'import' | 'demo';
export type ActivityStatus = 'counted' | 'void';

/** One logged activity and the points it earned (its ledger entry holds the same points). */
export const activity = sqliteTable(
	'activity',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		seasonId: integer('season_id')
			.notNull()
			.references(() => season.id),
		userId: integer('user_id')
			.notNull()
			.references(() => user.id),
		/** The person's team when it was logged, like a sale's. */
		teamId: integer('team_id')
			.notNull()
			.references(() => team.id),
		typeId: integer('type_id')
			.notNull()
			.references(() => activityType.id),
		quantity: integer('quantity').notNull(),
		/** When it happened (the API's and the import's occurredAt; the form's is the clock's). */
		occurredAt: integer('occurred_at').notNull(),
		source: text('source').$type<ActivitySource>().notNull(),
		/**
		 * The idempotency key. The API and CSV imports share one id space (like sales): the same
		 * CRM id sent by either is the same activity. The /sell form's is `<userId>:<requestId>`.
		 */
		externalId: text('external_id').notNull(),
		/** Counted (its points are confirmed in the ledger), or void: a compensating entry took them. */
		status: text('status').$type<ActivityStatus>().notNull().default('counted'),
		/** What it earned when it was logged: quantity × the type's points, then the season's rules. */
		points: integer('points').notNull(),
		/**
		 * Why: the base item and each rule's item (`ruleId`), as a sale's. Missing on activities
		 * logged before rules applied to activities (they earned the base alone).
		 */
		breakdown: text('breakdown', { mode: 'json' }).$type<LedgerBreakdown>(),
		ledgerEntryId: integer('ledger_entry_id').references(() => ledgerEntry.id),
		createdById: integer('created_by_id').references(() => user.id),
		createdAt: integer('created_at').notNull().default(now),
		/** Who voided it, when and why (a manager's or an admin's token: no person). */
		voidedById: integer('voided_by_id').references(() => user.id),
		voidedAt: integer('voided_at'),
		voidReason: text('void_reason')
	},
	(t) => [
		uniqueIndex('activity_source_external_uq').on(t.source, t.externalId),
		index('activity_season_time_idx').on(t.seasonId, t.occurredAt),
		index('activity_season_created_idx').on(t.seasonId, t.createdAt),
		index('activity_user_idx').on(t.userId, t.typeId)
	]
);

/**
 * A file sent to an import, kept in the database so that any node can read it and a job that a
 * crash or restart interrupted can read it again. Written in chunks as it arrives (never whole
 * in memory); removed when its job has finished, or with the expired jobs if no job took it.
 */
export const importUpload = sqliteTable('import_upload', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	bytes: integer('bytes').notNull().default(0),
	createdAt: integer('created_at').notNull()
});

/**
 * One chunk of an upload, base64 (PostgreSQL's schema here has no binary column, and the bytes
 * must stay as sent: the import finds their encoding).
 */
export const importUploadChunk = sqliteTable(
	'import_upload_chunk',
	{
		uploadId: integer('upload_id')
			.notNull()
			.references(() => importUpload.id, { onDelete: 'cascade' }),
		seq: integer('seq').notNull(),
		data: text('data').notNull()
	},
	(t) => [primaryKey({ columns: [t.uploadId, t.seq] })]
);

export type ImportJobStatus = 'running' | 'done' | 'failed';

/**
 * A sales import running in the background (imports/jobs.ts): its owner, what it reads and how,
 * its progress and checkpoint (written in each window's transaction), its report, and which
 * process runs it (the holder renews `heartbeat_at`; a job whose heartbeat is older than the
 * lease is taken over and resumed by another process).
 */
export const importJob = sqliteTable(
	'import_job',
	{
		id: text('id').primaryKey(),
		/** Who started it: a person or an API token (exactly one of the two). */
		ownerUserId: integer('owner_user_id').references(() => user.id, { onDelete: 'cascade' }),
		ownerTokenId: integer('owner_token_id').references(() => apiToken.id, {
			onDelete: 'cascade'
		}),
		dryRun: integer('dry_run', { mode: 'boolean' }).notNull(),
		exclusive: integer('exclusive', { mode: 'boolean' }).notNull(),
		/** How to read the file: mapping, date order, decimal mark, encoding, language, batch size. */
		options: text('options', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
		uploadId: integer('upload_id').references(() => importUpload.id, { onDelete: 'set null' }),
		status: text('status').$type<ImportJobStatus>().notNull(),
		/** Data rows handled (committed) so far, and in the file. */
		done: integer('done').notNull().default(0),
		total: integer('total').notNull().default(0),
		/** Where a resumed run starts: the totals and counts so far, through row `done`. */
		checkpoint: text('checkpoint', { mode: 'json' }).$type<Record<string, unknown>>(),
		/**
		 * The report's first errors and results as of the checkpoint: apart, because they stop
		 * changing once full (after a few windows), and a window then need not write them again.
		 */
		kept: text('kept', { mode: 'json' }).$type<Record<string, unknown>>(),
		/** The finished report (without the full error list: that is import_job_error). */
		report: text('report', { mode: 'json' }).$type<Record<string, unknown>>(),
		error: text('error'),
		/** A failure the owner caused (a file that is not text): status, code and details. */
		failure: text('failure', { mode: 'json' }).$type<Record<string, unknown>>(),
		startedAt: integer('started_at').notNull(),
		finishedAt: integer('finished_at'),
		holder: text('holder'),
		heartbeatAt: integer('heartbeat_at')
	},
	(t) => [
		index('import_job_status_idx').on(t.status, t.heartbeatAt),
		index('import_job_finished_idx').on(t.finishedAt)
	]
);

/** Every error of a job's file as CSV lines, one chunk per window (the download). */
export const importJobError = sqliteTable(
	'import_job_error',
	{
		jobId: text('job_id')
			.notNull()
			.references(() => importJob.id, { onDelete: 'cascade' }),
		seq: integer('seq').notNull(),
		csv: text('csv').notNull()
	},
	(t) => [primaryKey({ columns: [t.jobId, t.seq] })]
);
