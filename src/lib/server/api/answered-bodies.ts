import { hash } from 'node:crypto';

/**
 * The key a body is kept under: the SHA-256 of its text (UTF-8), as a 32-character string (one
 * character per byte: 'binary' is latin1). A key costs the same whatever the body's length, so
 * that the bodies of a whole season fit (~80 bytes each with the map's own, against ~340 for a
 * typical text and its entry): kept by their text, a budget of 24 M characters held ~133,000 of
 * bench:ingest's 229,000 bodies, and the others took the full path (docs/benchmarks.md,
 * "Replays at any season size"). The one-shot `hash` costs ~0.8 µs for a typical body;
 * createHash().update().digest() cost ~7 µs.
 */
export function bodyKey(text: string): string {
	return hash('sha256', text, 'binary');
}

/**
 * Request bodies already answered, by the digest of their text (bodyKey), with what answers
 * them again (api/fast-sales.ts). At most `most` are kept: then the oldest go first. A digest
 * says the text is the same only with overwhelming likelihood, so what is kept must be checked
 * against the body before it answers it (fast-sales.ts checks the sale's externalId).
 */
export class AnsweredBodies<V> {
	private readonly byKey = new Map<string, V>();

	constructor(private readonly most: number) {}

	get(key: string): V | undefined {
		return this.byKey.get(key);
	}

	/** Keeps `key` (unless kept already), dropping the oldest to make room. */
	remember(key: string, value: V): void {
		if (this.most <= 0 || this.byKey.has(key)) return;
		while (this.byKey.size >= this.most) this.byKey.delete(this.byKey.keys().next().value!);
		this.byKey.set(key, value);
	}

	forget(key: string): void {
		this.byKey.delete(key);
	}

	/** Bodies kept: for tests. */
	get size(): number {
		return this.byKey.size;
	}
}
