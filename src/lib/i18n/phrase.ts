// A message cut around its placeholders, so that markup (a link, code) can stand in for them
// wherever the language puts them: [{ text: 'Deliveries follow ' }, { slot: 'standard' }, …].
// Client-safe.

export function phrase<K extends string>(
	message: (p: Record<K, string>) => string,
	slots: K[]
): { text?: string; slot?: string }[] {
	const marks = Object.fromEntries(slots.map((slot) => [slot, `\u2063${slot}\u2063`])) as Record<
		K,
		string
	>;
	return message(marks)
		.split(/\u2063(\w+)\u2063/)
		.map((part, i) => (i % 2 === 1 ? { slot: part } : { text: part }))
		.filter((part) => part.text !== '');
}
