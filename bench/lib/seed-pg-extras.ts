// What bench/lib/seed-sales.ts does not write, added on PostgreSQL after `migrate-to` copied its
// file there (bench/pg-read-ahead-plan.ts): a `person_day` row per seller and day they sold (the
// day cut at UTC midnight: the count of rows, not their time zone, is what a plan sees), and the
// season's badges with awards for some of its people and teams: once-only ones (period key '')
// for most sellers and every team, weekly ones for each seller and week they sold in.
import type { Pool } from 'pg';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

export async function seedDaysAndAwardsOnPg(pool: Pool): Promise<Record<string, number>> {
	await pool.query(`insert into person_day (season_id, user_id, day, sales, points, quantity)
		select s.season_id, s.seller_id, (s.occurred_at / ${DAY}) * ${DAY}, count(*), sum(s.points),
			count(*)
		from sale s where s.status in ('approved', 'pending')
		group by 1, 2, 3 on conflict do nothing`);
	// Five once-only badges (the first sale, 10 / 50 / 100 / 200 sales) and a weekly one.
	const { rows: badges } = await pool.query<{ id: number; once: boolean }>(
		`insert into badge (season_id, name, criterion, points)
		select s.id, b.name, b.criterion::jsonb, 5 from season s, (values
			('First', '{"kind":"first_sale"}'),
			('Ten', '{"kind":"sales_count","count":10}'),
			('Fifty', '{"kind":"sales_count","count":50}'),
			('Hundred', '{"kind":"sales_count","count":100}'),
			('Two hundred', '{"kind":"sales_count","count":200}'),
			('Week', '{"kind":"top_k_week","k":3}')) as b(name, criterion)
		returning id, criterion->>'kind' <> 'top_k_week' as once`
	);
	const once = badges.filter((b) => b.once).map((b) => b.id);
	const weekly = badges.filter((b) => !b.once).map((b) => b.id);
	const counts = [1, 10, 50, 100, 200];
	// A seller holds each once-only badge whose count they reached; a team each of them.
	await pool.query(
		`insert into award (badge_id, season_id, subject_type, subject_id, period_key, earned_at,
			status, created_at)
		select b.id, n.season_id, 'user', n.seller_id, '', n.last, 'confirmed', n.last
		from (select season_id, seller_id, count(*) as sales, max(occurred_at) as last from sale
			group by 1, 2) n
		join unnest($1::bigint[], $2::int[]) as b(id, count) on n.sales >= b.count
		union all
		select b.id, t.season_id, 'team', t.id, '', 0, 'confirmed', 0
		from team t, unnest($1::bigint[]) as b(id)`,
		[once, counts]
	);
	// The weekly badge: each seller for each week they sold in (most sellers sell most weeks).
	await pool.query(
		`insert into award (badge_id, season_id, subject_type, subject_id, period_key, earned_at,
			status, created_at)
		select $1, season_id, 'user', seller_id, 'w' || (occurred_at / ${WEEK}), max(occurred_at),
			'confirmed', max(occurred_at)
		from sale group by season_id, seller_id, occurred_at / ${WEEK}`,
		[weekly[0]]
	);
	await pool.query('analyze');
	const { rows } = await pool.query<{ t: string; n: number }>(
		`select 'person_day' as t, count(*)::int as n from person_day
		union all select 'award', count(*)::int from award
		union all select 'badge', count(*)::int from badge`
	);
	return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}
