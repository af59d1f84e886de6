import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db';
import { sqliteStore, type Store } from '../db/store';
import { session, user } from '../db/schema';
import {
	createSession,
	generateSessionToken,
	hashToken,
	invalidateSession,
	SESSION_LIFETIME,
	sessionTokenFromCookieHeader,
	validateSessionToken
} from './session';

const DAY = 24 * 60 * 60 * 1000;
let db: Db;
let store: Store;
let userId: number;

beforeEach(() => {
	db = openDatabase(':memory:');
	store = sqliteStore(db);
	userId = db
		.insert(user)
		.values({ email: 'a@test.test', displayName: 'A', role: 'participant', passwordHash: 'x' })
		.returning()
		.get().id;
});
afterEach(() => db.$client.close());

it('hashes a token to the SHA-256 hex that existing sessions, links and tokens were stored under', () => {
	// The FIPS 180-2 test vector, and a base32 token as generateSessionToken makes them (the hash
	// was @oslojs/crypto's before: the stored hashes must still match).
	expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	expect(hashToken('ab3kq7vzm2wq4ojxhzc5yd6l2iqsxn3p')).toBe(
		'0ededb9be9c2d05eab935e699748a7e23b6d21d02d25f4d2f10abe6406eea774'
	);
});

describe('sessions', () => {
	it('generates long random tokens', () => {
		const tokens = new Set(Array.from({ length: 100 }, generateSessionToken));
		expect(tokens.size).toBe(100);
		for (const token of tokens) expect(token).toMatch(/^[a-z2-7]{32}$/);
	});

	it('stores only the SHA-256 of the token', async () => {
		const token = generateSessionToken();
		await createSession(store, token, userId, () => 0);
		const rows = db.select().from(session).all();
		expect(rows).toEqual([{ id: hashToken(token), userId, expiresAt: SESSION_LIFETIME }]);
		expect(rows[0].id).not.toContain(token);
	});

	it.each([
		{ title: 'fresh', age: 0, valid: true, renewed: false },
		{ title: 'half-way: renewed (sliding expiry)', age: 16 * DAY, valid: true, renewed: true },
		{ title: 'one ms before expiry', age: SESSION_LIFETIME - 1, valid: true, renewed: true },
		{ title: 'at expiry', age: SESSION_LIFETIME, valid: false, renewed: false },
		{ title: 'long expired', age: 90 * DAY, valid: false, renewed: false }
	])('validates a $title session', async ({ age, valid, renewed }) => {
		const token = generateSessionToken();
		const created = await createSession(store, token, userId, () => 1_000);
		const now = 1_000 + age;
		const result = await validateSessionToken(store, token, () => now);
		expect(result.user?.id ?? null).toBe(valid ? userId : null);
		if (valid) {
			expect(result.session!.expiresAt).toBe(renewed ? now + SESSION_LIFETIME : created.expiresAt);
			expect(db.select().from(session).get()!.expiresAt).toBe(result.session!.expiresAt);
		} else {
			expect(db.select().from(session).all()).toHaveLength(0);
		}
	});

	it('rejects unknown tokens and invalidated sessions', async () => {
		const token = generateSessionToken();
		const created = await createSession(store, token, userId);
		expect((await validateSessionToken(store, 'not-a-token')).session).toBeNull();
		await invalidateSession(store, created.id);
		expect((await validateSessionToken(store, token)).session).toBeNull();
	});

	it.each([
		{ header: undefined, token: null },
		{ header: '', token: null },
		{ header: 'other=1', token: null },
		{ header: 'session=abc', token: 'abc' },
		{ header: 'a=1; session=abc; b=2', token: 'abc' },
		{ header: 'mysession=x; session=y', token: 'y' }
	])('reads the session cookie from "$header"', ({ header, token }) => {
		expect(sessionTokenFromCookieHeader(header)).toBe(token);
	});
});
