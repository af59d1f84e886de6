// Changing and removing sprints and knockouts (#17) through the real services on a temp SQLite
// file and a fake clock: every field before the start, only the name, the prize and (a sprint) a
// later deadline once started; a refusal writes nothing (no row change, no audit event, no push);
// removing deletes one not started and cancels a started one, which then shows nowhere and which
// the scheduler leaves alone, across a restart too; a final one cannot be touched.
import { sqliteStore } from '../../src/lib/server/db/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../helpers/db';
import { makeContest } from '../helpers/factories';
import { openDatabase, type Db } from '../../src/lib/server/db';
import { auditEvent, award, knockout, knockoutMatch, sprint } from '../../src/lib/server/db/schema';
import { AppError } from '../../src/lib/server/shared/errors';
import { createBadge } from '../../src/lib/server/badges/commands';
import { recordOn } from '../helpers/record-sale';
import { createSprint, removeSprint, updateSprint } from '../../src/lib/server/sprints/commands';
import {
	createKnockout,
	removeKnockout,
	updateKnockout
} from '../../src/lib/server/knockouts/commands';
import { runBracketJobs } from '../../src/lib/server/knockouts/job';
import { readSprintCards } from '../../src/lib/server/sprints/view';
import { readKnockoutCards } from '../../src/lib/server/knockouts/view';
import { formatViewsOf } from '../../src/lib/server/formats/views';
import { setPublisher, type LivePublisher } from '../../src/lib/server/realtime/publish';
import { listSprintsJson } from '../../src/lib/server/sprints/sprint-api';
import { knockoutJson, listKnockoutsJson } from '../../src/lib/server/knockouts/knockout-api';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const MANAGER = { userId: null };

let ctx: ReturnType<typeof tempDb>;
let db: Db;
/** The seasons whose boards were told to push again. */
let pushes: number[];

beforeEach(() => {
	ctx = tempDb();
	db = ctx.db;
	pushes = [];
	setPublisher({
		badge: () => {},
		activity: () => {},
		leaderboardChanged: (seasonId: number) => pushes.push(seasonId),
		season: () => {}
	} as unknown as LivePublisher);
});
afterEach(() => {
	setPublisher(undefined);
	// A test that restarted has its own connection to close.
	if (db !== ctx.db) db.$client.close();
	ctx.cleanup();
});

const audits = () =>
	db
		.select({ action: auditEvent.action, subject: auditEvent.subject, data: auditEvent.data })
		.from(auditEvent)
		.all()
		.filter((e) => /^(sprint|knockout)\./.test(e.action));

/** The refusal a command throws: its status, code and field. */
async function refusal(run: () => unknown) {
	try {
		await run();
	} catch (e) {
		if (e instanceof AppError) return { status: e.status, code: e.code, field: e.field };
		throw e;
	}
	throw new Error('not refused');
}

let n = 0;
const sell = (sellerId: number, at: number, phones = 1) =>
	recordOn(
		db,
		{
			source: 'api',
			externalId: `e${++n}`,
			seller: { userId: sellerId },
			occurredAt: at,
			lines: [{ sku: 'PHONE', quantity: phones }]
		},
		() => at,
		{ awards: false }
	);

const sprintInput = (startsAt: number, more: Partial<Parameters<typeof createSprint>[2]> = {}) => ({
	name: 'First to 100',
	subject: 'user' as const,
	measure: 'points',
	target: 100,
	startsAt,
	endsAt: startsAt + 2 * DAY,
	prize: 'Lunch',
	requestId: `sprint-${++n}`,
	...more
});

const edit = (row: typeof sprint.$inferSelect, change: object = {}) => ({
	name: row.name,
	subject: row.subject,
	measure: row.measure,
	target: row.target,
	startsAt: row.startsAt,
	endsAt: row.endsAt,
	prize: row.prize,
	...change
});

const sprintRow = (id: number) => db.select().from(sprint).where(eq(sprint.id, id)).get();

