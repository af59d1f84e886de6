import { m } from '../../paraglide/messages.js';

// Note: banners (and prize pictures) are kept in the season row as data URLs (no file store to
// back up or serve), so they are capped small; the board sends the theme with every page.
const IMAGE_MAX_BYTES = 300 * 1024;
const IMAGE_TYPES: { type: string; matches: (b: Uint8Array) => boolean }[] = [
	{
		type: 'image/png',
		matches: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v)
	},
	{ type: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
	{ type: 'image/gif', matches: (b) => String.fromCharCode(...b.slice(0, 6)).startsWith('GIF8') },
	{
		type: 'image/webp',
		matches: (b) =>
			String.fromCharCode(...b.slice(0, 4)) === 'RIFF' &&
			String.fromCharCode(...b.slice(8, 12)) === 'WEBP'
	}
];

/** The image type that the bytes are (SVG, HTML and anything else: none). */
function imageType(bytes: Uint8Array): string | null {
	return IMAGE_TYPES.find((t) => t.matches(bytes))?.type ?? null;
}

/**
 * A banner sent as a data URL (the API): accepted only when its bytes are a PNG, JPEG, WebP or
 * GIF of the declared type and at most 300 KB.
 */
export function checkImageDataUrl(value: string): { ok: true } | { ok: false; message: string } {
	const match = /^data:(image\/[a-z]+);base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
	if (!match) return { ok: false, message: m.seasons_error_not_image() };
	const bytes = Buffer.from(match[2], 'base64');
	if (bytes.length > IMAGE_MAX_BYTES) return { ok: false, message: m.seasons_error_image_big() };
	const type = imageType(bytes);
	if (!type || type !== match[1])
		return { ok: false, message: m.seasons_error_not_type({ type: match[1] }) };
	return { ok: true };
}

/** An uploaded banner or prize picture as a data URL, checked by its bytes rather than its declared type. */
export async function imageFromFile(
	file: File
): Promise<{ ok: true; dataUrl: string } | { ok: false; message: string }> {
	if (file.size > IMAGE_MAX_BYTES) return { ok: false, message: m.seasons_error_image_big() };
	const bytes = new Uint8Array(await file.arrayBuffer());
	const type = imageType(bytes);
	if (!type) return { ok: false, message: m.seasons_error_not_image() };
	return { ok: true, dataUrl: `data:${type};base64,${Buffer.from(bytes).toString('base64')}` };
}
