// The error page's words for a busy database are in the reader's language, even when the error
// comes before the request's language was chosen.
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { handleError } from './hooks.server';
import { DatabaseBusyError } from '$lib/server/db/busy';

function event(locale: string | undefined, acceptLanguage?: string) {
	const headers = acceptLanguage ? { 'accept-language': acceptLanguage } : undefined;
	return {
		locals: { locale },
		request: new Request('http://localhost/', { headers })
	} as unknown as RequestEvent;
}

const busy = (e: RequestEvent) =>
	handleError({ error: new DatabaseBusyError(), event: e, status: 500, message: 'Internal Error' });

describe('handleError for a busy database', () => {
	it('answers in the request’s language', () => {
		expect(busy(event('pl', 'en'))).toEqual({
			message: 'Baza danych jest teraz zajęta. Spróbuj ponownie za chwilę.'
		});
		expect(busy(event('en'))).toEqual({
			message: 'The database is busy, please try again in a moment.'
		});
	});

	it('answers in the browser’s language when none was chosen yet', () => {
		expect(busy(event(undefined, 'ru-RU,ru;q=0.9'))).toEqual({
			message: 'База данных сейчас занята. Попробуйте ещё раз через минуту.'
		});
		expect(busy(event(undefined, 'de'))).toEqual({
			message: 'The database is busy, please try again in a moment.'
		});
	});
});
