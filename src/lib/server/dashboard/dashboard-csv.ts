import type { DashboardData } from './figures';
import { STANDARD_SHEET, type Sheet } from '../exports/sheet-format';

// The dashboard as a spreadsheet: long-format rows (section, date, team, metric, value).

const DASHBOARD_CSV_COLUMNS = ['section', 'date', 'team', 'metric', 'value'] as const;

export interface CsvRow {
	section: 'kpi' | 'race' | 'product' | 'campaign';
	date: string;
	team: string;
	metric: string;
	value: number | string | null;
}

/** The dashboard as long-format rows: KPIs, then cumulative points per team and day, then products. */
export function dashboardCsvRows(data: DashboardData): CsvRow[] {
	const team = data.teams.find((t) => t.id === data.filters.teamId)?.name ?? 'all';
	const date = `${data.filters.from}..${data.filters.to}`;
	const kpi = (metric: string, value: number | null): CsvRow => ({
		section: 'kpi',
		date,
		team,
		metric,
		value
	});
	const { kpis, participation } = data;
	return [
		kpi('confirmedPoints', kpis.confirmedPoints),
		kpi('provisionalPoints', kpis.provisionalPoints),
		kpi('confirmedRevenueCents', kpis.revenue),
		kpi('sales', kpis.sales),
		kpi('target', kpis.target),
		kpi('percentOfTarget', kpis.percentOfTarget),
		kpi('daysLeft', kpis.daysLeft),
		kpi('members', participation.members),
		kpi('membersSoldThisWeek', participation.soldThisWeek),
		kpi('membersSoldInSeason', participation.soldInSeason),
		...data.race.teams.flatMap((t) =>
			data.race.days.map((day, i): CsvRow => ({
				section: 'race',
				date: day,
				team: t.name,
				metric: 'cumulativePoints',
				value: t.points[i]
			}))
		),
		...data.products.byPoints.flatMap((p): CsvRow[] => [
			{ section: 'product', date, team, metric: `${p.sku} points`, value: p.points },
			{ section: 'product', date, team, metric: `${p.sku} units`, value: p.units }
		]),
		...data.campaigns.flatMap((c): CsvRow[] => [
			{ section: 'campaign', date, team, metric: `${c.name} units during`, value: c.during.units },
			{ section: 'campaign', date, team, metric: `${c.name} units before`, value: c.before.units }
		])
	];
}

export function dashboardCsv(data: DashboardData, sheet: Sheet = STANDARD_SHEET): string {
	return sheet.write(
		DASHBOARD_CSV_COLUMNS,
		dashboardCsvRows(data).map((r) => [r.section, r.date, r.team, r.metric, r.value])
	);
}
