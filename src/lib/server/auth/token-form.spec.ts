import { describe, expect, it } from 'vitest';
import { getLocale, overwriteGetLocale } from '../../paraglide/runtime.js';
import { AppError, conflict, notFound } from '../shared/errors';
import { tokenRefusal } from './token-form';

const inLocale = <T>(locale: 'en' | 'ru' | 'pl', fn: () => T): T => {
	const original = getLocale;
	overwriteGetLocale(() => locale);
	try {
		return fn();
	} finally {
		overwriteGetLocale(original);
	}
};

const taken = () =>
	conflict('token_name_taken', 'A token named "Till" is in use already', {
		field: 'name',
		details: { name: 'Till' }
	});
const gone = () => notFound('unknown_token', 'This token does not exist or is revoked already');

describe('tokenRefusal', () => {
	it('says the service’s refusals in the reader’s language, keeping status, code and field', () => {
		const refusal = inLocale('ru', () => tokenRefusal(taken())) as AppError;
		expect(refusal).toBeInstanceOf(AppError);
		expect(refusal).toMatchObject({ status: 409, code: 'token_name_taken', field: 'name' });
		expect(refusal.message).toBe('Токен с названием «Till» уже используется');
		expect((inLocale('pl', () => tokenRefusal(gone())) as AppError).message).toBe(
			'Ten token nie istnieje lub został już unieważniony'
		);
	});

	it('reads in English as the service words it', () => {
		for (const error of [taken(), gone()])
			expect((inLocale('en', () => tokenRefusal(error)) as AppError).message).toBe(error.message);
	});

	it('leaves anything else as it was thrown', () => {
		const bug = new Error('boom');
		const other = new AppError(400, 'something_else', 'As it was');
		expect(tokenRefusal(bug)).toBe(bug);
		expect(tokenRefusal(other)).toBe(other);
	});
});
