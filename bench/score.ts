// Throughput of the pure scoring engine: a 50-rule season, a 200-product catalogue and
// 200,000 generated sales. Run with `tsx bench/score.ts [sales] [runs]`.
import { localDateWindow } from '../src/lib/contest/rules';
import { score, type ScoreContext } from '../src/lib/contest/scoring';
import type { Rule } from '../src/lib/contest/rules';
import type { CatalogueItem, SaleInput } from '../src/lib/contest/types';
import { mulberry32 } from '../src/lib/seeded-random';

const SALES = Number(process.argv[2] ?? 200_000);
const RUNS = Number(process.argv[3] ?? 5);
const TIME_ZONE = 'Europe/Warsaw';
const SEASON = localDateWindow('2026-03-01', '2026-03-31', TIME_ZONE);
const DAY = 86_400_000;

// Seeded so that every run scores the same sales and prints the same checksum.
const random = mulberry32(2026);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

const CATEGORIES = [
	{ name: 'phone', points: [80, 200], price: [30_000, 150_000] },
	{ name: 'laptop', points: [150, 400], price: [80_000, 300_000] },
	{ name: 'tablet', points: [60, 150], price: [25_000, 120_000] },
	{ name: 'audio', points: [20, 80], price: [5_000, 40_000] },
	{ name: 'wearable', points: [30, 90], price: [10_000, 60_000] },
	{ name: 'accessory', points: [2, 15], price: [500, 6_000] },
	{ name: 'service', points: [10, 50], price: [2_000, 20_000] },
	{ name: 'insurance', points: [15, 40], price: [3_000, 15_000] }
] as const;

const products: (CatalogueItem & { price: number })[] = CATEGORIES.flatMap((category) =>
	Array.from({ length: 25 }, (_, i) => ({
		sku: `${category.name.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(3, '0')}`,
		name: `${category.name} model ${i + 1}`,
		category: category.name,
		points: int(category.points[0], category.points[1]),
		active: true,
		price: int(category.price[0], category.price[1])
	}))
);
const catalogue = new Map<string, CatalogueItem>(products.map((p) => [p.sku, p]));
const bigTicket = CATEGORIES.slice(0, 5).map((c) => c.name);

function window(): Pick<Rule, 'startsAt' | 'endsAt'> {
	if (random() < 0.2) return {};
	const from = int(1, 28);
	const to = Math.min(31, from + int(0, 14));
	const day = (d: number) => `2026-03-${String(d).padStart(2, '0')}`;
	return localDateWindow(day(from), day(to), TIME_ZONE);
}

function buildRules(): Rule[] {
	const effects: (() => Pick<Rule, 'target' | 'effect'>)[] = [
		...Array.from({ length: 16 }, () => () => ({
			target:
				random() < 0.6
					? { kind: 'sku' as const, sku: pick(products).sku }
					: { kind: 'category' as const, category: pick(CATEGORIES).name },
			effect: { kind: 'multiplier' as const, factor: pick([1.5, 2, 2, 3]) }
		})),
		...Array.from({ length: 10 }, () => () => ({
			target: { kind: 'category' as const, category: pick(bigTicket) },
			effect: {
				kind: 'cross_sell_multiplier' as const,
				withCategory: pick(['accessory', 'service', 'insurance']),
				factor: pick([2, 3])
			}
		})),
		...Array.from({ length: 10 }, () => () => ({
			target: { kind: 'category' as const, category: pick(bigTicket) },
			effect: {
				kind: 'cross_sell_bonus' as const,
				withCategory: pick(['accessory', 'service', 'insurance']),
				points: int(5, 50),
				per: pick(['unit', 'sale'] as const)
			}
		})),
		...Array.from({ length: 9 }, () => () => ({
			target:
				random() < 0.5
					? { kind: 'any' as const }
					: { kind: 'category' as const, category: pick(bigTicket) },
			effect: {
				kind: 'amount_bonus' as const,
				minAmount: int(5, 30) * 10_000,
				points: int(10, 100)
			}
		})),
		...Array.from({ length: 5 }, () => () => ({
			target: { kind: 'any' as const },
			effect: { kind: 'first_sale_bonus' as const, points: int(5, 25) }
		}))
	];
	return effects.map((make, i) => ({
		id: i + 1,
		name: `Rule ${i + 1}`,
		// One rule in ten is switched off, as in a season with retired campaigns.
		active: i % 10 !== 9,
		dailyCap: random() < 0.3 ? int(100, 600) : null,
		...window(),
		...make()
	}));
}

function buildSales(rules: Rule[]): { sale: SaleInput; context: ScoreContext }[] {
	const capped = rules.filter((r) => r.dailyCap != null).map((r) => r.id);
	return Array.from({ length: SALES }, () => {
		const lines = Array.from({ length: int(1, 4) }, (_, i) => {
			// The first line is mostly a big-ticket item, the rest mostly add-ons.
			const pool = i === 0 ? products.slice(0, 125) : products.slice(125);
			const product = random() < 0.8 ? pick(pool) : pick(products);
			return { sku: product.sku, quantity: int(1, 3), unitPrice: product.price };
		});
		const ruleAwardsToday: Record<number, number> = {};
		for (const id of capped) if (random() < 0.3) ruleAwardsToday[id] = int(0, 400);
		return {
			sale: { occurredAt: SEASON.startsAt + Math.floor(random() * 31 * DAY), lines },
			context: { timeZone: TIME_ZONE, priorSalesToday: int(0, 6), ruleAwardsToday }
		};
	});
}

const rules = buildRules();
const sales = buildSales(rules);
const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function runOnce(): { ms: number; checksum: number } {
	let checksum = 0;
	const started = performance.now();
	for (const { sale, context } of sales) checksum += score(sale, rules, catalogue, context).total;
	return { ms: performance.now() - started, checksum };
}

runOnce(); // warm-up: lets the JIT settle before anything is measured
const runs = Array.from({ length: RUNS }, () => runOnce());
if (new Set(runs.map((r) => r.checksum)).size !== 1) {
	throw new Error('Scoring is not deterministic');
}
const ms = median(runs.map((r) => r.ms));
const kinds = Object.entries(
	rules.reduce<Record<string, number>>((count, r) => {
		count[r.effect.kind] = (count[r.effect.kind] ?? 0) + 1;
		return count;
	}, {})
)
	.map(([kind, n]) => `${kind} ${n}`)
	.join(', ');

const active = rules.filter((r) => r.active).length;
console.log(`rules: ${rules.length} (${active} active; ${kinds})`);
console.log(`catalogue: ${catalogue.size} products, sales: ${SALES.toLocaleString('en')}`);
console.log(`runs: ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms`);
const perSecond = Math.round((SALES / ms) * 1000);
console.log(`median: ${ms.toFixed(0)} ms, ${perSecond.toLocaleString('en')} sales/s`);
console.log(`checksum: ${runs[0].checksum} points`);
