import {
	type AnyColumn,
	and,
	desc,
	eq,
	getTableColumns,
	inArray,
	or,
	sql,
	type SQL,
	type Table
} from 'drizzle-orm';
import type { Badge, Season } from '../db/schema';
import type { StepAhead } from '../badges/decide-in-write';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';
import { literal, literals, type BuiltRow } from '../db/prepared';
import { openingQuery, preparedQuery, type Store, type StoreDb, type Tables } from '../db/store';
import {
	chosenLiveMembership,
	latestLiveMembership,
	liveMembershipsOf,
	productsOfSeason,
	rulesOfSeason,
	seasonById,
	sellerByEmail,
	sellerById,
	sellersByIds,
	integrationIdsAmong,
	liveMembershipsOfOnPg,
	sellersByIdsOnPg,
	integrationIdsAmongOnPg,
	INTEGRATION_SOURCES
} from './sale-queries';
import type { CatalogueItem } from '../../contest/types';
import type { Rule } from '../../contest/rules';
import { catalogueOf, type Membership, type Product } from '../seasons/queries';
import { toEngineRule } from '../rules/engine';
import { normalizeEmail } from '../people/users';
import { activeSubscribersInWrite, type Subscribers } from '../webhooks/delivery';
import type { RecordSaleInput } from './sales';
import type { SaleRows } from './sale-rows';
import type { DayKey, DayRow } from './person-day';

/**
 * Memoised reads that do not change while sales are recorded: sellers, their live season and
 * team, the catalogue and the rules. One instance per transaction batch (a new one per sale
 * by default), so that an import does not read the same rows thousands of times.
 *
 * The reads are awaited inside a store's write or read (a group of sales, scoring/group-commit.ts;
 * an import's window), on either dialect, with the queries of sale-queries.ts.
 */
export class SaleLookups {
	private sellers = new Map<string, Seller | undefined>();
	private seasons = new Map<number | string, { season?: Season; membership?: Membership }>();
	private seasonRows = new Map<number, Season | undefined>();
	private scorings = new Map<number, Scoring>();

	/**
	 * Each read-ahead seller's person_day rows in their live season around the group's sales
	 * (readSellersAheadInWrite), by `seasonId:userId`, then by day.
	 */
	private daysAhead = new Map<string, Map<number, DayRow>>();

	/** The badge step's reads, read with the sellers (stepAhead); undefined: not read. */
	private step: StepAhead | undefined;

	private subscribers: Subscribers | undefined;
	// The integration external ids read by prefetchReplaysInWrite, and which of them have a sale.
	private replayChecked = new Set<string>();
	private replayFound = new Set<string>();

	/** The active webhooks, read once per batch. */
	async webhooksInWrite(tx: StoreDb, store: Store): Promise<Subscribers> {
		this.subscribers ??= await activeSubscribersInWrite(tx, store);
		return this.subscribers;
	}

	/** A seller by email or id (undefined: no such person). */
	async sellerInWrite(
		tx: StoreDb,
		store: Store,
		seller: RecordSaleInput['seller']
	): Promise<Seller | undefined> {
		const key = 'email' in seller ? `e:${normalizeEmail(seller.email)}` : `i:${seller.userId}`;
		if (!this.sellers.has(key)) {
			const [row] =
				'email' in seller
					? await preparedQuery(tx, store, sellerByEmail).execute({
							email: normalizeEmail(seller.email)
						})
					: await preparedQuery(tx, store, sellerById).execute({ id: seller.userId });
			this.sellers.set(key, row);
		}
		return this.sellers.get(key);
	}

