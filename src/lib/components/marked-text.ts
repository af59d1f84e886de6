import type { MessagePart } from '$lib/paraglide/runtime';

/** A run of a message's text and the markup tag it sits in (null: plain text). */
export interface Segment {
	text: string;
	tag: string | null;
}

/**
 * A message's parts (`m.x.parts(inputs)`) as runs of text, each in at most one tag: the board's
 * messages mark single words ({#b}…{/b}), never nested ones. Neighbouring runs in the same tag are
 * joined, so a tag's text reaches its element in one piece.
 */
export function segments(parts: readonly MessagePart[]): Segment[] {
	const out: Segment[] = [];
	let tag: string | null = null;
	for (const part of parts) {
		if (part.type === 'markup-start') tag = part.name;
		else if (part.type === 'markup-end') tag = null;
		else if (part.type === 'text') {
			const last = out.at(-1);
			if (last && last.tag === tag) last.text += part.value;
			else out.push({ text: part.value, tag });
		}
	}
	return out;
}
