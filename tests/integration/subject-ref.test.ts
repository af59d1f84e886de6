// How the formats API names a side (formats/subject-ref.ts): exactly one of email, teamId or
// teamName, found among the season's members and teams, else a 422 with a stable code.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../helpers/db';
import { makeContest, makeSeason, makeTeam, makeUser } from '../helpers/factories';
import type { Db } from '../../src/lib/server/db';
import { sqliteStore } from '../../src/lib/server/db/store';
import { AppError } from '../../src/lib/server/shared/errors';
import {
	kindOf,
	resolveSubject,
	sameRef,
	subjectRefSchema,
	type SubjectRef
} from '../../src/lib/server/formats/subject-ref';

describe('subjectRefSchema', () => {
	it.each([
		[{ email: 'ann@test.test' }, true],
		[{ teamId: 3 }, true],
		[{ teamName: ' North ' }, true],
		[{}, false],
		[{ email: 'ann@test.test', teamId: 3 }, false],
		[{ teamId: 3, teamName: 'North' }, false],
		[{ email: 'not an email' }, false],
		[{ teamId: 0 }, false],
		[{ teamName: '  ' }, false]
	])('%j is valid: %s', (ref, valid) => {
		expect(subjectRefSchema.safeParse(ref).success).toBe(valid);
	});

	it.each<[SubjectRef, SubjectRef, boolean]>([
		[{ email: 'Ann@Test.test' }, { email: 'ann@test.test' }, true],
		[{ email: 'ann@test.test' }, { email: 'bob@test.test' }, false],
		[{ teamId: 3 }, { teamId: 3 }, true],
		[{ teamId: 3 }, { teamName: 'North' }, false],
		[{ teamName: 'North' }, { teamName: 'North' }, true]
	])('%j and %j are the same side: %s', (a, b, same) => {
		expect(sameRef(a, b)).toBe(same);
	});

	it('tells people from teams', () => {
		expect([kindOf({ email: 'a@test.test' }), kindOf({ teamId: 1 })]).toEqual(['user', 'team']);
	});
});

describe('resolveSubject', () => {
	let db: Db;
	let cleanup: () => void;
	let contest: Awaited<ReturnType<typeof makeContest>>;
	let otherTeam: { id: number; name: string };

	beforeEach(async () => {
		({ db, cleanup } = tempDb());
		contest = await makeContest(db, { teams: 2, people: 2 });
		await makeUser(db, { email: 'outsider@test.test' });
		otherTeam = makeTeam(db, makeSeason(db).id, 'Elsewhere');
	});
	afterEach(() => cleanup());

	const code = async (ref: SubjectRef) => {
		try {
			await resolveSubject(sqliteStore(db), contest.season.id, ref, 'opponent');
			return null;
		} catch (error) {
			expect(error).toBeInstanceOf(AppError);
			expect((error as AppError).status).toBe(422);
			expect((error as AppError).field).toBe('opponent');
			return (error as AppError).code;
		}
	};

	it('finds a member by email (any case) and a team by id or name', async () => {
		const [ann] = contest.people;
		const [north] = contest.teams;
		const resolve = (ref: SubjectRef) =>
			resolveSubject(sqliteStore(db), contest.season.id, ref, 'x');
		expect(await resolve({ email: ann.email.toUpperCase() })).toBe(ann.id);
		expect(await resolve({ teamId: north.id })).toBe(north.id);
		expect(await resolve({ teamName: north.name })).toBe(north.id);
	});

	it('refuses unknown people, non-members and teams of other seasons', async () => {
		expect(await code({ email: 'nobody@test.test' })).toBe('unknown_person');
		expect(await code({ email: 'outsider@test.test' })).toBe('not_a_member');
		expect(await code({ teamId: otherTeam.id })).toBe('unknown_team');
		expect(await code({ teamName: otherTeam.name })).toBe('unknown_team');
	});
});