	/**
	 * Reads the sellers of many sales about to be planned in one write (a group of API sales on
	 * PostgreSQL), each with their live season's row and team, their seasons' products and rules
	 * and the active webhooks, in one statement: sellerInWrite and seasonOfInWrite read each
	 * seller met for the first time in three (user, membership, season), scoringInWrite each
	 * season in two and webhooksInWrite once more, the largest share of a group's statements per
	 * sale and five of a lone sale's (docs/benchmarks.md, "A lone sale on PostgreSQL"); and which
	 * of `externalIds` have a sale, as prefetchReplaysInWrite (its note holds: ids sent once). A sale
	 * that names its season (RecordSaleInput.seasonId) still reads its membership there alone; a
	 * seller not found is remembered as such, as sellerInWrite does. With `rows`, the ids of the
	 * sales' rows are drawn in the same statement (SaleRows.takeDrawn), where they were one more:
	 * for every sale but those of `externalIds` found to have a sale.
	 */
	async readSellersAheadInWrite(
		tx: StoreDb,
		store: Store,
		inputs: readonly RecordSaleInput[],
		/** Integration external ids sent once each: which have a sale is read in the same statement. */
		externalIds: readonly string[] = [],
		rows?: SaleRows
	): Promise<void> {
		const emails = new Set<string>();
		const ids = new Set<number>();
		for (const { seller } of inputs) {
			if ('email' in seller) {
				const email = normalizeEmail(seller.email);
				if (!this.sellers.has(`e:${email}`)) emails.add(email);
			} else if (!this.sellers.has(`i:${seller.userId}`)) ids.add(seller.userId);
		}
		if (emails.size + ids.size === 0) return this.prefetchReplaysInWrite(tx, store, externalIds);
		// The write's first statement (a group's): sent with its begin, on its generic plan (db/store.ts
		// openingQuery: its custom plans cost more to plan than to run).
		const found = await openingQuery(tx, store, sellersAheadOnPg, { genericPlan: true }).execute({
			emails: [...emails],
			ids: [...ids],
			externalIds: [...externalIds],
			...(rows ? idsToDraw(inputs, externalIds) : { sales: 0, lines: 0, lineCounts: [] }),
			...daysAround(inputs)
		});
		// The replays come on one row: with none (no seller found), each sale reads its own.
		if (found.length > 0) for (const id of externalIds) this.replayChecked.add(id);
		for (const email of emails) this.sellers.set(`e:${email}`, undefined);
		for (const id of ids) this.sellers.set(`i:${id}`, undefined);
		const step: StepAhead | undefined =
			found.length > 0
				? { decision: { seasons: new Map(), held: new Map(), first: new Map() } }
				: undefined;
		for (const row of found) {
			const { seller, season, team, products, rules, webhooks, replays, drawn, days } = row;
			if (step) stepAheadOf(step, row);
			if (season && team?.teamId != null)
				this.daysAhead.set(
					`${season.id}:${seller.id}`,
					new Map((days ?? []).map(({ day, ...totals }) => [day, totals]))
				);
			for (const id of replays ?? []) this.replayFound.add(id);
			if (drawn && rows) {
				for (const ids of Object.values(drawn)) ids.sort((a, b) => a - b);
				rows.takeDrawn(drawn);
			}
			if (webhooks) this.subscribers ??= webhooks;
			if (season && products && rules && !this.scorings.has(season.id))
				this.scorings.set(season.id, scoringOf(products, rules));
			if (emails.has(seller.email)) this.sellers.set(`e:${seller.email}`, seller);
			if (ids.has(seller.id)) this.sellers.set(`i:${seller.id}`, seller);
			if (this.seasons.has(seller.id)) continue;
			if (!season || team?.teamId == null) {
				this.seasons.set(seller.id, {});
				continue;
			}
			if (!this.seasonRows.has(season.id)) this.seasonRows.set(season.id, season);
			this.seasons.set(seller.id, {
				season: this.seasonRows.get(season.id),
				membership: team as Membership
			});
		}
		// Only a read of every seller new to the group holds what the step reads of them.
		this.step = step;
	}

	/**
	 * What the group's badge step would read (its cursor and the ledger's end, the season with its
	 * badges, the first sale that counts, the once-only badges the sellers and their teams hold),
	 * as readSellersAheadInWrite read it with the sellers, before the group's rows were written;
	 * undefined when it did not.
	 */
	stepAhead(): StepAhead | undefined {
		return this.step;
	}

