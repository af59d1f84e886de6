/**
 * Gives a colour input its value as a property, never as a `value` attribute. Svelte's hydration
 * removes the attribute of an input it binds, and Chromium then reports the empty value it sees
 * for an instant as an invalid colour ("The specified value '' does not conform…") on every load.
 */
export function colourValue(node: HTMLInputElement, value: string) {
	node.value = value;
	return {
		update(next: string) {
			if (node.value !== next) node.value = next;
		}
	};
}