describe('a sprint', () => {
	it('before its start: every field changes, audited and pushed', async () => {
		const { season } = await makeContest(db, { teams: 2, people: 2 });
		const now = Date.now();
		const { sprint: s } = await createSprint(
			sqliteStore(db),
			season.id,
			sprintInput(now + DAY),
			MANAGER,
			() => now
		);
		pushes.length = 0;
		const changed = await updateSprint(
			sqliteStore(db),
			season.id,
			s.id,
			edit(s, {
				name: 'Teams to 20 sales',
				subject: 'team',
				measure: 'sales',
				target: 20,
				startsAt: now + 2 * DAY,
				endsAt: now + 4 * DAY,
				prize: null
			}),
			MANAGER,
			() => now
		);
		expect(changed).toMatchObject({
			name: 'Teams to 20 sales',
			subject: 'team',
			measure: 'sales',
			target: 20,
			startsAt: now + 2 * DAY,
			endsAt: now + 4 * DAY,
			prize: null,
			status: 'scheduled'
		});
		expect(pushes).toEqual([season.id]);
		const [, update] = audits();
		expect(update).toMatchObject({ action: 'sprint.update', subject: `sprint:${s.id}` });
		expect(Object.keys((update.data as { changes: object }).changes).sort()).toEqual(
			['endsAt', 'measure', 'name', 'prize', 'startsAt', 'subject', 'target'].sort()
		);
		// Sent back unchanged: nothing written, nothing audited.
		await updateSprint(sqliteStore(db), season.id, s.id, edit(changed), MANAGER, () => now);
		expect(audits()).toHaveLength(2);
	});

	it('once live: the name, the prize and a later deadline only; refusals change nothing', async () => {
		const { season } = await makeContest(db, { teams: 2, people: 2 });
		const now = Date.now();
		// Stored to the millisecond; the form sends minutes.
		const { sprint: s } = await createSprint(
			sqliteStore(db),
			season.id,
			sprintInput(now - HOUR + 1234),
			MANAGER,
			() => now
		);
		const asShown = (t: number) => Math.floor(t / 60_000) * 60_000;
		const shown = edit(s, { startsAt: asShown(s.startsAt), endsAt: asShown(s.endsAt) });
		const before = sprintRow(s.id);
		const auditsBefore = audits().length;
		pushes.length = 0;
		for (const [change, expected] of [
			[{ target: 50 }, { status: 400, code: 'locked', field: 'target' }],
			[{ measure: 'sales' }, { status: 400, code: 'locked', field: 'measure' }],
			[{ subject: 'team' }, { status: 400, code: 'locked', field: 'subject' }],
			[{ startsAt: now + HOUR }, { status: 400, code: 'locked', field: 'startsAt' }],
			[{ endsAt: now + HOUR }, { status: 400, code: 'deadline_later', field: 'endsAt' }]
		] as const)
			expect(
				await refusal(() =>
					updateSprint(
						sqliteStore(db),
						season.id,
						s.id,
						{ ...shown, ...change },
						MANAGER,
						() => now
					)
				)
			).toEqual(expected);
		expect(
			await refusal(() => updateSprint(sqliteStore(db), season.id, 9999, shown, MANAGER, () => now))
		).toEqual({
			status: 404,
			code: 'not_found',
			field: undefined
		});
		expect(sprintRow(s.id)).toEqual(before);
		expect(audits()).toHaveLength(auditsBefore);
		expect(pushes).toEqual([]);

		const later = await updateSprint(
			sqliteStore(db),
			season.id,
			s.id,
			{ ...shown, name: 'First to 100!', prize: 'Dinner', endsAt: now + 5 * DAY },
			MANAGER,
			() => now
		);
		expect(later).toMatchObject({
			name: 'First to 100!',
			prize: 'Dinner',
			endsAt: now + 5 * DAY,
			startsAt: s.startsAt,
			target: 100,
			status: 'live'
		});
		expect(pushes).toEqual([season.id]);
	});

	it('removed before its start is deleted; removed once started is cancelled and shows nowhere', async () => {
		const { season } = await makeContest(db, { teams: 2, people: 2 });
		const now = Date.now();
		const { sprint: soon } = await createSprint(
			sqliteStore(db),
			season.id,
			sprintInput(now + DAY),
			MANAGER,
			() => now
		);
		const { sprint: live } = await createSprint(
			sqliteStore(db),
			season.id,
			sprintInput(now - HOUR),
			MANAGER,
			() => now
		);
		expect(await removeSprint(sqliteStore(db), season.id, soon.id, MANAGER, () => now)).toBe(
			'deleted'
		);
		expect(sprintRow(soon.id)).toBeUndefined();
		expect((await readSprintCards(sqliteStore(db), season.id, now)).map((c) => c.id)).toEqual([
			live.id
		]);
		expect(await removeSprint(sqliteStore(db), season.id, live.id, MANAGER, () => now)).toBe(
			'cancelled'
		);
		expect(sprintRow(live.id)?.status).toBe('cancelled');
		expect(await readSprintCards(sqliteStore(db), season.id, now, { all: true })).toEqual([]);
		expect(formatViewsOf(db, season.id, now).sprints).toBeNull();
		// The API shows it nowhere either.
		expect(await listSprintsJson(sqliteStore(db), season.id, () => now)).toEqual([]);
		expect(audits().map((e) => e.action)).toEqual([
			'sprint.create',
			'sprint.create',
			'sprint.delete',
			'sprint.cancel'
		]);
		// Cancelled: no second removal, no change.
		expect(
			await refusal(() => removeSprint(sqliteStore(db), season.id, live.id, MANAGER, () => now))
		).toMatchObject({
			status: 409,
			code: 'cancelled'
		});
		expect(
			await refusal(() =>
				updateSprint(sqliteStore(db), season.id, live.id, edit(live), MANAGER, () => now)
			)
		).toMatchObject({ status: 409, code: 'cancelled' });
	});

	it('cancelled: the scheduler neither ends, freezes nor gives its win, across a restart', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 2 });
		const base = Date.now() - 20 * DAY;
		const { badge } = await createBadge(
			sqliteStore(db),
			season.id,
			{
				name: 'Sprinter',
				emoji: '🏁',
				description: '',
				points: 10,
				criterion: { kind: 'sprints_won', count: 1 },
				active: true
			},
			{},
			() => base - DAY
		);
		const { sprint: s } = await createSprint(
			sqliteStore(db),
			season.id,
			sprintInput(base),
			MANAGER,
			() => base
		);
		await runBracketJobs(sqliteStore(db), () => base + 1);
		expect(await removeSprint(sqliteStore(db), season.id, s.id, MANAGER, () => base + HOUR)).toBe(
			'cancelled'
		);
		// Someone crosses the line after the cancellation; the deadline and the grace pass.
		await sell(people[0].id, base + 2 * HOUR, 2);
		await runBracketJobs(sqliteStore(db), () => base + 3 * HOUR);
		await runBracketJobs(sqliteStore(db), () => base + 10 * DAY);
		// A restart: a new connection to the same file, the scheduler's tick again.
		db.$client.close();
		db = openDatabase(ctx.path);
		await runBracketJobs(sqliteStore(db), () => base + 11 * DAY);
		expect(sprintRow(s.id)).toMatchObject({
			status: 'cancelled',
			winnerId: null,
			finalizedAt: null
		});
		expect(db.select().from(award).where(eq(award.badgeId, badge.id)).all()).toEqual([]);
	});

	it('final: cannot be changed, deleted or cancelled', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 2 });
		const base = Date.now() - 20 * DAY;
		const { sprint: s } = await createSprint(
			sqliteStore(db),
			season.id,
			sprintInput(base),
			MANAGER,
			() => base
		);
		await sell(people[0].id, base + HOUR, 2);
		await runBracketJobs(sqliteStore(db), () => base + 10 * DAY);
		const frozen = sprintRow(s.id)!;
		expect(frozen.status).toBe('final');
		const now = base + 11 * DAY;
		expect(
			await refusal(() => removeSprint(sqliteStore(db), season.id, s.id, MANAGER, () => now))
		).toMatchObject({
			status: 409,
			code: 'final'
		});
		expect(
			await refusal(() =>
				updateSprint(
					sqliteStore(db),
					season.id,
					s.id,
					edit(frozen, { name: 'x' }),
					MANAGER,
					() => now
				)
			)
		).toMatchObject({ status: 409, code: 'final' });
		expect(sprintRow(s.id)).toEqual(frozen);
		expect(audits().map((e) => e.action)).toEqual(['sprint.create']);
	});
});