	/**
	 * Reads many sellers (by id) and their live season and team in two queries, where
	 * sellerInWrite and seasonOfInWrite would read each seller's twice: an import's window has
	 * hundreds of sellers. Inside a store's write or read; the ids bound as each dialect binds a
	 * list (sale-queries.ts IdList).
	 */
	async prefetchInWrite(tx: StoreDb, store: Store, userIds: Iterable<number>): Promise<void> {
		const ids = [...new Set(userIds)].filter((id) => !this.sellers.has(`i:${id}`));
		if (ids.length === 0) return;
		const onPg = store.dialect === 'postgres';
		const list = onPg ? ids : JSON.stringify(ids);
		const sellers = new Map(
			(
				await preparedQuery(tx, store, onPg ? sellersByIdsOnPg : sellersByIds).execute({
					ids: list
				})
			).map((s) => [s.id, s])
		);
		for (const id of ids) this.sellers.set(`i:${id}`, sellers.get(id));
		const rows = await preparedQuery(
			tx,
			store,
			onPg ? liveMembershipsOfOnPg : liveMembershipsOf
		).execute({ userIds: list });
		const latest = new Map<number, Omit<LiveMembershipRow, 'userId'>>();
		for (const { userId, ...row } of rows) if (!latest.has(userId)) latest.set(userId, row);
		for (const id of ids) {
			if (this.seasons.has(id)) continue;
			const row = latest.get(id);
			if (!row) {
				this.seasons.set(id, {});
				continue;
			}
			const { seasonId, ...membership } = row;
			if (!this.seasonRows.has(seasonId)) {
				const [season] = await preparedQuery(tx, store, seasonById).execute({ id: seasonId });
				this.seasonRows.set(seasonId, season);
			}
			this.seasons.set(id, { season: this.seasonRows.get(seasonId), membership });
		}
	}

	/**
	 * Reads in one query which of a window's external ids (an import's: API and import share one
	 * id space) have a sale already, so that mayBeReplay answers the window's new sales without
	 * the one indexed read per sale replayInWrite makes (~8 µs of an import's ~50 µs per sale).
	 * Note: valid while no sale with one of these ids is written, as in an import's window (its
	 * sales are held until the window's end and each id is in it once).
	 */
	async prefetchReplaysInWrite(
		tx: StoreDb,
		store: Store,
		externalIds: Iterable<string>
	): Promise<void> {
		const ids = [...new Set(externalIds)];
		if (ids.length === 0) return;
		const onPg = store.dialect === 'postgres';
		const found = await preparedQuery(
			tx,
			store,
			onPg ? integrationIdsAmongOnPg : integrationIdsAmong
		).execute({ externalIds: onPg ? ids : JSON.stringify(ids) });
		for (const { externalId } of found) this.replayFound.add(externalId);
		for (const id of ids) this.replayChecked.add(id);
	}

	/**
	 * The live season of a seller prefetchInWrite read (an import's window), without a read of its
	 * own; throws for one it did not read.
	 */
	prefetchedSeasonOf(userId: number): Season | undefined {
		const found = this.seasons.get(userId);
		if (!found) throw new Error(`seller ${userId} was not prefetched`);
		return found.season;
	}

	/**
	 * Forgets the ids prefetchReplaysInWrite read, for lookups kept from one window to the next
	 * (imports/window-lookups.ts): each window reads its own ids again, and the sets would
	 * otherwise grow with the file.
	 */
	forgetReplays(): void {
		this.replayChecked.clear();
		this.replayFound.clear();
	}

	/**
	 * The row of a sale's day as readSellersAheadInWrite read it: null when it has none, undefined
	 * when it was not read (the seller was not read ahead, or the day is in another season). The
	 * read covers each sale's local day in any time zone: the day starts at most two days before
	 * the sale.
	 */
	dayReadAhead(key: DayKey): DayRow | null | undefined {
		const days = this.daysAhead.get(`${key.seasonId}:${key.userId}`);
		return days && (days.get(key.day) ?? null);
	}

	/** False when prefetchReplaysInWrite found no sale with this id: none need be read. */
	mayBeReplay(source: RecordSaleInput['source'], externalId: string): boolean {
		if (!INTEGRATION_SOURCES.has(source) || !this.replayChecked.has(externalId)) return true;
		return this.replayFound.has(externalId);
	}

	/** True when prefetchReplaysInWrite found a sale with this id: the sale is a replay. */
	knownReplay(source: RecordSaleInput['source'], externalId: string): boolean {
		return INTEGRATION_SOURCES.has(source) && this.replayFound.has(externalId);
	}

