// The audit log as managers read it: events recorded by the real services, read back in plain
// words, with names for ids, euros for cents and dates in the season's zone; never JSON.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest, makeUser } from '../helpers/factories';
import { auditLog } from '../../src/lib/server/audit/log';
import { auditInWrite } from '../../src/lib/server/audit/record';
import { adjustPoints } from '../../src/lib/server/scoring/adjustments';
import { moveMember } from '../../src/lib/server/teams/members';
import { updateProduct } from '../../src/lib/server/catalogue/products';
import { sqliteStore, write } from '../../src/lib/server/db/store';
import { createInvite } from '../../src/lib/server/people/invites';

let ctx: ReturnType<typeof tempDb>;
beforeEach(() => (ctx = tempDb()));
afterEach(() => ctx.cleanup());

describe('the audit log in plain words', () => {
	it('names people and teams, shows euros and local dates, and prints no JSON or epoch numbers', async () => {
		const { db } = ctx;
		const { season, teams, people, products } = await makeContest(db, { teams: 2, people: 2 });
		const manager = await makeUser(db, { role: 'manager', name: 'Mia Manager' });
		const actor = { userId: manager.id };
		await adjustPoints(sqliteStore(db), {
			seasonId: season.id,
			userId: people[0].id,
			points: 20,
			reason: 'Fair play',
			actor
		});
		await moveMember(sqliteStore(db), season.id, people[0].id, teams[1].id, actor);
		const phone = products[0];
		await updateProduct(
			sqliteStore(db),
			season.id,
			phone.id,
			{ name: phone.name, category: phone.category, points: phone.points, price: 89900 },
			actor
		);
		await createInvite(sqliteStore(db), {
			email: 'new@test.test',
			displayName: 'Nina New',
			seasonId: season.id,
			teamId: teams[0].id,
			actor
		});
		// A season's new end, as season.update records it (epoch milliseconds).
		const endsAt = Date.UTC(2026, 11, 31, 23, 0);
		const store = sqliteStore(db);
		await write(store, (tx) =>
			auditInWrite(
				tx,
				store,
				actor,
				'season.update',
				`season:${season.id}`,
				{ endsAt: { from: season.endsAt, to: endsAt } },
				Date.UTC(2026, 11, 1, 9, 30)
			)
		);

		const log = await auditLog(sqliteStore(db), { page: 1, timeZone: 'Europe/Amsterdam' });
		const text = log.rows
			.map((r) =>
				[r.when, r.actor.name, r.summary, ...r.details.map((d) => `${d.label}: ${d.value}`)].join(
					' | '
				)
			)
			.join('\n');
		expect(text).not.toMatch(/[{}]|"\w+":/);
		expect(text).not.toMatch(/\d{1,3}(,\d{3}){3,}|\d{12,}/);
		expect(text).not.toMatch(/Team id|team:\d|user:\d|undefined|null/i);

		const [a, b] = [teams[0].name, teams[1].name];
		const summaries = log.rows.map((r) => r.summary);
		expect(summaries).toContain(`Adjusted the points of ${people[0].displayName} by +20`);
		expect(summaries).toContain(`Moved ${people[0].displayName} from ${a} to ${b}`);
		expect(summaries).toContain(`Changed the product ${phone.name} (${phone.sku})`);
		expect(summaries).toContain(`Invited Nina New to team ${a}`);
		const price = log.rows.find((r) => r.action === 'product.update')!.details;
		expect(price).toEqual([{ label: 'Price', value: '€999.00 → €899.00' }]);
		const edit = log.rows.find((r) => r.action === 'season.update')!;
		expect(edit.when).toBe('1 Dec 2026, 10:30');
		expect(edit.details[0].value).toMatch(/→ 1 Jan 2027, 00:00$/);
		expect(log.actions.map((a) => a.label)).toEqual(
			expect.arrayContaining(['Points adjusted', 'Person invited', 'Person moved to another team'])
		);
	});
});