const cupInput = (startsAt: number) => ({
	name: 'Cup',
	subject: 'user' as const,
	measure: 'points',
	size: 4,
	roundLength: 1,
	roundUnit: 'day' as const,
	graceHours: 2,
	startsAt,
	prize: null,
	requestId: `cup-${++n}`
});

const cupEdit = (k: typeof knockout.$inferSelect, change: object = {}) => ({
	name: k.name,
	subject: k.subject,
	measure: k.measure,
	size: k.size,
	roundLength: k.roundLength,
	roundUnit: k.roundUnit,
	graceHours: k.graceHours,
	startsAt: k.startsAt,
	prize: k.prize,
	...change
});

const cupRow = (id: number) => db.select().from(knockout).where(eq(knockout.id, id)).get();

describe('a knockout', () => {
	it('before its start: every field; once started: the name and the prize only', async () => {
		const { season } = await makeContest(db, { teams: 2, people: 4 });
		const base = Date.now() - 20 * DAY;
		const { knockout: k } = await createKnockout(
			sqliteStore(db),
			season.id,
			cupInput(base),
			MANAGER,
			() => base - DAY
		);
		const changed = await updateKnockout(
			sqliteStore(db),
			season.id,
			k.id,
			cupEdit(k, { subject: 'team', size: 8, roundLength: 12, roundUnit: 'hour', graceHours: 1 }),
			MANAGER,
			() => base - DAY
		);
		expect(changed).toMatchObject({ subject: 'team', size: 8, roundLength: 12, roundUnit: 'hour' });
		const back = cupEdit(changed, { subject: 'user' });
		await updateKnockout(sqliteStore(db), season.id, k.id, back, MANAGER, () => base - HOUR);
		await runBracketJobs(sqliteStore(db), () => base);
		const seeded = cupRow(k.id)!;
		expect(seeded.status).toBe('live');
		for (const [change, field] of [
			[{ size: 4 }, 'size'],
			[{ roundLength: 1 }, 'roundLength'],
			[{ roundUnit: 'day' }, 'roundUnit'],
			[{ graceHours: 3 }, 'graceHours'],
			[{ measure: 'sales' }, 'measure'],
			[{ startsAt: base + DAY }, 'startsAt']
		] as const)
			expect(
				await refusal(() =>
					updateKnockout(
						sqliteStore(db),
						season.id,
						k.id,
						cupEdit(seeded, change),
						MANAGER,
						() => base + HOUR
					)
				)
			).toEqual({ status: 400, code: 'locked', field });
		expect(cupRow(k.id)).toEqual(seeded);
		expect(
			await updateKnockout(
				sqliteStore(db),
				season.id,
				k.id,
				cupEdit(seeded, { name: 'Winter cup', prize: 'A trophy' }),
				MANAGER,
				() => base + HOUR
			)
		).toMatchObject({ name: 'Winter cup', prize: 'A trophy', size: 8, status: 'live' });
		expect(audits().map((e) => e.action)).toEqual([
			'knockout.create',
			'knockout.update',
			'knockout.update',
			'knockout.update'
		]);
	});

	it('removed before its start is deleted; once started, cancelled: no round frozen after, across a restart', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 4 });
		const base = Date.now() - 20 * DAY;
		const { knockout: later } = await createKnockout(
			sqliteStore(db),
			season.id,
			cupInput(base + 5 * DAY),
			MANAGER,
			() => base - DAY
		);
		const { knockout: k } = await createKnockout(
			sqliteStore(db),
			season.id,
			cupInput(base),
			MANAGER,
			() => base - DAY
		);
		for (const [i, phones] of [4, 3, 2, 1].entries()) await sell(people[i].id, base - DAY, phones);
		await runBracketJobs(sqliteStore(db), () => base);
		expect(
			await removeKnockout(sqliteStore(db), season.id, later.id, MANAGER, () => base + HOUR)
		).toBe('deleted');
		expect(cupRow(later.id)).toBeUndefined();
		expect(await removeKnockout(sqliteStore(db), season.id, k.id, MANAGER, () => base + HOUR)).toBe(
			'cancelled'
		);
		expect(await readKnockoutCards(sqliteStore(db), season.id, base + HOUR, { all: true })).toEqual(
			[]
		);
		expect(formatViewsOf(db, season.id, base + HOUR).knockouts).toBeNull();
		expect(await listKnockoutsJson(sqliteStore(db), season.id, () => base + HOUR)).toEqual([]);
		expect(
			await refusal(() => knockoutJson(sqliteStore(db), k.id, () => base + HOUR))
		).toMatchObject({
			status: 404,
			code: 'not_found'
		});
		const matches = () =>
			db.select().from(knockoutMatch).where(eq(knockoutMatch.knockoutId, k.id)).all();
		const before = matches();
		await runBracketJobs(sqliteStore(db), () => base + 2 * DAY);
		db.$client.close();
		db = openDatabase(ctx.path);
		await runBracketJobs(sqliteStore(db), () => base + 5 * DAY);
		expect(cupRow(k.id)).toMatchObject({ status: 'cancelled', roundsFrozen: 0, winnerId: null });
		expect(matches()).toEqual(before);
		expect(
			audits()
				.map((e) => e.action)
				.slice(-2)
		).toEqual(['knockout.delete', 'knockout.cancel']);
	});

	it('final: cannot be changed, deleted or cancelled', async () => {
		const { season, people } = await makeContest(db, { teams: 2, people: 4 });
		const base = Date.now() - 20 * DAY;
		const { knockout: k } = await createKnockout(
			sqliteStore(db),
			season.id,
			cupInput(base),
			MANAGER,
			() => base - DAY
		);
		for (const [i, phones] of [4, 3, 2, 1].entries()) await sell(people[i].id, base - DAY, phones);
		await runBracketJobs(sqliteStore(db), () => base);
		await runBracketJobs(sqliteStore(db), () => base + 3 * DAY);
		const frozen = cupRow(k.id)!;
		expect(frozen.status).toBe('final');
		expect(
			await refusal(() =>
				removeKnockout(sqliteStore(db), season.id, k.id, MANAGER, () => base + 4 * DAY)
			)
		).toMatchObject({ status: 409, code: 'final' });
		expect(
			await refusal(() =>
				updateKnockout(
					sqliteStore(db),
					season.id,
					k.id,
					cupEdit(frozen, { name: 'x' }),
					MANAGER,
					() => base
				)
			)
		).toMatchObject({ status: 409, code: 'final' });
		expect(cupRow(k.id)).toEqual(frozen);
	});
});
