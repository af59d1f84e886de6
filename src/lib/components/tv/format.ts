// Small formatting helpers shared by the TV views.

export { points } from '$lib/format/numbers';

export function initials(name: string): string {
	return name
		.split(/\s+/)
		.filter(Boolean)
		.map((part) => part[0])
		.slice(0, 2)
		.join('')
		.toUpperCase();
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "5 minutes ago", "yesterday": coarse on purpose, a TV is read at a glance. */
export function ago(at: number, now: number): string {
	const minutes = Math.round((at - now) / 60_000);
	if (minutes > -1) return 'just now';
	if (minutes > -60) return rtf.format(minutes, 'minute');
	const hours = Math.round(minutes / 60);
	if (hours > -48) return rtf.format(hours, 'hour');
	return rtf.format(Math.round(hours / 24), 'day');
}
