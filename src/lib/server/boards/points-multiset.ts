// The ranking points of a season's players, kept sorted, to count in O(log n) what a rank needs:
// how many players have more points than p (competition rank - 1), how many distinct values are
// above p (dense rank - 1) and how many players are at p.
//
// Why two sorted typed arrays and not a balanced tree or a Fenwick tree: counting is two binary
// searches either way, and a sale moves one player's points by a little, so moving one value is
// a memmove over the few values between its old and new place (copyWithin, no allocation). A
// Fenwick tree would need the set of point values fixed in advance (a sale creates new ones); a
// tree of nodes costs tens of bytes and a pointer chase per player, where this is 8 bytes.

/** First index in `a[0..n)` whose value is >= v (`a` ascending). */
function lowerBound(a: Float64Array, n: number, v: number): number {
	let lo = 0;
	let hi = n;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (a[mid] < v) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** First index in `a[0..n)` whose value is > v (`a` ascending). */
function upperBound(a: Float64Array, n: number, v: number): number {
	let lo = 0;
	let hi = n;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (a[mid] <= v) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function grown(a: Float64Array, n: number): Float64Array {
	if (n < a.length) return a;
	const bigger = new Float64Array(Math.max(16, a.length * 2));
	bigger.set(a);
	return bigger;
}

export class PointsMultiset {
	/** Every value, ascending; the first `size` are used. */
	private values: Float64Array;
	private size: number;
	/** Each value once, ascending; the first `distinctSize` are used. */
	private distinct: Float64Array;
	private distinctSize = 0;

	/** From any values (copied and sorted). */
	constructor(values: ArrayLike<number> = []) {
		this.values = Float64Array.from(values).sort();
		this.size = this.values.length;
		this.distinct = new Float64Array(this.size);
		for (let i = 0; i < this.size; i++)
			if (i === 0 || this.values[i] !== this.values[i - 1])
				this.distinct[this.distinctSize++] = this.values[i];
	}

	get count(): number {
		return this.size;
	}

	/** Values strictly greater than p. */
	countAbove(p: number): number {
		return this.size - upperBound(this.values, this.size, p);
	}

	/** Values equal to p. */
	countAt(p: number): number {
		return upperBound(this.values, this.size, p) - lowerBound(this.values, this.size, p);
	}

	/** Distinct values strictly greater than p. */
	distinctAbove(p: number): number {
		return this.distinctSize - upperBound(this.distinct, this.distinctSize, p);
	}

	/**
	 * Replaces one occurrence of `from` by `to`; either may be null (a value comes in or goes out).
	 * Returns false, changing nothing, when `from` is not held.
	 */
	move(from: number | null, to: number | null): boolean {
		if (from === to) return from === null || this.countAt(from) > 0;
		if (from === null) {
			this.insert(to!);
			return true;
		}
		const first = lowerBound(this.values, this.size, from);
		if (first >= this.size || this.values[first] !== from) return false;
		const wasNew = to !== null && this.countAt(to) === 0;
		if (to === null) {
			this.values.copyWithin(first, first + 1, this.size);
			this.size -= 1;
		} else if (to > from) {
			// The last `from` goes up: the values between it and `to`'s place shift down by one.
			const at = upperBound(this.values, this.size, from) - 1;
			const end = upperBound(this.values, this.size, to);
			this.values.copyWithin(at, at + 1, end);
			this.values[end - 1] = to;
		} else {
			// The first `from` goes down: the values between `to`'s place and it shift up by one.
			const start = upperBound(this.values, this.size, to);
			this.values.copyWithin(start + 1, start, first);
			this.values[start] = to;
		}
		if (this.countAt(from) === 0) this.dropDistinct(from);
		if (wasNew) this.addDistinct(to);
		return true;
	}

	private insert(v: number): void {
		const isNew = this.countAt(v) === 0;
		this.values = grown(this.values, this.size);
		const at = upperBound(this.values, this.size, v);
		this.values.copyWithin(at + 1, at, this.size);
		this.values[at] = v;
		this.size += 1;
		if (isNew) this.addDistinct(v);
	}

	private addDistinct(v: number): void {
		this.distinct = grown(this.distinct, this.distinctSize);
		const at = upperBound(this.distinct, this.distinctSize, v);
		this.distinct.copyWithin(at + 1, at, this.distinctSize);
		this.distinct[at] = v;
		this.distinctSize += 1;
	}

	private dropDistinct(v: number): void {
		const at = lowerBound(this.distinct, this.distinctSize, v);
		this.distinct.copyWithin(at, at + 1, this.distinctSize);
		this.distinctSize -= 1;
	}
}
