import { and, desc, eq, inArray } from 'drizzle-orm';
import type { ActivityItem } from '../../realtime/events';
import { withdrawnItem } from '../badges/awards';
import { readQuizFeed } from '../quizzes/announce';
import { readChallengeFeed } from '../challenges/advance';
import { readActivityFeed } from '../activities/queries';
import { read, type Store, type StoreDb } from '../db/store';
import { COUNTED_SALE_STATUSES } from '../../contest/counting';

/** A person's badges withdrawn in the season, newest first, as feed items (inside a `read`). */
async function readWithdrawnBadges(tx: StoreDb, store: Store, seasonId: number, limit: number) {
	const { award, badge, ledgerEntry, seasonMember, team, user } = store.tables;
	const rows = await tx
		.select({
			id: award.id,
			userId: award.subjectId,
			userName: user.displayName,
			teamName: team.name,
			name: badge.name,
			emoji: badge.emoji,
			voidedAt: award.voidedAt
		})
		.from(award)
		.innerJoin(badge, eq(badge.id, award.badgeId))
		.innerJoin(user, eq(user.id, award.subjectId))
		.leftJoin(
			seasonMember,
			and(eq(seasonMember.seasonId, award.seasonId), eq(seasonMember.userId, award.subjectId))
		)
		.leftJoin(team, eq(team.id, seasonMember.teamId))
		.where(
			and(eq(award.seasonId, seasonId), eq(award.subjectType, 'user'), eq(award.status, 'void'))
		)
		.orderBy(desc(award.voidedAt), desc(award.id))
		.limit(limit);
	if (rows.length === 0) return [];
	const withdrawals = await tx
		.select({
			awardId: ledgerEntry.awardId,
			points: ledgerEntry.points,
			status: ledgerEntry.status
		})
		.from(ledgerEntry)
		.where(
			and(
				inArray(
					ledgerEntry.awardId,
					rows.map((r) => r.id)
				),
				eq(ledgerEntry.kind, 'badge')
			)
		);
	return withdrawnItems(seasonId, rows, withdrawals);
}

interface WithdrawnRow {
	id: number;
	userId: number;
	userName: string;
	teamName: string | null;
	name: string;
	emoji: string;
	voidedAt: number | null;
}

function withdrawnItems(
	seasonId: number,
	rows: WithdrawnRow[],
	withdrawals: { awardId: number | null; points: number; status: string }[]
) {
	return rows.map((r) => {
		const own = withdrawals.filter((w) => w.awardId === r.id && w.points < 0);
		return {
			sortAt: r.voidedAt ?? 0,
			item: {
				...withdrawnItem({
					awardId: r.id,
					seasonId,
					userId: r.userId,
					userName: r.userName,
					teamName: r.teamName ?? '',
					badge: r,
					points: own.reduce((sum, w) => sum + w.points, 0),
					provisional: own.length > 0 && own.every((w) => w.status === 'provisional'),
					at: r.voidedAt ?? 0
				}),
				badge: { name: r.name, emoji: r.emoji }
			}
		};
	});
}

type FeedEntry = { sortAt: number; item: ActivityItem };

interface SaleRow {
	id: number;
	userId: number;
	userName: string;
	teamName: string;
	points: number;
	status: string;
	at: number;
	createdAt: number;
}

/** The sales as feed items merged with the other feeds: the newest `limit`, newest first. */
function merged(
	seasonId: number,
	sales: SaleRow[],
	lines: { saleId: number; quantity: number; name: string }[],
	withdrawn: FeedEntry[],
	limit: number
): ActivityItem[] {
	const saleItems = sales.map((s) => ({
		sortAt: s.createdAt,
		item: {
			id: `sale:${s.id}`,
			seasonId,
			kind: 'sale' as const,
			userId: s.userId,
			userName: s.userName,
			teamName: s.teamName,
			summary: lines
				.filter((l) => l.saleId === s.id)
				.map((l) => `${l.quantity} × ${l.name}`)
				.join(', '),
			points: s.points,
			provisional: s.status === 'pending',
			at: s.at
		}
	}));
	// Both lists are newest first: merged by when each happened, the newest `limit` stay.
	return [...saleItems, ...withdrawn]
		.sort((a, b) => b.sortAt - a.sortAt)
		.slice(0, limit)
		.map((entry) => entry.item);
}

/**
 * The latest sales of a season, and the badges, quizzes, duels and activities around them, as
 * feed items, newest first (the same shape as live pushes), for the pages (the home board, the
 * TV, the console's overview): every feed read in one snapshot (`read`), whichever node wrote it.
 */
export async function readRecentActivity(
	store: Store,
	seasonId: number,
	limit = 15
): Promise<ActivityItem[]> {
	const { product, sale, saleLine, team, user } = store.tables;
	return read(store, async (tx) => {
		const withdrawn = [
			...(await readWithdrawnBadges(tx, store, seasonId, limit)),
			...(await readQuizFeed(tx, store, seasonId, limit)),
			...(await readChallengeFeed(tx, store, seasonId, limit)),
			...(await readActivityFeed(tx, store, seasonId, limit))
		];
		const sales = await tx
			.select({
				id: sale.id,
				userId: sale.sellerId,
				userName: user.displayName,
				teamName: team.name,
				points: sale.points,
				status: sale.status,
				at: sale.occurredAt,
				createdAt: sale.createdAt
			})
			.from(sale)
			.innerJoin(user, eq(user.id, sale.sellerId))
			.innerJoin(team, eq(team.id, sale.teamId))
			.where(and(eq(sale.seasonId, seasonId), inArray(sale.status, [...COUNTED_SALE_STATUSES])))
			.orderBy(desc(sale.createdAt), desc(sale.id))
			.limit(limit);
		if (sales.length === 0) return merged(seasonId, [], [], withdrawn, limit);
		const lines = await tx
			.select({ saleId: saleLine.saleId, quantity: saleLine.quantity, name: product.name })
			.from(saleLine)
			.innerJoin(product, eq(product.id, saleLine.productId))
			.where(
				inArray(
					saleLine.saleId,
					sales.map((s) => s.id)
				)
			)
			.orderBy(saleLine.id);
		return merged(seasonId, sales, lines, withdrawn, limit);
	});
}