	/** The person's live season (the most recently started, as readLiveSeasonFor) and team. */
	async seasonOfInWrite(
		tx: StoreDb,
		store: Store,
		userId: number,
		chosenSeasonId?: number
	): Promise<FoundSeason> {
		const key = chosenSeasonId == null ? userId : `${userId}:${chosenSeasonId}`;
		let found = this.seasons.get(key);
		if (!found) {
			const [row] =
				chosenSeasonId == null
					? await preparedQuery(tx, store, latestLiveMembership).execute({ userId })
					: await preparedQuery(tx, store, chosenLiveMembership).execute({
							userId,
							seasonId: chosenSeasonId
						});
			if (row) {
				const { seasonId, ...membership } = row;
				if (!this.seasonRows.has(seasonId)) {
					const [season] = await preparedQuery(tx, store, seasonById).execute({ id: seasonId });
					this.seasonRows.set(seasonId, season);
				}
				found = { season: this.seasonRows.get(seasonId), membership };
			} else found = {};
			this.seasons.set(key, found);
		}
		return found as FoundSeason;
	}

	/** What scoring a sale of the season needs: its products, catalogue and rules. */
	async scoringInWrite(tx: StoreDb, store: Store, seasonId: number): Promise<Scoring> {
		let found = this.scorings.get(seasonId);
		if (!found) {
			const products = await preparedQuery(tx, store, productsOfSeason).execute({ seasonId });
			const rules = await preparedQuery(tx, store, rulesOfSeason).execute({ seasonId });
			found = scoringOf(products, rules);
			this.scorings.set(seasonId, found);
		}
		return found;
	}
}

/**
 * readSellersAheadInWrite's statement: the users among `emails` (normalised) and `ids`, each
 * with their live season (the most recently started, as latestLiveMembership) and team there,
 * the season's whole row joined (null without one); on one row of each season its products and
 * rules, and on one row of the statement the active webhooks and which of `externalIds` have a
 * sale (null on the others: which row is PostgreSQL's choice). PostgreSQL only (the lists bound
 * as arrays).
 */
