/**
 * Request bodies already answered, by their exact text, with what answers them again
 * (api/fast-sales.ts). Bounded by the text kept rather than by a count, so that the memory it
 * may take does not depend on how long the bodies are: once `budget` characters are held, the
 * oldest bodies go first. Bodies longer than `longest` are not kept.
 */
export class AnsweredBodies<V> {
	private readonly byText = new Map<string, V>();
	private held = 0;

	constructor(
		private readonly budget: number,
		private readonly longest: number
	) {}

	get(text: string): V | undefined {
		return this.byText.get(text);
	}

	/** Keeps `text` (unless it is too long or kept already), dropping the oldest to make room. */
	remember(text: string, value: V): void {
		if (text.length > this.longest || this.byText.has(text)) return;
		while (this.held + text.length > this.budget && this.byText.size > 0)
			this.forget(this.byText.keys().next().value!);
		this.byText.set(text, value);
		this.held += text.length;
	}

	forget(text: string): void {
		if (this.byText.delete(text)) this.held -= text.length;
	}

	/** Bodies kept, and their characters: for tests. */
	get size(): { bodies: number; characters: number } {
		return { bodies: this.byText.size, characters: this.held };
	}
}
