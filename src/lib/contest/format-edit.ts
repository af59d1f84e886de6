// What a manager may still change of a sprint or a knockout, and what removing one does (#17).
// Before its start, everything: nobody has raced yet. Once started, only what does not rewrite
// the race: the name and the prize, and for a sprint a later deadline while the current one has
// not passed. A final result is never touched; a cancelled one is gone.

export type Closed = 'final' | 'cancelled';

export type EditRefusal =
	{ reason: Closed } | { reason: 'locked' | 'deadline_later' | 'deadline_passed'; field: string };

export type EditResult<T> = { ok: true; set: Partial<T> } | { ok: false; refusal: EditRefusal };

/** Times are entered to the minute: one sent back as shown is the same time. */
const MINUTE = 60_000;
export const sameMinute = (a: number, b: number) =>
	Math.floor(a / MINUTE) === Math.floor(b / MINUTE);

/** The stored time when `next` is that time as the form showed it, else `next`. */
const keep = (stored: number, next: number) => (sameMinute(stored, next) ? stored : next);

interface Race {
	status: string;
	startsAt: number;
}

const closed = (r: Race): Closed | null =>
	r.status === 'final' || r.status === 'cancelled' ? r.status : null;

/** Started: the scheduler moved it on, or its start has come (the next tick will). */
export const hasStarted = (r: Race, now: number) => r.status !== 'scheduled' || now >= r.startsAt;

/** People or teams race. */
type Subject = 'user' | 'team';

export interface SprintFields {
	name: string;
	subject: Subject;
	measure: string;
	target: number;
	startsAt: number;
	endsAt: number;
	prize: string | null;
}

type SprintSet = SprintFields & { status: 'scheduled' | 'live' };

/** The fields a started sprint keeps as they are. */
const SPRINT_RACE = ['subject', 'measure', 'target'] as const;

/** The sprint's fields the form cannot change now (all of them once it is closed). */
export function sprintLocked(s: SprintFields & Race, now: number): (keyof SprintFields)[] {
	if (closed(s)) return ['name', 'subject', 'measure', 'target', 'startsAt', 'endsAt', 'prize'];
	if (!hasStarted(s, now)) return [];
	return [...SPRINT_RACE, 'startsAt', ...(now >= s.endsAt ? (['endsAt'] as const) : [])];
}

export function sprintEdit(
	current: SprintFields & Race,
	next: SprintFields,
	now: number
): EditResult<SprintSet> {
	const shut = closed(current);
	if (shut) return { ok: false, refusal: { reason: shut } };
	const startsAt = keep(current.startsAt, next.startsAt);
	const endsAt = keep(current.endsAt, next.endsAt);
	if (!hasStarted(current, now)) {
		const { name, subject, measure, target, prize } = next;
		const status = startsAt <= now ? 'live' : 'scheduled';
		return { ok: true, set: { name, subject, measure, target, startsAt, endsAt, prize, status } };
	}
	const locked = (field: string): EditResult<SprintSet> => ({
		ok: false,
		refusal: { reason: 'locked', field }
	});
	for (const field of SPRINT_RACE) if (next[field] !== current[field]) return locked(field);
	if (startsAt !== current.startsAt) return locked('startsAt');
	if (endsAt !== current.endsAt) {
		if (now >= current.endsAt)
			return { ok: false, refusal: { reason: 'deadline_passed', field: 'endsAt' } };
		if (endsAt < current.endsAt)
			return { ok: false, refusal: { reason: 'deadline_later', field: 'endsAt' } };
	}
	return { ok: true, set: { name: next.name, prize: next.prize, endsAt } };
}

export interface KnockoutFields {
	name: string;
	subject: Subject;
	measure: string;
	size: number;
	roundLength: number;
	roundUnit: 'day' | 'hour';
	graceHours: number;
	startsAt: number;
	prize: string | null;
}

const KNOCKOUT_RACE = [
	'subject',
	'measure',
	'size',
	'roundLength',
	'roundUnit',
	'graceHours'
] as const;

/** The knockout's fields the form cannot change now. */
export function knockoutLocked(k: KnockoutFields & Race, now: number): (keyof KnockoutFields)[] {
	if (closed(k)) return ['name', ...KNOCKOUT_RACE, 'startsAt', 'prize'];
	return hasStarted(k, now) ? [...KNOCKOUT_RACE, 'startsAt'] : [];
}

export function knockoutEdit(
	current: KnockoutFields & Race,
	next: KnockoutFields,
	now: number
): EditResult<KnockoutFields> {
	const shut = closed(current);
	if (shut) return { ok: false, refusal: { reason: shut } };
	const startsAt = keep(current.startsAt, next.startsAt);
	if (!hasStarted(current, now)) {
		const { name, subject, measure, size, roundLength, roundUnit, graceHours, prize } = next;
		const set = { name, subject, measure, size, roundLength, roundUnit, graceHours, prize };
		return { ok: true, set: { ...set, startsAt } };
	}
	for (const field of KNOCKOUT_RACE)
		if (next[field] !== current[field]) return { ok: false, refusal: { reason: 'locked', field } };
	if (startsAt !== current.startsAt)
		return { ok: false, refusal: { reason: 'locked', field: 'startsAt' } };
	return { ok: true, set: { name: next.name, prize: next.prize } };
}

/**
 * Removing a sprint or a knockout: one that has not started is deleted (nobody raced), a
 * started one is cancelled (it stops, shows nowhere, gives nothing), a final one stays.
 */
export function removal(
	r: Race,
	now: number
): { ok: true; action: 'delete' | 'cancel' } | { ok: false; refusal: { reason: Closed } } {
	const shut = closed(r);
	if (shut) return { ok: false, refusal: { reason: shut } };
	return { ok: true, action: hasStarted(r, now) ? 'cancel' : 'delete' };
}
