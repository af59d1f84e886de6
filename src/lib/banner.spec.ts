import { describe, expect, it } from 'vitest';
import { bannerBackground, bannerKind } from './banner';

describe('bannerKind', () => {
	it.each([
		['data:image/png;base64,iVBORw0KGgo=', 'data'],
		['data:image/webp;base64,UklGRg==', 'data'],
		['/uploads/banner.png', 'path'],
		['/uploads/2026/spring-banner_v2.jpg', 'path']
	])('knows %s as %s', (value, kind) => {
		expect(bannerKind(value)).toBe(kind);
	});

	it.each([
		'https://evil.example/x.png',
		'//evil.example/x.png',
		'/\\evil.example/x.png',
		'url(javascript:alert(1))',
		'javascript:alert(1)',
		'"); background:url(https://evil.example/x',
		'/a.png); background:url(https://evil.example/x.png',
		"/a.png'",
		'/a.png?x=1',
		'data:image/svg+xml;base64,PHN2Zz4=',
		'data:text/html;base64,PGh0bWw+',
		'data:image/png;base64,iVBO"); x:url(//evil',
		'blob:https://evil.example/123',
		'',
		'/'
	])('refuses %s', (value) => {
		expect(bannerKind(value)).toBeNull();
		expect(bannerBackground(value)).toBeUndefined();
	});

	it('quotes a safe banner in url()', () => {
		expect(bannerBackground('/uploads/b.png')).toBe('url("/uploads/b.png")');
		expect(bannerBackground(null)).toBeUndefined();
	});
});
