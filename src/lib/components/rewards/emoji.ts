// The emoji a reward's name starts with ("☕ Coffee voucher"), shown as its picture when it has none.
const LEADING_EMOJI =
	/^\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|\p{Emoji_Modifier})*/u;

export function leadingEmoji(name: string): string | null {
	return LEADING_EMOJI.exec(name.trim())?.[0] ?? null;
}

/** The name without its leading emoji, for the card's title under the tile. */
export function withoutEmoji(name: string): string {
	return name.trim().replace(LEADING_EMOJI, '').trim() || name;
}
