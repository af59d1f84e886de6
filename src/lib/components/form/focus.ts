import { tick } from 'svelte';

/**
 * After a refused submit, takes the person to the first field to fix: the first control that
 * Field marked invalid inside `root` (a form, or the element a form lives in), once the new
 * errors have rendered.
 */
export async function focusFirstInvalid(root: ParentNode | null | undefined): Promise<void> {
	await tick();
	root?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
