// A season banner is shown as a CSS background on every board, so only two kinds of value are
// ever put into a page: an uploaded image kept as a base64 data URL (PNG, JPEG, WebP or GIF,
// checked by its bytes on the server) or a path on this site. Nothing here can close the url(),
// add a declaration or reach another origin. Client-safe: the server's schema and the pages use it.

const DATA_URL = /^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/]+={0,2}$/;
/** `/uploads/banner.png`: one leading slash (not `//host`), no query, quotes or brackets. */
const SAME_ORIGIN_PATH = /^\/(?![/\\])[A-Za-z0-9._~/-]+$/;

export type BannerKind = 'data' | 'path';

/** What kind of banner a value is, or null when it is neither (and must not be shown). */
export function bannerKind(value: string): BannerKind | null {
	if (DATA_URL.test(value)) return 'data';
	if (SAME_ORIGIN_PATH.test(value) && value.length <= 500) return 'path';
	return null;
}

/** The CSS `background-image` for a banner, or undefined for none (or an unsafe value). */
export function bannerBackground(value: string | null | undefined): string | undefined {
	return value && bannerKind(value) ? `url("${value}")` : undefined;
}
