// What a TV says instead of the board: the same words whether the page load or the live
// screen finds out.

export const REVOKED = {
	emoji: '🚫',
	title: 'This display was revoked',
	text: 'A contest manager switched this screen off. Ask them for a new display link.'
};

export const UNKNOWN = {
	emoji: '🔗',
	title: 'This display link is not valid',
	text: 'Check the address, or ask a contest manager for a new display link.'
};

export const BROKEN = {
	emoji: '🛠️',
	title: 'The board is taking a break',
	text: 'Something went wrong on the server. This screen tries again by itself.'
};