const sellersAheadOnPg = (db: StoreDb, t: Tables) => {
	const { user, season, seasonMember, team, product, rule, webhook, sale, personDay } = t;
	const { badge, award, badgeCursor, ledgerEntry } = t;
	const live = db
		.select({
			seasonId: seasonMember.seasonId,
			teamId: team.id,
			teamName: team.name,
			teamEmoji: team.emoji,
			teamColor: team.color
		})
		.from(seasonMember)
		.innerJoin(season, eq(season.id, seasonMember.seasonId))
		.innerJoin(team, eq(team.id, seasonMember.teamId))
		.where(and(eq(season.status, literal('live')), eq(seasonMember.userId, user.id)))
		.orderBy(desc(season.startsAt), desc(season.id))
		.limit(1)
		.as('live');
	return db
		.select({
			seller: { id: user.id, email: user.email, displayName: user.displayName },
			team: {
				teamId: live.teamId,
				teamName: live.teamName,
				teamEmoji: live.teamEmoji,
				teamColor: live.teamColor
			},
			season,
			// Once per season and once per statement, not on every seller's row: a group's sellers
			// mostly share one season.
			products: sql<Product[] | null>`case when row_number() over (partition by ${season.id}) = 1
				then (select ${jsonRows(product, product.id)} from ${product}
					where ${product.seasonId} = ${season.id}) end`,
			rules: sql<RuleRow[] | null>`case when row_number() over (partition by ${season.id}) = 1
				then (select ${jsonRows(rule, rule.id)} from ${rule}
					where ${rule.seasonId} = ${season.id}) end`,
			webhooks: sql<Subscribers | null>`case when row_number() over () = 1
				then (select ${jsonRows(webhook, webhook.id, ['id', 'events'])} from ${webhook}
					where ${webhook.active} = true) end`,
			// As integrationIdsAmongOnPg (sale-queries.ts).
			replays: sql<string[] | null>`case when row_number() over () = 1
				then (select coalesce(json_agg(${sale.externalId}), '[]'::json) from ${sale}
					where ${inArray(sale.source, literals([...INTEGRATION_SOURCES]))}
					and ${sale.externalId} = any(${sql.placeholder('externalIds')}::text[])) end`,
			// The seller's days around the group's sales in their live season (dayReadAhead).
			days: sql<(DayRow & { day: number })[] | null>`(select json_agg(json_build_object(
					'day', ${personDay.day}, 'sales', ${personDay.sales}, 'points', ${personDay.points},
					'quantity', ${personDay.quantity}, 'ruleAwards', ${personDay.ruleAwards}))
				from ${personDay} where ${personDay.seasonId} = ${live.seasonId}
					and ${personDay.userId} = ${user.id}
					and ${personDay.day} > ${sql.placeholder('dayFrom')}::bigint
					and ${personDay.day} <= ${sql.placeholder('dayTo')}::bigint
					and exists (select 1 from unnest(${sql.placeholder('sinces')}::bigint[],
						${sql.placeholder('untils')}::bigint[]) as r(since, until)
						where ${personDay.day} > r.since and ${personDay.day} <= r.until))`,
			// The badge step's reads (SaleLookups.stepAhead), as decideNewSales reads them: the
			// season's badges and its first sale that counts (`[]`: none) once per season; the
			// once-only badges the seller and their team hold (period key '', not void; by
			// award_season_subject_idx); the cursor and the ledger's end once.
			badges: sql<Badge[] | null>`case when row_number() over (partition by ${season.id}) = 1
				then (select ${jsonRows(badge, badge.id)} from ${badge}
					where ${badge.seasonId} = ${season.id} or ${badge.seasonId} is null) end`,
			firstSale: sql<[number, number] | [] | null>`case
				when row_number() over (partition by ${season.id}) = 1
				then coalesce((select json_build_array(${sale.occurredAt}, ${sale.id}) from ${sale}
					where ${sale.seasonId} = ${season.id}
						and ${inArray(sale.status, literals([...COUNTED_SALE_STATUSES]))}
					order by ${sale.occurredAt}, ${sale.id} limit 1), '[]'::json) end`,
			held: sql<{ user: number[]; team: number[] } | null>`(select json_build_object(
					'user', coalesce(json_agg(${award.badgeId}) filter (where ${award.subjectType} = 'user'), '[]'::json),
					'team', coalesce(json_agg(${award.badgeId}) filter (where ${award.subjectType} = 'team'), '[]'::json))
				from ${award} where ${award.seasonId} = ${live.seasonId} and ${award.periodKey} = ''
					and ${award.status} <> 'void'
					and ((${award.subjectType} = 'user' and ${award.subjectId} = ${user.id})
						or (${award.subjectType} = 'team' and ${award.subjectId} = ${live.teamId})))`,
			ledger: sql<[number | null, number | null] | null>`case when row_number() over () = 1
				then json_build_array((select ${badgeCursor.ledgerId} from ${badgeCursor}
					where ${badgeCursor.id} = 1), (select max(${ledgerEntry.id}) from ${ledgerEntry})) end`,
			// The ids of the sales' rows (readSellersAheadInWrite's `rows`), as drawIdsInWrite
			// draws them (db/many-rows.ts): once, on one row.
			drawn: sql<Record<'sale' | 'sale_line' | 'ledger_entry', number[]> | null>`case
				when row_number() over () = 1 then (select json_build_object(
					'sale', array(${nextIds('sale', sql`n.sales`)}),
					'sale_line', array(${nextIds('sale_line', sql`n.lines`)}),
					'ledger_entry', array(${nextIds('ledger_entry', sql`n.sales`)}))
				from (select ${sql.placeholder('sales')}::int - count(*)::int as sales,
					${sql.placeholder('lines')}::int - coalesce(sum(k.n), 0)::int as lines
					from unnest(${sql.placeholder('externalIds')}::text[],
						${sql.placeholder('lineCounts')}::int[]) as k(id, n)
					where exists (select 1 from ${sale} where ${inArray(sale.source, literals([...INTEGRATION_SOURCES]))}
						and ${sale.externalId} = k.id)) n) end`
		})
		.from(user)
		.leftJoinLateral(live, sql`true`)
		.leftJoin(season, eq(season.id, live.seasonId))
		.where(
			// `= any(array)` on each side, so that the two unique indexes answer it (a bitmap OR of
			// two index scans), where `in (select unnest(…))` on either side scanned every user.
			// Its generic plan (openingQuery's genericPlan) reads every user at 1,000 of them (by
			// cost: 0.1 ms) and ORs the two indexes at 21,000 (docs/benchmarks.md).
			or(
				sql`${user.email} = any(${sql.placeholder('emails')}::text[])`,
				sql`${user.id} = any(${sql.placeholder('ids')}::bigint[])`
			)
		)
		.prepare('sale_sellers_ahead_pg');
};

/** What a row of sellersAheadOnPg brings of the badge step's reads, put in `step`. */
function stepAheadOf(step: StepAhead, row: BuiltRow<typeof sellersAheadOnPg>): void {
	const { seller, season, team, badges, firstSale, held, ledger } = row;
	if (ledger) step.start = { cursorId: ledger[0], lastId: ledger[1] };
	if (!season) return;
	if (badges) step.decision.seasons.set(season.id, { s: season, badges });
	if (firstSale)
		step.decision.first.set(
			season.id,
			firstSale.length === 2 ? { occurredAt: firstSale[0], id: firstSale[1] } : null
		);
	if (held && team?.teamId != null) {
		step.decision.held.set(`${season.id}:user:${seller.id}`, held.user);
		step.decision.held.set(`${season.id}:team:${team.teamId}`, held.team);
	}
}

/** `count` ids of a table drawn from its identity sequence. */
const nextIds = (table: string, count: SQL) =>
	sql`select nextval(pg_get_serial_sequence(${sql.raw(`'${table}'`)}, 'id')) from generate_series(1, ${count})`;

/** Every day a sale of `inputs` may fall on, in any time zone (SaleLookups.dayReadAhead). */
function daysAround(inputs: readonly RecordSaleInput[]) {
	const untils = inputs.map((input) => input.occurredAt);
	const sinces = untils.map((at) => at - 2 * DAY);
	return { sinces, untils, dayFrom: Math.min(...sinces), dayTo: Math.max(...untils) };
}

const DAY = 86_400_000;

/**
 * What readSellersAheadInWrite draws: ids for every sale and line, less those of the sales of
 * `externalIds` that have a sale (replays), which the statement subtracts.
 */
function idsToDraw(inputs: readonly RecordSaleInput[], externalIds: readonly string[]) {
	const once = new Set(externalIds);
	const lineCounts = new Map<string, number>();
	let lines = 0;
	for (const input of inputs) {
		lines += input.lines.length;
		if (INTEGRATION_SOURCES.has(input.source) && once.has(input.externalId))
			lineCounts.set(input.externalId, input.lines.length);
	}
	return {
		sales: inputs.length,
		lines,
		lineCounts: externalIds.map((id) => lineCounts.get(id) ?? 0)
	};
}

/**
 * A JSON array of the rows a subquery reads from `table` (`[]` for none), ordered by `order`:
 * each row an object keyed by the columns' names in the schema, as Drizzle would map them (the
 * numbers, booleans and JSON of bigint, boolean and jsonb columns are JSON's own), or only the
 * columns `keys` names.
 */
function jsonRows(table: Table, order: AnyColumn, keys?: string[]): SQL {
	const columns = Object.entries(getTableColumns(table)).filter(
		([key]) => !keys || keys.includes(key)
	);
	const pairs = columns.map(([key, column]) => sql`${sql.raw(`'${key}'`)}, ${column}`);
	return sql`coalesce(json_agg(json_build_object(${sql.join(pairs, sql`, `)}) order by ${order}), '[]'::json)`;
}

/** What scoring a sale of a season needs: its products by SKU, its catalogue and its rules. */
function scoringOf(products: Product[], rules: RuleRow[]): Scoring {
	return {
		bySku: new Map(products.map((p) => [p.sku, p])),
		catalogue: catalogueOf(products),
		rules: rules.map(toEngineRule)
	};
}

type Scoring = {
	bySku: Map<string, Product>;
	catalogue: Map<string, CatalogueItem>;
	rules: Rule[];
};
type RuleRow = BuiltRow<typeof rulesOfSeason>;
/** A seller's live season and team there, or neither (not a member of a live season). */
type FoundSeason =
	{ season: Season; membership: Membership } | { season: undefined; membership: undefined };

interface Seller {
	id: number;
	email: string;
	displayName: string;
}
type LiveMembershipRow = BuiltRow<typeof liveMembershipsOf>;
